"""The books by month: the 科目余额表 for any range of months, and the 总账 of an account month by month.

Each is a fixed number of queries over the per-day totals (integer 分, ≤ 366 rows an account a year), however
many vouchers the year holds. Balances are kept as 借 minus 贷 and shown as a direction and a positive amount
(``Balance``), or split into a 借 and a 贷 column as the 科目余额表 prints them.
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, IntegerField, Sum, Value, When
from django.db.models.functions import ExtractMonth

from ledger.charts import facts
from ledger.models import Account, AccountingYear
from ledger.money import ZERO, fen_to_decimal
from ledger.queries.balances import (
    Balance,
    day_period,
    day_totals,
    directed,
    leaf_sums,
    subtree,
    year_accounts,
)

MONTHS = range(1, 13)


def month_span(year: int, first_month: int, last_month: int) -> tuple[datetime.date, datetime.date]:
    return (
        datetime.date(year, first_month, 1),
        datetime.date(year, last_month, calendar.monthrange(year, last_month)[1]),
    )


@dataclass(frozen=True)
class RangeRow:
    """One account of the 科目余额表 over a range of months, its 明细科目 included. Balances 借 minus 贷."""

    account: Account
    level: int
    opening: Decimal  # 期初, 借 minus 贷
    debit: Decimal  # 本期
    credit: Decimal
    ytd_debit: Decimal  # 本年累计 to the range's end
    ytd_credit: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit

    @property
    def opening_debit(self) -> Decimal:
        return max(self.opening, ZERO)

    @property
    def opening_credit(self) -> Decimal:
        return max(-self.opening, ZERO)

    @property
    def closing_debit(self) -> Decimal:
        return max(self.closing, ZERO)

    @property
    def closing_credit(self) -> Decimal:
        return max(-self.closing, ZERO)

    @property
    def opening_balance(self) -> Balance:
        return directed(self.opening)

    @property
    def closing_balance(self) -> Balance:
        return directed(self.closing)

    @property
    def is_zero(self) -> bool:
        return not (self.opening or self.debit or self.credit or self.ytd_debit or self.ytd_credit)


@dataclass(frozen=True)
class RangeTotals:
    """Totals of the first-level accounts; a balanced book has equal 借 and 贷 in every pair."""

    opening_debit: Decimal
    opening_credit: Decimal
    debit: Decimal
    credit: Decimal
    ytd_debit: Decimal
    ytd_credit: Decimal
    closing_debit: Decimal
    closing_credit: Decimal

    @property
    def balanced(self) -> bool:
        return (
            self.opening_debit == self.opening_credit
            and self.debit == self.credit
            and self.ytd_debit == self.ytd_credit
            and self.closing_debit == self.closing_credit
        )


@dataclass(frozen=True)
class AccountBalances:
    """The 科目余额表 of months ``first_month``–``last_month``: first-level accounts, their 明细 beneath."""

    year: int
    first_month: int
    last_month: int
    rows: list[RangeRow]
    totals: RangeTotals

    @property
    def start(self) -> datetime.date:
        return month_span(self.year, self.first_month, self.last_month)[0]

    @property
    def end(self) -> datetime.date:
        return month_span(self.year, self.first_month, self.last_month)[1]


def account_balances(
    *, year: AccountingYear, first_month: int = 1, last_month: int = 12, include_zero: bool = False
) -> AccountBalances:
    """The 科目余额表 for a range of months: 期初余额, 本期借方/贷方, 本年累计借方/贷方, 期末余额. Two queries: each
    account's own sums from the per-day totals (``balances.leaf_sums``, ≤ 366 rows an account), the year's accounts.

    Months 1–12 give the whole-year trial balance (``trial_balance``) figure for figure.
    """
    start, end = month_span(year.year, first_month, last_month)
    leaves = leaf_sums(year, start, end, year_to_date=True)
    accounts = list(year_accounts(year))
    by_id = {account.pk: account for account in accounts}
    chart = facts(year.chart.code)
    rows = []
    for account in accounts:
        mine = [leaves[pk] for pk in leaves if pk in by_id and by_id[pk].code.startswith(account.code)]

        def total(key: str, mine=mine) -> int:
            return sum(row[key] for row in mine)

        row = RangeRow(
            account=account,
            level=chart.level(account.code),
            opening=fen_to_decimal(total("before_debit") - total("before_credit")),
            debit=fen_to_decimal(total("sum_debit")),
            credit=fen_to_decimal(total("sum_credit")),
            ytd_debit=fen_to_decimal(total("ytd_debit")),
            ytd_credit=fen_to_decimal(total("ytd_credit")),
        )
        if include_zero or not row.is_zero:
            rows.append(row)
    top = [row for row in rows if row.level == 1]

    def column(name: str) -> Decimal:
        return sum((getattr(row, name) for row in top), ZERO)

    totals = RangeTotals(
        *(
            column(name)
            for name in (
                "opening_debit",
                "opening_credit",
                "debit",
                "credit",
                "ytd_debit",
                "ytd_credit",
                "closing_debit",
                "closing_credit",
            )
        )
    )
    return AccountBalances(year.year, first_month, last_month, rows, totals)


@dataclass(frozen=True)
class LedgerMonth:
    """A month of the 总账: 本月合计 and 本年累计, with the balance at the month's end."""

    month: int
    debit: Decimal
    credit: Decimal
    ytd_debit: Decimal
    ytd_credit: Decimal
    balance: Balance


@dataclass(frozen=True)
class GeneralLedger:
    """The 总账 of an account for the year: 上年结转, then every month with movement."""

    account: Account
    year: int
    opening: Balance
    months: list[LedgerMonth]

    @property
    def closing(self) -> Balance:
        return self.months[-1].balance if self.months else self.opening


def general_ledger(*, year: AccountingYear, account: Account) -> GeneralLedger:
    """The 总账 of ``account`` (its 明细科目 included) month by month. One query over the per-day totals
    (≤ 366 rows an account), grouped by month, with 上年结转 (the opening voucher and its reversals, as
    ``day_period`` places them) as month 0."""
    opening, _ = day_period(None, None, include_closing=True)
    bucket = Case(When(opening, then=Value(0)), default=ExtractMonth("date"), output_field=IntegerField())
    rows = (
        day_totals(year)
        .filter(account_id__in=subtree(year, account))
        .annotate(bucket=bucket)
        .values("bucket")
        .annotate(debit_fen=Sum("debit_fen"), credit_fen=Sum("credit_fen"))
        .order_by("bucket")
    )
    by_month = {row["bucket"]: (row["debit_fen"], row["credit_fen"]) for row in rows}
    opening_d, opening_c = by_month.pop(0, (0, 0))
    balance = opening_d - opening_c
    ytd_debit = ytd_credit = 0
    months = []
    for month in MONTHS:
        if month not in by_month:
            continue
        debit, credit = by_month[month]
        balance += debit - credit
        ytd_debit += debit
        ytd_credit += credit
        months.append(
            LedgerMonth(
                month=month,
                debit=fen_to_decimal(debit),
                credit=fen_to_decimal(credit),
                ytd_debit=fen_to_decimal(ytd_debit),
                ytd_credit=fen_to_decimal(ytd_credit),
                balance=directed(fen_to_decimal(balance)),
            )
        )
    return GeneralLedger(
        account=account,
        year=year.year,
        opening=directed(fen_to_decimal(opening_d - opening_c)),
        months=months,
    )
