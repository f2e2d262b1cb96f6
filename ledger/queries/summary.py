"""The figures of one accounting year, computed once, and the year-end checks built on them.

``year_summary(year)`` is the only place that says what a year's opening, income, spending and closing
are. The home page, the 结账 checks and the 财务工作报告 all read it; none computes a figure of its own.
It is three queries (the trial balance), however many vouchers the year has.

The two openings have two names, so that a reader never takes one for the other:
- 年初经费余额 (``opening_funds``): net assets (结余 and the other 净资产 accounts) at the start of the year,
  less the 资产基金 (2009: 固定基金, 在建工程占用资金, 投资基金) that stands against fixed assets and
  investments: buying a fixed asset (资本性支出 with its 资产基金 counter-entry) spends 经费 without changing
  net assets, so those accounts are not money the union has (the chart's ``asset_fund_codes``);
- 年初现金和银行存款 (``cash_and_bank_opening``): 库存现金 plus 银行存款 at the start of the year.
年末经费余额 (``closing_funds``) is net assets at the end plus this year's income less spending not yet closed
into them; it equals cash plus bank when the union has no other assets or liabilities.

Income and spending are taken before the year-end 结转 voucher, so a closed year still shows what it took in
and spent. The opening voucher, the closing voucher and their reversals by 反结账 are placed by
``balances.period`` (one rule for all of them).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, CharField, Q, Value, When

from ledger import hooks
from ledger.charts import facts_for
from ledger.models import AccountingYear, AccountType, DayTotal, Voucher
from ledger.money import ZERO, fen_to_decimal
from ledger.queries.balances import (
    LeafBalance,
    TrialBalanceRow,
    TrialBalanceTotals,
    day_sum,
    leaf_balances,
    rows_of,
    trial_balance_totals,
)

# The words for each figure, used by every page, printout and check that names it.
OPENING_FUNDS = "年初经费余额"
CLOSING_FUNDS = "年末经费余额"
INCOME = "本年收入"
EXPENSE = "本年支出"
CASH_AND_BANK = "库存现金＋银行存款"
CASH_AND_BANK_OPENING = "年初现金和银行存款"


@dataclass(frozen=True)
class CategoryTotal:
    """What one income or spending account (as posted to, not its 明细) took in or paid out over the year."""

    account_id: int
    code: str
    name: str
    parent_name: str
    amount: Decimal

    @property
    def label(self) -> str:
        return f"{self.parent_name} › {self.name}" if self.parent_name else self.name


@dataclass(frozen=True)
class YearSummary:
    """One accounting year's figures, from its trial balance before the year-end 结转."""

    year: AccountingYear
    rows: tuple[TrialBalanceRow, ...]  # the 科目余额表 before 结转 (accounts with any figure)
    totals: TrialBalanceTotals
    leaves: tuple[LeafBalance, ...]  # each account's own lines

    # --- first-level accounts: code → amount on the account's normal side ---------------------------------

    @property
    def closing_by_code(self) -> dict[str, Decimal]:
        return {row.account.code: row.closing for row in self.rows if row.level == 1}

    @property
    def opening_by_code(self) -> dict[str, Decimal]:
        return {row.account.code: row.opening for row in self.rows if row.level == 1}

    def _top(self, account_type: str, figure: str) -> Decimal:
        return sum(
            (
                getattr(row, figure)
                for row in self.rows
                if row.level == 1 and row.account.type == account_type
            ),
            ZERO,
        )

    # --- the year's figures -------------------------------------------------------------------------------

    def _funds(self, figure: str) -> Decimal:
        held = facts_for(self.year.chart).asset_fund_codes
        return sum(
            (
                getattr(row, figure)
                for row in self.rows
                if row.level == 1
                and row.account.type == AccountType.NET_ASSETS
                and row.account.code not in held
            ),
            ZERO,
        )

    @property
    def opening_funds(self) -> Decimal:
        """年初经费余额."""
        return self._funds("opening")

    @property
    def income(self) -> Decimal:
        """本年收入."""
        return self._top(AccountType.INCOME, "closing")

    @property
    def expense(self) -> Decimal:
        """本年支出."""
        return self._top(AccountType.EXPENSE, "closing")

    @property
    def surplus(self) -> Decimal:
        return self.income - self.expense

    @property
    def closing_funds(self) -> Decimal:
        """年末经费余额."""
        return self._funds("closing") + self.surplus

    @property
    def cash_opening(self) -> Decimal:
        return self.opening_by_code.get(self.year.chart.cash_code, ZERO)

    @property
    def bank_opening(self) -> Decimal:
        return self.opening_by_code.get(self.year.chart.bank_code, ZERO)

    @property
    def cash(self) -> Decimal:
        return self.closing_by_code.get(self.year.chart.cash_code, ZERO)

    @property
    def bank(self) -> Decimal:
        return self.closing_by_code.get(self.year.chart.bank_code, ZERO)

    @property
    def cash_and_bank_opening(self) -> Decimal:
        """年初现金和银行存款."""
        return self.cash_opening + self.bank_opening

    @property
    def cash_and_bank(self) -> Decimal:
        return self.cash + self.bank

    @property
    def remittance_upper(self) -> Decimal:
        """上缴上级经费: debits to 应付上级经费 during the year (settling a liability, never spending)."""
        code = self.year.chart.payable_upper_code
        return next((row.debit for row in self.rows if code and row.account.code == code), ZERO)

    @property
    def may_enter_opening(self) -> bool:
        """期初余额 may still be entered: no balance came into the year (the first year kept here)."""
        return not any(leaf.opening_debit for leaf in self.leaves)

    def categories(self, account_type: str) -> list[CategoryTotal]:
        """Income (``"income"``) or spending (``"expense"``) by the account posted to, in code order."""
        result = []
        for leaf in self.leaves:
            if leaf.account.type != account_type:
                continue
            net = leaf.debit - leaf.credit
            amount = net if account_type == AccountType.EXPENSE else -net
            if amount:
                parent = leaf.account.parent
                result.append(
                    CategoryTotal(
                        account_id=leaf.account.pk,
                        code=leaf.account.code,
                        name=leaf.account.name,
                        parent_name=parent.name if parent is not None else "",
                        amount=amount,
                    )
                )
        return result


def year_summary(year: AccountingYear) -> YearSummary:
    """The year's figures. Three queries (``year`` should come with its chart)."""
    leaves = leaf_balances(year=year, include_closing=False)
    rows = rows_of(year, leaves)
    return YearSummary(year=year, rows=tuple(rows), totals=trial_balance_totals(rows), leaves=tuple(leaves))


def previous_year(year: AccountingYear) -> AccountingYear | None:
    """The union's year before ``year``, if it is in the books. One query."""
    return (
        AccountingYear.objects.select_related("union", "chart")
        .filter(union_id=year.union_id, year=year.year - 1)
        .first()
    )


# --- the year-end checks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Two figures that must be equal, with what they are."""

    left_label: str
    left: Decimal
    right_label: str
    right: Decimal
    count: bool = False  # whole numbers of things (e.g. open 疑点), not money

    @property
    def equal(self) -> bool:
        return self.left == self.right

    @property
    def difference(self) -> Decimal:
        return self.left - self.right

    def __str__(self) -> str:
        return f"{self.left_label} {self.left}，{self.right_label} {self.right}"


@dataclass(frozen=True)
class Check:
    """One year-end check, as the 结账 page, the auditor's statements and the report show it.

    It passes when every comparison is equal; with none it does not apply (``ok`` is None). Closing the
    year is refused while a ``required`` check fails; the others are hints.
    """

    title: str
    comparisons: tuple[Comparison, ...]
    note: str = ""
    required: bool = True

    @property
    def ok(self) -> bool | None:
        if not self.comparisons:
            return None
        return all(comparison.equal for comparison in self.comparisons)

    @property
    def detail(self) -> str:
        return "；".join(str(comparison) for comparison in self.comparisons) or self.note


def year_end_checks(current: YearSummary, previous: YearSummary | None) -> tuple[Check, ...]:
    """The checks of a year, from its figures and the previous year's (None: not in the books)."""
    totals = current.totals
    return (
        Check(
            "科目余额表试算平衡",
            (
                Comparison(
                    "期初借方余额合计", totals.opening_debit, "期初贷方余额合计", totals.opening_credit
                ),
                Comparison("本期借方发生额合计", totals.debit, "本期贷方发生额合计", totals.credit),
                Comparison(
                    "期末借方余额合计", totals.closing_debit, "期末贷方余额合计", totals.closing_credit
                ),
            ),
        ),
        Check(
            f"{CASH_AND_BANK}＝{CLOSING_FUNDS}",
            (Comparison(CASH_AND_BANK, current.cash_and_bank, CLOSING_FUNDS, current.closing_funds),),
            note="有其他资产或负债（如借出款、应付上级经费）时两者可以不等，差额应能由这些科目说明。",
            required=False,
        ),
        Check(
            f"{CLOSING_FUNDS}＝{OPENING_FUNDS}＋{INCOME}－{EXPENSE}",
            (
                Comparison(
                    CLOSING_FUNDS,
                    current.closing_funds,
                    f"{OPENING_FUNDS}＋{INCOME}－{EXPENSE}",
                    current.opening_funds + current.income - current.expense,
                ),
            ),
        ),
        Check(
            f"上年{CLOSING_FUNDS}＝本年{OPENING_FUNDS}",
            (
                (
                    Comparison(
                        f"上年{CLOSING_FUNDS}",
                        previous.closing_funds,
                        f"本年{OPENING_FUNDS}",
                        current.opening_funds,
                    ),
                )
                if previous
                else ()
            ),
            note="" if previous else "账套中没有上一年度，不适用。",
        ),
    )


NEVER_NEGATIVE = "库存现金和银行存款在年内任何一天都不为负数"
ALL_POSTED = "本年度的凭证都已审核并记账"


def year_checks(year: AccountingYear) -> tuple[Check, ...]:
    """The checks before 结账: at most ten queries (the year's and the previous year's figures, the lowest
    end-of-day balances of cash and bank, and the vouchers still waiting, which the figures do not hold), plus
    those of the checks other apps registered (``ledger.hooks.register_check``), which come before the last two."""
    from ledger import cash_bank  # noqa: PLC0415 - cash_bank reads through ledger.queries

    before = previous_year(year)
    never_negative = Check(
        NEVER_NEGATIVE,
        tuple(
            Comparison(
                f"{name}最低日末余额{low.amount}（{low.day:%Y-%m-%d}），其中低于零",
                min(low.amount, ZERO),
                "应为",
                ZERO,
            )
            for name, low in cash_bank.year_end_lows(year=year)
        ),
    )
    waiting = Voucher.objects.filter(year=year).exclude(state=Voucher.State.POSTED).count()
    all_posted = Check(
        ALL_POSTED,
        (Comparison("未审核或未记账的凭证（张）", Decimal(waiting), "应为", Decimal(0)),),
        note="未审核、未记账的凭证不计入任何余额和报表；结账前须审核记账或删除。",
    )
    extra = hooks.extra_year_checks(year)
    current = year_summary(year)
    return (
        *year_end_checks(current, year_summary(before) if before else None),
        *extra,
        never_negative,
        all_posted,
    )


# --- the headline figures of many years at once (the 总工会's table) -------------------------------------


@dataclass(frozen=True)
class YearTotals:
    """A year's headline figures, as ``YearSummary`` defines them: 本年收入, 本年支出, 年末经费余额 and 应付上级经费."""

    income: Decimal = ZERO
    expense: Decimal = ZERO
    closing_funds: Decimal = ZERO
    owed_upward: Decimal = ZERO


def years_totals(years: list[AccountingYear]) -> dict[int, YearTotals]:
    """``YearTotals`` of each year (by id; its chart loaded), in ONE aggregate over the per-day totals however
    many years: grouped by year, account type and whether the account is a 资产基金 (not 经费) or 应付上级经费.
    The same rule as ``YearSummary``: before the year-end 结转 (the opening part and the year's own), 年末经费余额
    the net assets less the 资产基金 plus income less spending. A test holds the two together."""
    if not years:
        return {}
    held, owed = Q(pk__in=[]), Q(pk__in=[])
    for chart in {year.chart_id: year.chart for year in years}.values():
        for code in facts_for(chart).asset_fund_codes:
            held |= Q(account__chart_id=chart.pk, account__code__startswith=code)
        if chart.payable_upper_code:
            owed |= Q(account__chart_id=chart.pk, account__code__startswith=chart.payable_upper_code)
    rows = (
        DayTotal.objects.filter(year_id__in=[year.pk for year in years])
        .exclude(part=DayTotal.Part.CLOSING)
        .annotate(
            kind=Case(
                When(held, then=Value("held")),
                When(owed, then=Value("owed")),
                default=Value(""),
                output_field=CharField(),
            )
        )
        .values("year_id", "account__type", "kind")
        .annotate(debit=day_sum("debit_fen"), credit=day_sum("credit_fen"))
        .order_by()
    )
    fen: dict[int, dict[str, int]] = {year.pk: {} for year in years}
    for row in rows:
        figures = fen[row["year_id"]]
        credit_side = row["credit"] - row["debit"]
        if row["account__type"] == AccountType.INCOME:
            figures["income"] = figures.get("income", 0) + credit_side
        elif row["account__type"] == AccountType.EXPENSE:
            figures["expense"] = figures.get("expense", 0) - credit_side
        elif row["account__type"] == AccountType.NET_ASSETS and row["kind"] != "held":
            figures["funds"] = figures.get("funds", 0) + credit_side
        if row["kind"] == "owed":
            figures["owed"] = figures.get("owed", 0) + credit_side
    return {
        pk: YearTotals(
            income=fen_to_decimal(f.get("income", 0)),
            expense=fen_to_decimal(f.get("expense", 0)),
            closing_funds=fen_to_decimal(f.get("funds", 0) + f.get("income", 0) - f.get("expense", 0)),
            owed_upward=fen_to_decimal(f.get("owed", 0)),
        )
        for pk, f in fen.items()
    }
