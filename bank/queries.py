"""Reads of the bank reconciliation and the cash count. Each is a fixed number of queries.

The 银行存款余额调节表 of a month (all figures at the month's last day, items counted from the start of the
year and outstanding until matched):

    银行对账单余额 + 企业已收银行未收 − 企业已付银行未付  =  银行存款日记账余额 + 银行已收企业未收 − 银行已付企业未付

An item is outstanding at the month's end when it is not matched (by a confirmed match) to an item of the
other side dated on or before that day. The opening voucher's line is a balance, not a transaction, and is
never an item. The month is reconciled when a statement reaches its last day, no proposed match waits
for confirmation and both sides agree.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, QuerySet

from bank.models import CashCount, ColumnMapping, Statement, StatementRow
from ledger import queries
from ledger.models import AccountingYear, Voucher
from ledger.money import ZERO, fen_to_decimal
from ledger.queries.summary import Check, Comparison

WINDOW_DAYS = 7  # a statement row and a book line match when their dates are at most this far apart
DECEMBER_RECONCILED = "12月银行存款余额调节表平衡"
CASH_COUNTED = "年末月份已盘点库存现金"


@dataclass(frozen=True)
class BookLine:
    """One 银行存款 line as the reconciliation sees it: money in (企业收) or out (企业付), in 分."""

    pk: int
    date: datetime.date
    voucher_id: int
    number: int
    summary: str
    income_fen: int
    expense_fen: int
    match_row_id: int | None
    match_row_date: datetime.date | None
    confirmed: bool

    @property
    def amount(self) -> Decimal:
        return fen_to_decimal(self.income_fen or self.expense_fen)

    @property
    def voucher_no(self) -> str:
        from ledger.models import voucher_no  # noqa: PLC0415

        return voucher_no(self.number)


def bank_lines(year: AccountingYear) -> list[BookLine]:
    """Every posted 银行存款 line of the year but the opening balance, in date order, with its match. One query."""
    rows = (
        queries.posted_lines(year)
        .filter(account__code__startswith=year.chart.bank_code)
        .exclude(voucher__kind=Voucher.Kind.OPENING)
        .exclude(voucher__reverses__kind=Voucher.Kind.OPENING)
        .annotate(debit_fen=queries.fen("debit"), credit_fen=queries.fen("credit"))
        .order_by("voucher__date", "voucher__number", "position")
        .values_list(
            "pk",
            "voucher__date",
            "voucher_id",
            "voucher__number",
            "voucher__summary",
            "debit_fen",
            "credit_fen",
            "bank_match__row_id",
            "bank_match__row__date",
            "bank_match__confirmed",
        )
    )
    return [
        BookLine(pk, date, voucher_id, number, summary, debit, credit, row_id, row_date, bool(confirmed))
        for pk, date, voucher_id, number, summary, debit, credit, row_id, row_date, confirmed in rows
    ]


def statement_rows(year: AccountingYear) -> QuerySet[StatementRow]:
    """The rows of the year's statements in date order, with their match and its line's voucher."""
    return (
        StatementRow.objects.filter(statement__year=year)
        .select_related("statement", "match__line__voucher")
        .order_by("date", "statement_id", "position")
    )


def statements(year: AccountingYear) -> QuerySet[Statement]:
    return Statement.objects.filter(year=year).select_related("uploaded_by").order_by("uploaded_at", "id")


def mappings(union) -> QuerySet[ColumnMapping]:
    return ColumnMapping.objects.filter(union=union).order_by("-updated_at")


def has_bank_lines(year: AccountingYear) -> bool:
    return queries.posted_lines(year).filter(account__code__startswith=year.chart.bank_code).exists()


def candidates(
    row: StatementRow, lines: list[BookLine], *, window: int | None = WINDOW_DAYS
) -> list[BookLine]:
    """The unmatched lines on the row's side with its amount (and, with a window, a date near it)."""
    found = []
    for line in lines:
        if line.match_row_id is not None:
            continue
        if (row.income_fen, row.expense_fen) != (line.income_fen, line.expense_fen):
            continue
        if window is not None and abs((line.date - row.date).days) > window:
            continue
        found.append(line)
    return found


def month_end(year: AccountingYear, month: int) -> datetime.date:
    return datetime.date(year.year, month, calendar.monthrange(year.year, month)[1])


@dataclass(frozen=True)
class Item:
    date: datetime.date
    summary: str
    amount: Decimal
    ref: str  # 凭证号 for a book item, 对账单 row for a bank item


@dataclass(frozen=True)
class Reconciliation:
    """银行存款余额调节表 of one month."""

    year: AccountingYear
    month: int
    end: datetime.date
    bank_balance: Decimal | None  # None: no statement row on or before the day
    covered: bool  # a statement reaches the month's last day
    book_balance: Decimal
    book_in: tuple[Item, ...]  # 企业已收银行未收
    book_out: tuple[Item, ...]  # 企业已付银行未付
    bank_in: tuple[Item, ...]  # 银行已收企业未收
    bank_out: tuple[Item, ...]  # 银行已付企业未付
    unconfirmed: int  # matches the app proposed that wait for the treasurer

    @staticmethod
    def _sum(items: tuple[Item, ...]) -> Decimal:
        return sum((item.amount for item in items), ZERO)

    @property
    def book_in_total(self) -> Decimal:
        return self._sum(self.book_in)

    @property
    def book_out_total(self) -> Decimal:
        return self._sum(self.book_out)

    @property
    def bank_in_total(self) -> Decimal:
        return self._sum(self.bank_in)

    @property
    def bank_out_total(self) -> Decimal:
        return self._sum(self.bank_out)

    @property
    def adjusted_bank(self) -> Decimal | None:
        if self.bank_balance is None:
            return None
        return self.bank_balance + self.book_in_total - self.book_out_total

    @property
    def adjusted_book(self) -> Decimal:
        return self.book_balance + self.bank_in_total - self.bank_out_total

    @property
    def difference(self) -> Decimal | None:
        return None if self.adjusted_bank is None else self.adjusted_bank - self.adjusted_book

    @property
    def reconciled(self) -> bool:
        """Both sides agree, a statement reaches the day, and no proposed match waits for the treasurer (the
        arithmetic alone would hold with nothing matched, every item listed on both sides)."""
        return (
            self.covered
            and self.unconfirmed == 0
            and self.adjusted_bank is not None
            and self.adjusted_bank == self.adjusted_book
        )


def reconciliation(year: AccountingYear, month: int) -> Reconciliation:
    """The month's 调节表. Five queries (rows, coverage, bank lines, the bank account, its balance)."""
    end = month_end(year, month)
    rows = list(
        StatementRow.objects.filter(statement__year=year, date__lte=end)
        .order_by("date", "statement__uploaded_at", "statement_id", "position")
        .annotate(match_line_date=F("match__line__voucher__date"), match_confirmed=F("match__confirmed"))
    )
    covered = Statement.objects.filter(year=year, period_end__gte=end).exists()
    lines = [line for line in bank_lines(year) if line.date <= end]
    bank = queries.year_accounts(year).get(code=year.chart.bank_code)
    book_balance = queries.account_movement(year=year, account=bank, end=end).closing

    def line_open(line: BookLine) -> bool:
        return not (line.confirmed and line.match_row_date is not None and line.match_row_date <= end)

    def row_open(row: StatementRow) -> bool:
        return not (row.match_confirmed and row.match_line_date is not None and row.match_line_date <= end)

    def book_item(line: BookLine) -> Item:
        return Item(line.date, line.summary, line.amount, f"{line.date.month}月{line.voucher_no}")

    def bank_item(row: StatementRow, fen: int) -> Item:
        return Item(
            row.date, row.summary or row.counterparty, fen_to_decimal(fen), f"对账单第{row.position}行"
        )

    return Reconciliation(
        year=year,
        month=month,
        end=end,
        bank_balance=fen_to_decimal(rows[-1].balance_fen) if rows else None,
        covered=covered,
        book_balance=book_balance,
        book_in=tuple(book_item(line) for line in lines if line.income_fen and line_open(line)),
        book_out=tuple(book_item(line) for line in lines if line.expense_fen and line_open(line)),
        bank_in=tuple(bank_item(row, row.income_fen) for row in rows if row.income_fen and row_open(row)),
        bank_out=tuple(bank_item(row, row.expense_fen) for row in rows if row.expense_fen and row_open(row)),
        unconfirmed=sum(1 for row in rows if row.match_confirmed is False),
    )


# --- the cash count ------------------------------------------------------------------------------------


def cash_balance(year: AccountingYear, date: datetime.date) -> Decimal:
    """The cash journal's balance at the end of ``date``. Two queries."""
    cash = queries.year_accounts(year).get(code=year.chart.cash_code)
    return queries.account_movement(year=year, account=cash, end=date).closing


def cash_counts(year: AccountingYear) -> QuerySet[CashCount]:
    return (
        CashCount.objects.filter(year=year)
        .select_related("counted_by", "year__union")
        .order_by("-date", "-id")
    )


def cash_count_in(year: AccountingYear, pk: int) -> CashCount | None:
    return cash_counts(year).filter(pk=pk).first()


# --- the year-end checks -------------------------------------------------------------------------------


def year_end_checks(year: AccountingYear) -> tuple[Check, ...]:
    """December reconciled, and the cash counted in December: both required for 结账, each skipped (does not
    apply) when the year has no lines on that account (a union without a bank account, or without cash)."""
    checks = []
    if has_bank_lines(year):
        december = reconciliation(year, 12)
        if december.adjusted_bank is None or not december.covered:
            comparisons = (
                Comparison("已上传截至12月31日的银行对账单", Decimal(0), "应为", Decimal(1), count=True),
            )
        else:
            comparisons = (
                Comparison(
                    "调节后银行对账单余额",
                    december.adjusted_bank,
                    "调节后银行存款日记账余额",
                    december.adjusted_book,
                ),
                Comparison(
                    "待确认的自动匹配（笔）", Decimal(december.unconfirmed), "应为", Decimal(0), count=True
                ),
            )
        checks.append(Check(DECEMBER_RECONCILED, comparisons))
    else:
        checks.append(Check(DECEMBER_RECONCILED, (), note="本年度没有银行存款收付，不适用。"))
    has_cash = queries.posted_lines(year).filter(account__code__startswith=year.chart.cash_code).exists()
    if has_cash:
        counted = CashCount.objects.filter(year=year, date__month=12).count()
        checks.append(
            Check(
                CASH_COUNTED,
                (
                    Comparison(
                        "12月的现金盘点（次）", Decimal(min(counted, 1)), "应为", Decimal(1), count=True
                    ),
                ),
            )
        )
    else:
        checks.append(Check(CASH_COUNTED, (), note="本年度没有现金收付，不适用。"))
    return tuple(checks)


# --- names in the audit trail (registered by ``bank.apps``) ----------------------------------------------


def statement_names(ids: set[str]) -> dict[str, str]:
    rows = Statement.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()]).values_list(
        "pk", "file_name"
    )
    return {str(pk): f"对账单 {name}" for pk, name in rows}


def cash_count_names(ids: set[str]) -> dict[str, str]:
    rows = CashCount.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()]).values_list("pk", "date")
    return {str(pk): f"{date.year}年{date.month}月{date.day}日现金盘点" for pk, date in rows}
