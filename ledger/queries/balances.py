"""Reads that aggregate the books. Each is a fixed number of queries, however many vouchers there are.

Sums are taken over integer 分 (``ROUND(amount * 100)`` cast to a big integer), because SQLite keeps a
DECIMAL column as a floating-point REAL and its SUM can drift by a cent over many rows; integer sums are
exact on SQLite and PostgreSQL alike. Only posted vouchers count.

Balances and the 科目余额表 read the per-account-per-day totals (``DayTotal``) the database keeps as vouchers are
posted (migration 0018): integer 分 already, posted only, at most 366 rows an account a year, so their cost does
not grow with the number of vouchers.

Balances live inside one accounting year: the year's opening voucher (期初余额) carries what came before.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BigIntegerField, F, Func, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from ledger.charts import facts_for
from ledger.models import Account, AccountingYear, Chart, DayTotal, Voucher, VoucherLine
from ledger.money import ZERO, fen_to_decimal


class _Fen(Func):
    """``CAST(ROUND(x * 100) AS bigint)``: SQLite keeps DECIMAL as a REAL, so round to whole 分 before the cast.
    PostgreSQL's NUMERIC is exact, so there the cast alone (no ROUND to compute per row)."""

    template = "CAST(ROUND(%(expressions)s * 100) AS bigint)"
    output_field = BigIntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(%(expressions)s * 100)::bigint", **extra_context)


def fen(field: str) -> Func:
    """The integer 分 of a money column, exact on both databases."""
    return _Fen(F(field))


def fen_sum(field: str, condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum(fen(field), filter=condition), Value(0), output_field=BigIntegerField())


def posted_lines(year: AccountingYear) -> QuerySet[VoucherLine]:
    return VoucherLine.objects.filter(voucher__year=year, voucher__state=Voucher.State.POSTED)


def _period(
    start: datetime.date | None,
    end: datetime.date | None,
    include_closing: bool,
    *,
    opening: Q,
    closing: Q,
    date: str,
) -> tuple[Q, Q]:
    before = opening | Q(**{f"{date}__lt": start}) if start else opening
    inside = ~opening
    if start:
        inside &= Q(**{f"{date}__gte": start})
    if end:
        inside &= Q(**{f"{date}__lte": end})
        before &= Q(**{f"{date}__lte": end})
    if not include_closing:
        inside &= ~closing
    return before, inside


def period(start: datetime.date | None, end: datetime.date | None, include_closing: bool) -> tuple[Q, Q]:
    """(before the period, inside it), for voucher lines. The opening voucher always counts as before the period.

    A reversal takes the part of what it reverses: reopening a year reverses its closing voucher and the
    next year's opening voucher, and those reversals belong to closing and opening too.
    """
    return _period(
        start,
        end,
        include_closing,
        opening=Q(voucher__kind=Voucher.Kind.OPENING) | Q(voucher__reverses__kind=Voucher.Kind.OPENING),
        closing=Q(voucher__kind=Voucher.Kind.CLOSING) | Q(voucher__reverses__kind=Voucher.Kind.CLOSING),
        date="voucher__date",
    )


def day_period(start: datetime.date | None, end: datetime.date | None, include_closing: bool) -> tuple[Q, Q]:
    """``period`` for the per-day totals, whose ``part`` already says opening (the opening voucher and its
    reversals) or closing (the closing voucher and its reversals), as the database wrote it (migration 0018)."""
    return _period(
        start,
        end,
        include_closing,
        opening=Q(part=DayTotal.Part.OPENING),
        closing=Q(part=DayTotal.Part.CLOSING),
        date="date",
    )


def day_totals(year: AccountingYear) -> QuerySet[DayTotal]:
    """The year's per-account-per-day totals of posted lines (at most 366 rows an account)."""
    return DayTotal.objects.filter(year=year)


def subtree(year: AccountingYear, account: Account) -> QuerySet[Account]:
    """The ids of ``account`` and its 明细科目 in the year, as a subquery. Sums over a subtree name its accounts
    by id: PostgreSQL estimates ``account_id IN (…)`` from the column's statistics, where a ``code LIKE`` on the
    joined account was guessed at a fiftieth of the rows (and planned as an index probe per row)."""
    return year_accounts(year).filter(code__startswith=account.code).values("pk")


def day_sum(field: str, condition: Q | None = None) -> Coalesce:
    """The sum of a column of the per-day totals (分, or ``line_count``); integers already, exact on both databases."""
    return Coalesce(Sum(field, filter=condition), Value(0), output_field=BigIntegerField())


@dataclass(frozen=True)
class Movement:
    """An account's figures over a period, each on the account's normal side (资产、支出 借; others 贷)."""

    opening: Decimal
    debit: Decimal
    credit: Decimal
    closing: Decimal


def _normal(debit_positive: Decimal, debit_normal: bool) -> Decimal:
    return debit_positive if debit_normal else -debit_positive


def account_movement(
    *,
    year: AccountingYear,
    account: Account,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    include_closing: bool = True,
) -> Movement:
    """Opening, debit, credit and closing of ``account`` and all its 明细科目 between ``start`` and ``end``."""
    before, inside = day_period(start, end, include_closing)
    totals = (
        day_totals(year)
        .filter(account_id__in=subtree(year, account))
        .aggregate(
            before_debit=day_sum("debit_fen", before),
            before_credit=day_sum("credit_fen", before),
            debit=day_sum("debit_fen", inside),
            credit=day_sum("credit_fen", inside),
        )
    )
    opening = fen_to_decimal(totals["before_debit"] - totals["before_credit"])
    debit, credit = fen_to_decimal(totals["debit"]), fen_to_decimal(totals["credit"])
    closing = opening + debit - credit
    return Movement(
        opening=_normal(opening, account.debit_normal),
        debit=debit,
        credit=credit,
        closing=_normal(closing, account.debit_normal),
    )


def leaf_sums(
    year: AccountingYear,
    start: datetime.date | None,
    end: datetime.date | None,
    *,
    include_closing: bool = True,
    year_to_date: bool = False,
) -> dict[int, dict[str, int]]:
    """Per account with posted lines in the year, its own sums in 分 from the per-day totals (one query):
    ``before_debit`` / ``before_credit`` (期初: before ``start``, the opening voucher included), ``sum_debit`` /
    ``sum_credit`` (本期), and with ``year_to_date`` ``ytd_debit`` / ``ytd_credit`` (本年累计 to ``end``: the
    year's own vouchers, not the opening)."""
    before, inside = day_period(start, end, include_closing)
    sums = {
        "before_debit": day_sum("debit_fen", before),
        "before_credit": day_sum("credit_fen", before),
        "sum_debit": day_sum("debit_fen", inside),
        "sum_credit": day_sum("credit_fen", inside),
    }
    if year_to_date:
        _, to_end = day_period(None, end, include_closing)
        sums |= {"ytd_debit": day_sum("debit_fen", to_end), "ytd_credit": day_sum("credit_fen", to_end)}
    rows = day_totals(year).values("account_id").annotate(**sums).order_by()
    return {row["account_id"]: row for row in rows}


@dataclass(frozen=True)
class LeafBalance:
    """One account's own lines (not its children's): opening and closing as 借 minus 贷."""

    account: Account
    opening_debit: Decimal
    debit: Decimal
    credit: Decimal

    @property
    def closing_debit(self) -> Decimal:
        return self.opening_debit + self.debit - self.credit


def leaf_balances(
    *,
    year: AccountingYear,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    include_closing: bool = True,
) -> list[LeafBalance]:
    """Every account with posted lines in the year, with its own totals. Two queries.

    Read from the per-day totals (``DayTotal``): a few rows an account a day instead of every line, already in
    integer 分 and already posted, so no join to the vouchers and no cast."""
    totals = leaf_sums(year, start, end, include_closing=include_closing)
    accounts = Account.objects.filter(pk__in=totals).select_related("parent").order_by("code")
    return [
        LeafBalance(
            account=account,
            opening_debit=fen_to_decimal(
                totals[account.pk]["before_debit"] - totals[account.pk]["before_credit"]
            ),
            debit=fen_to_decimal(totals[account.pk]["sum_debit"]),
            credit=fen_to_decimal(totals[account.pk]["sum_credit"]),
        )
        for account in accounts
    ]


@dataclass(frozen=True)
class TrialBalanceRow:
    """A row of the 科目余额表. Opening and closing are on the account's normal side (方向)."""

    account: Account
    level: int
    opening: Decimal
    debit: Decimal
    credit: Decimal
    closing: Decimal

    @property
    def direction(self) -> str:
        return self.closing_balance.direction

    @property
    def opening_balance(self) -> "Balance":
        """期初余额 as a direction and a positive amount."""
        return directed(on_debit_side(self.opening, self.account))

    @property
    def closing_balance(self) -> "Balance":
        """期末余额 as a direction and a positive amount (应付上级经费 overpaid: 借 2,000.00)."""
        return directed(on_debit_side(self.closing, self.account))

    @property
    def is_zero(self) -> bool:
        return not (self.opening or self.debit or self.credit or self.closing)


def chart_choices() -> list[tuple[str, str]]:
    """Every chart a year may be kept on, as (code, name) in the order they came into force. One query."""
    return [
        (code, f"{name}（{start:%Y年%-m月%-d日}起施行）")
        for code, name, start in Chart.objects.order_by("effective_from", "code").values_list(
            "code", "name", "effective_from"
        )
    ]


def year_accounts(year: AccountingYear) -> QuerySet[Account]:
    """The accounts a year may use: its chart's and the union's own 明细科目."""
    return (
        Account.objects.filter(chart_id=year.chart_id)
        .filter(Q(union__isnull=True) | Q(union_id=year.union_id))
        .order_by("code")
    )


def trial_balance(
    *,
    year: AccountingYear,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    include_closing: bool = True,
    include_zero: bool = False,
) -> list[TrialBalanceRow]:
    """The 科目余额表: every account, its figures including all its 明细科目. Three queries."""
    leaves = leaf_balances(year=year, start=start, end=end, include_closing=include_closing)
    return rows_of(year, leaves, include_zero=include_zero)


def rows_of(
    year: AccountingYear, leaves: list[LeafBalance], *, include_zero: bool = False
) -> list[TrialBalanceRow]:
    """The 科目余额表's rows from the accounts' own totals. One query (the year's accounts)."""
    chart = facts_for(year.chart)
    rows = []
    for account in year_accounts(year):
        mine = [leaf for leaf in leaves if leaf.account.code.startswith(account.code)]
        opening = sum((leaf.opening_debit for leaf in mine), ZERO)
        debit = sum((leaf.debit for leaf in mine), ZERO)
        credit = sum((leaf.credit for leaf in mine), ZERO)
        level = chart.level(account.code)
        row = TrialBalanceRow(
            account=account,
            level=level,
            opening=_normal(opening, account.debit_normal),
            debit=debit,
            credit=credit,
            closing=_normal(opening + debit - credit, account.debit_normal),
        )
        if include_zero or not row.is_zero:
            rows.append(row)
    return rows


@dataclass(frozen=True)
class TrialBalanceTotals:
    """Totals over first-level accounts, as 借 and 贷 columns; a balanced book has equal pairs."""

    opening_debit: Decimal
    opening_credit: Decimal
    debit: Decimal
    credit: Decimal
    closing_debit: Decimal
    closing_credit: Decimal

    @property
    def balanced(self) -> bool:
        return (
            self.opening_debit == self.opening_credit
            and self.debit == self.credit
            and self.closing_debit == self.closing_credit
        )


def trial_balance_totals(rows: list[TrialBalanceRow]) -> TrialBalanceTotals:
    top = [row for row in rows if row.level == 1]

    def side(value_of, debit_side: bool) -> Decimal:
        total = ZERO
        for row in top:
            signed = value_of(row) if row.account.debit_normal else -value_of(row)  # 借 minus 贷
            if (signed > 0) == debit_side:
                total += abs(signed)
        return total

    return TrialBalanceTotals(
        opening_debit=side(lambda r: r.opening, True),
        opening_credit=side(lambda r: r.opening, False),
        debit=sum((row.debit for row in top), ZERO),
        credit=sum((row.credit for row in top), ZERO),
        closing_debit=side(lambda r: r.closing, True),
        closing_credit=side(lambda r: r.closing, False),
    )


@dataclass(frozen=True)
class Balance:
    """A balance as the books print it: a direction (借/贷/平) and an amount that is never negative."""

    direction: str
    amount: Decimal

    @property
    def signed(self) -> Decimal:
        """借 minus 贷: positive on the 借 side."""
        return -self.amount if self.direction == "贷" else self.amount


def directed(debit_minus_credit: Decimal) -> Balance:
    """The side a balance lies on, from 借 minus 贷: a liability overpaid is 借 2,000.00, never 贷 −2,000.00."""
    if debit_minus_credit > 0:
        return Balance("借", debit_minus_credit)
    if debit_minus_credit < 0:
        return Balance("贷", -debit_minus_credit)
    return Balance("平", ZERO)


def on_debit_side(normal_side_amount: Decimal, account: Account) -> Decimal:
    """An amount on the account's normal side, as 借 minus 贷."""
    return _normal(normal_side_amount, account.debit_normal)
