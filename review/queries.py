"""Reads of the auditor's remarks: a voucher's, a year's (filtered), the open ones, and the 结账 hint.

Each is a fixed number of queries however many remarks or vouchers there are.
"""

from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from ledger.models import AccountingYear, Voucher
from ledger.queries.summary import Check, Comparison
from review.models import Remark, Reply

OPEN_STATES = (Remark.State.OPEN, Remark.State.ANSWERED)
OPEN_QUERIES = "经费审查疑点均已关闭"


def _with_thread(remarks: QuerySet[Remark]) -> QuerySet[Remark]:
    return remarks.select_related(
        "voucher__year", "line__account", "attachment", "raised_by", "closed_by"
    ).prefetch_related(
        Prefetch(
            "replies",
            queryset=Reply.objects.select_related("by", "attachment", "reversal__year").order_by("at", "id"),
        )
    )


def voucher_remarks(voucher: Voucher) -> list[Remark]:
    """A voucher's marks and 疑点, oldest first, each with its thread. Two queries."""
    return list(_with_thread(Remark.objects.filter(voucher=voucher)).order_by("raised_at", "id"))


def remarks(
    *, year: AccountingYear, kind: str = "", state: str = "", open_only: bool = False, text: str = ""
) -> QuerySet[Remark]:
    """The year's remarks, newest first, filtered; with their threads (two queries when evaluated)."""
    found = Remark.objects.filter(voucher__year=year)
    if kind:
        found = found.filter(kind=kind)
    if state:
        found = found.filter(state=state)
    if open_only:
        found = found.filter(kind=Remark.Kind.QUERY, state__in=OPEN_STATES)
    if text:
        found = found.filter(Q(comment__icontains=text) | Q(voucher__summary__icontains=text))
    return _with_thread(found).order_by("-raised_at", "-id")


def open_queries(year: AccountingYear) -> QuerySet[Remark]:
    return remarks(year=year, open_only=True)


def open_queries_check(year: AccountingYear) -> tuple[Check, ...]:
    """结账 hint (never a block): every 疑点 of the year closed. One query."""
    count = Remark.objects.filter(voucher__year=year, kind=Remark.Kind.QUERY, state__in=OPEN_STATES).count()
    return (
        Check(
            OPEN_QUERIES,
            (Comparison("未关闭的疑点（条）", Decimal(count), "应为", Decimal(0), count=True),),
            note="经费审查委员提出的疑点应在结账前答复并由审查委员关闭；未关闭不阻止结账。",
            required=False,
        ),
    )


def remark_in(year: AccountingYear, pk: int) -> Remark | None:
    """A remark of the year's vouchers (a remark of another union or year is None: the view answers 404)."""
    return Remark.objects.select_related("voucher__year__union").filter(voucher__year=year, pk=pk).first()
