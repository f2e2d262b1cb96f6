"""Reads of the books as the treasurer and the auditor page through them: 日记账 and 明细账 with a running
balance, the voucher list, the accounts a voucher may use, every line of a year for the workbook, and the
state of the books a cached report depends on. Each is a fixed number of queries.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.expressions import RowRange
from django.db.models.functions import Coalesce

from ledger.charts import facts
from ledger.models import Account, AccountingYear, Attachment, Voucher, VoucherLine, voucher_no
from ledger.money import ZERO, fen_to_decimal
from ledger.queries.balances import account_movement, fen, fen_sum, period, posted_lines, year_accounts


@dataclass(frozen=True)
class JournalLine:
    """One line of a 日记账 or 明细账, with the account's balance after it (on its normal side)."""

    voucher_id: int
    number: int
    date: datetime.date
    summary: str
    counterparty: str
    kind: str
    account_code: str
    account_name: str
    memo: str
    debit: Decimal
    credit: Decimal
    balance: Decimal

    @property
    def voucher_no(self) -> str:
        return voucher_no(self.number)

    @property
    def direction(self) -> str:
        return "平" if self.balance == 0 else ("借" if self.balance > 0 else "贷")


@dataclass(frozen=True)
class Journal:
    """A 现金日记账, 银行存款日记账 or 明细账 over a period: opening, the lines, totals and closing."""

    account: Account
    start: datetime.date | None
    end: datetime.date | None
    opening: Decimal
    lines: list[JournalLine]
    debit: Decimal
    credit: Decimal
    closing: Decimal


def journal(
    *,
    year: AccountingYear,
    account: Account,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Journal:
    """The lines of ``account`` and its 明细科目 in date order, each with the running balance. Two queries.

    The balance runs over integer 分 by a window function in the database (never a Python loop over the
    books); the opening balance of the period (the 期初余额 voucher and everything dated before ``start``)
    is added to it. Balances are on the account's normal side, as the printed books show them.
    """
    movement = account_movement(year=year, account=account, start=start, end=end)
    _, inside = period(start, end, include_closing=True)
    signed = fen("debit") - fen("credit") if account.debit_normal else fen("credit") - fen("debit")
    order = [F("voucher__date").asc(), F("voucher__number").asc(), F("voucher_id").asc(), F("position").asc()]
    rows = (
        posted_lines(year)
        .filter(inside, account__code__startswith=account.code)
        .annotate(
            running=Window(Sum(signed), order_by=order, frame=RowRange(start=None, end=0)),
            debit_fen=fen("debit"),
            credit_fen=fen("credit"),
        )
        .order_by(*order)
        .values_list(
            "voucher_id",
            "voucher__number",
            "voucher__date",
            "voucher__summary",
            "voucher__counterparty",
            "voucher__kind",
            "account__code",
            "account__name",
            "memo",
            "debit_fen",
            "credit_fen",
            "running",
        )
    )
    lines = [
        JournalLine(
            voucher_id=voucher_id,
            number=number,
            date=date,
            summary=summary,
            counterparty=counterparty,
            kind=kind,
            account_code=code,
            account_name=name,
            memo=memo,
            debit=fen_to_decimal(debit_fen),
            credit=fen_to_decimal(credit_fen),
            balance=movement.opening + fen_to_decimal(running),
        )
        for (
            voucher_id,
            number,
            date,
            summary,
            counterparty,
            kind,
            code,
            name,
            memo,
            debit_fen,
            credit_fen,
            running,
        ) in rows
    ]
    return Journal(
        account=account,
        start=start,
        end=end,
        opening=movement.opening,
        lines=lines,
        debit=movement.debit,
        credit=movement.credit,
        closing=movement.closing,
    )


def voucher_totals(voucher: str = "pk") -> Subquery:
    """A voucher's 借方合计 in 分, to annotate a voucher list in the same query (no query per voucher).
    ``voucher`` names the outer query's voucher id (``"voucher_id"`` when annotating rows that point at one)."""
    return Subquery(
        VoucherLine.objects.filter(voucher=OuterRef(voucher))
        .values("voucher")
        .annotate(total=fen_sum("debit"))
        .values("total")[:1],
        output_field=BigIntegerField(),
    )


def postable_accounts(*, year: AccountingYear, types: list[str] | None = None) -> QuerySet[Account]:
    """The active accounts a voucher line of this year may use (leaves only: no active 明细科目 below).

    Leaves are what the treasurer posts to; a parent's figures are the sum of its 明细科目.
    """
    children = Account.objects.filter(parent=OuterRef("pk"), is_active=True).filter(
        Q(union__isnull=True) | Q(union_id=year.union_id)
    )
    accounts = year_accounts(year).filter(is_active=True).exclude(Exists(children)).select_related("parent")
    return accounts.filter(type__in=types) if types else accounts


def vouchers(
    *,
    year: AccountingYear,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    accounts: list[Account] | tuple = (),
    min_amount: Decimal | None = None,
    max_amount: Decimal | None = None,
    text: str = "",
) -> QuerySet[Voucher]:
    """The year's posted vouchers in 凭证号 order, filtered, each annotated with ``total_fen`` (借方合计, 分)
    and ``scan_count`` (attached scans) in the same query; lines and their accounts come in one more.

    Each of ``accounts`` must be matched by a line of the voucher on that account or one of its 明细科目.
    """
    scans = (
        Attachment.objects.filter(voucher=OuterRef("pk"))
        .values("voucher")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    result = (
        Voucher.objects.filter(year=year, state=Voucher.State.POSTED)
        .annotate(
            total_fen=Coalesce(voucher_totals(), Value(0), output_field=BigIntegerField()),
            scan_count=Coalesce(Subquery(scans, output_field=BigIntegerField()), Value(0)),
        )
        .select_related("year", "reverses", "reversed_by")
        .prefetch_related(
            Prefetch("lines", queryset=VoucherLine.objects.select_related("account").order_by("position"))
        )
        .order_by("number")
    )
    if start:
        result = result.filter(date__gte=start)
    if end:
        result = result.filter(date__lte=end)
    for account in accounts:
        result = result.filter(
            Exists(VoucherLine.objects.filter(voucher=OuterRef("pk"), account__code__startswith=account.code))
        )
    if min_amount is not None:
        result = result.filter(total_fen__gte=int(min_amount * 100))
    if max_amount is not None:
        result = result.filter(total_fen__lte=int(max_amount * 100))
    if text:
        result = result.filter(Q(summary__icontains=text) | Q(counterparty__icontains=text))
    return result


class JournalRow(NamedTuple):
    """One posted voucher line of the year, as the 明细账 sheet of the workbook prints it."""

    date: datetime.date
    number: int
    kind: str
    summary: str
    memo: str
    code: str
    name: str
    debit: Decimal
    credit: Decimal

    @property
    def voucher_no(self) -> str:
        return voucher_no(self.number)

    @property
    def kind_label(self) -> str:
        return Voucher.Kind(self.kind).label


def journal_rows(year: AccountingYear, *, chunk_size: int = 2000) -> Iterator[JournalRow]:
    """Every posted line of the year in date and voucher order, streamed from the database (one query)."""
    rows = (
        posted_lines(year)
        .annotate(debit_fen=fen("debit"), credit_fen=fen("credit"))
        .order_by("voucher__date", "voucher__number", "position")
        .values_list(
            "voucher__date",
            "voucher__number",
            "voucher__kind",
            "voucher__summary",
            "memo",
            "account__code",
            "account__name",
            "debit_fen",
            "credit_fen",
        )
    )
    for date, number, kind, summary, memo, code, name, debit, credit in rows.iterator(chunk_size=chunk_size):
        yield JournalRow(
            date, number, kind, summary, memo, code, name, fen_to_decimal(debit), fen_to_decimal(credit)
        )


def books_state(year: AccountingYear) -> dict:
    """What a figure of this year depends on in the books of this year and the previous one. Two queries.

    Posted vouchers are never changed or deleted (the database refuses it): any change to the books is a
    new posted voucher, so the count and highest id of posted vouchers, with the years' closed flags, tell
    whether a cached report is still right.
    """
    vouchers = Voucher.objects.filter(
        year__union_id=year.union_id, year__year__in=(year.year - 1, year.year), state=Voucher.State.POSTED
    ).aggregate(count=Count("id"), last=Max("id"))
    years = sorted(
        AccountingYear.objects.filter(
            union_id=year.union_id, year__in=(year.year - 1, year.year)
        ).values_list("year", "is_closed", "chart_id")
    )
    return {"vouchers": [vouchers["count"], vouchers["last"]], "years": years}


def with_totals(found) -> list[Voucher]:
    """Vouchers from ``vouchers()`` as a list, each with its 借方合计 as ``total`` (元)."""
    rows = list(found)
    for voucher in rows:
        voucher.total = fen_to_decimal(voucher.total_fen)
    return rows


@dataclass(frozen=True)
class VoucherLines:
    """A voucher's lines in order, with its 借方合计 and 贷方合计."""

    lines: list[VoucherLine]
    debit: Decimal
    credit: Decimal


def voucher_lines(voucher: Voucher) -> VoucherLines:
    """One query."""
    lines = list(voucher.lines.select_related("account__parent").order_by("position"))
    return VoucherLines(
        lines=lines,
        debit=sum((line.debit.amount for line in lines), ZERO),
        credit=sum((line.credit.amount for line in lines), ZERO),
    )


def sub_account_suggestions(year: AccountingYear, parents: list[Account]) -> list[tuple[Account, str]]:
    """The chart's common 明细科目 (from its data file) that the union has not added yet, with their parents."""
    by_code = {account.code: account for account in parents}
    taken = {(account.parent_id, account.name) for account in parents}
    return [
        (by_code[code], name)
        for code, name in facts(year.chart.code).suggested_sub_accounts
        if code in by_code and (by_code[code].pk, name) not in taken
    ]


def scans(year: AccountingYear) -> QuerySet[Attachment]:
    """The scans attached to the year's vouchers (a scan is looked up only within its year)."""
    return Attachment.objects.filter(voucher__year=year)


def voucher_in(year: AccountingYear) -> QuerySet[Voucher]:
    """The year's vouchers, with what a voucher's page shows of its people and its reversal."""
    return Voucher.objects.select_related(
        "year", "prepared_by", "posted_by", "reverses__year", "reversed_by__year"
    ).filter(year=year)
