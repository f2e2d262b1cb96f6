"""The life of a union's accounting year (会计年度), as one state machine. docs/year-lifecycle.md explains it.

A union-year is 未建账 (no row yet), 在用 (open) or 已结账 (closed). Three transitions:

==========  ==========  ==========  ===========================================================================
transition  from        to          allowed when (refused otherwise, with a Chinese message)
==========  ==========  ==========  ===========================================================================
建账 open     未建账        在用          no later year of the union is closed
结账 close    在用          已结账        every earlier year of the union is closed (and the 结账 checks pass)
反结账 reopen 已结账        在用          by a site administrator; no later year is closed, and the next year
                                    holds nothing but its carried-forward opening (and reversals of it)
==========  ==========  ==========  ===========================================================================

Inside 在用, and only while no later year is closed: drafts, posting (记账, 冲销 into this year), deleting
drafts, saving the report's words, and the 期初余额 by hand — the last only while the previous year is not
closed (after 结账 the opening is the carried-forward one) and the year has no opening yet. A 已结账 year
takes nothing.

So closed years are always the earliest years of a union, and nothing can change a figure or a word of a
closed year: not its own vouchers, not its report text, not the previous year its report compares with
("与2011年相比…"), not the next year's opening it carried forward. Every service that opens, closes, reopens,
writes into a year or saves its report text asks this module first.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, TextChoices

from ledger.errors import ClosedYear, YearStateError
from ledger.models import AccountingYear, Union, Voucher


class State(TextChoices):
    NOT_OPENED = "not_opened", "未建账"
    OPEN = "open", "在用"
    CLOSED = "closed", "已结账"


# (from, to) of each transition; anything else is refused.
TRANSITIONS = {
    "open": (State.NOT_OPENED, State.OPEN),
    "close": (State.OPEN, State.CLOSED),
    "reopen": (State.CLOSED, State.OPEN),
}


def state(year: AccountingYear | None) -> State:
    if year is None:
        return State.NOT_OPENED
    return State.CLOSED if year.is_closed else State.OPEN


def _later_closed(union_id: int, year: int) -> int | None:
    return (
        AccountingYear.objects.filter(union_id=union_id, year__gt=year, is_closed=True)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


def check_open(*, union: Union, year: int) -> None:
    """建账: a new year, unless a later year is closed (it would change that year's comparison). One query."""
    later = _later_closed(union.pk, year)
    if later is not None:
        raise YearStateError(f"{later}年度已结账，不能再建立更早的{year}年度（会改变已结账年度的报告）")


def check_close(year: AccountingYear) -> None:
    """结账: an open year whose earlier years are all closed. One query."""
    if year.is_closed:
        raise ClosedYear(f"{year.year}年度已经结账")
    earlier = (
        AccountingYear.objects.filter(union_id=year.union_id, year__lt=year.year, is_closed=False)
        .order_by("year")
        .values_list("year", flat=True)
        .first()
    )
    if earlier is not None:
        raise YearStateError(f"{earlier}年度尚未结账，请先结账{earlier}年度，再结账{year.year}年度")


def check_reopen(*, year: AccountingYear, user: AbstractBaseUser) -> None:
    """反结账: a closed year, by a site administrator, while no later year is closed and the next year holds
    nothing but its carried-forward opening and reversals of it. Two queries."""
    if not getattr(user, "is_superuser", False):
        raise YearStateError("只有系统管理员可以反结账")
    if not year.is_closed:
        raise YearStateError(f"{year.year}年度尚未结账")
    later = _later_closed(year.union_id, year.year)
    if later is not None:
        raise ClosedYear(f"{later}年度已结账，请先反结账{later}年度")
    following = year.year + 1
    others = (
        Voucher.objects.filter(year__union_id=year.union_id, year__year=following)
        .exclude(kind=Voucher.Kind.OPENING)
        .exclude(reverses__kind=Voucher.Kind.OPENING)
    )
    if others.exists():
        raise YearStateError(
            f"{following}年度已有凭证，不能反结账{year.year}年度；请先冲销{following}年度的凭证"
        )


def writable_year(pk: int, *, lock: bool = False) -> AccountingYear:
    """The year, fresh from the database (locked with ``lock``), if it may be written into: open, and no later
    year closed. For drafts, posting, deleting drafts, opening balances and the report's words. One query."""
    years = AccountingYear.objects.select_related("union", "chart").annotate(
        later_closed=Exists(
            AccountingYear.objects.filter(
                union_id=OuterRef("union_id"), year__gt=OuterRef("year"), is_closed=True
            )
        )
    )
    if lock:
        years = years.select_for_update(of=("self",))
    return check_writable(years.get(pk=pk))


def check_writable(year: AccountingYear) -> AccountingYear:
    """``year`` (read with ``later_closed``: is a later year of the union closed) if it may be written into."""
    if year.is_closed:
        raise ClosedYear(f"{year.year}年度已结账，不能再记账或修改")
    if year.later_closed:
        raise ClosedYear(f"{year.year}年度之后已有年度结账，{year.year}年度不能再记账或修改")
    return year


def check_opening_balances(year: AccountingYear) -> None:
    """期初余额 by hand: in an open year without an opening, and only while the previous year is not closed —
    after 结账 the opening is the one carried forward. (A hand opening entered while the previous year is still
    open is replaced by the carried-forward one when that year is closed.) Two queries."""
    if Voucher.objects.filter(year=year, kind=Voucher.Kind.OPENING, reversed_by__isnull=True).exists():
        raise YearStateError(f"{year.year}年度已经录入期初余额")
    if AccountingYear.objects.filter(union_id=year.union_id, year=year.year - 1, is_closed=True).exists():
        raise YearStateError(f"{year.year - 1}年度已结账，{year.year}年度的期初余额由结账结转，不能手工录入")
