"""The statements the auditor reviews, laid out as the 2021 工会会计制度 lays them out.

Which first-level accounts fill each statement line is a fact of the books' chart and lives in its data
file (``ledger/charts/*.json``, ``"statements"``, read through ``ledger.charts.facts``); where the form has
a line with no account of the chart the line shows no figure. The pages and the workbook print the chart's
``note`` under the tables. This module only lays the figures out.
"""

from dataclasses import dataclass
from decimal import Decimal

from ledger.charts import ChartFacts
from ledger.money import ZERO


@dataclass(frozen=True)
class StatementRow:
    """A line of a statement: ``current`` is 本年累计数 or 期末数, ``previous`` is 上年数 or 年初数.

    A line the books cannot fill (no 2009 account) has ``None`` figures and prints as a dash.
    """

    number: int
    label: str
    codes: tuple[str, ...]
    current: Decimal | None
    previous: Decimal | None


@dataclass(frozen=True)
class StatementSection:
    title: str
    total_label: str
    rows: tuple[StatementRow, ...]

    @property
    def total_number(self) -> int:
        """The 行次 of the section's total: the line after its last line."""
        return self.rows[-1].number + 1

    @property
    def total_current(self) -> Decimal:
        return sum((row.current for row in self.rows if row.current is not None), ZERO)

    @property
    def total_previous(self) -> Decimal:
        return sum((row.previous for row in self.rows if row.previous is not None), ZERO)


@dataclass(frozen=True)
class IncomeStatement:
    """收入支出表: 本年累计数, and 上年数 when the previous year is in the books."""

    income: StatementSection
    expense: StatementSection
    has_previous: bool

    @property
    def surplus_number(self) -> int:
        return self.expense.total_number + 1

    @property
    def surplus(self) -> Decimal:
        return self.income.total_current - self.expense.total_current

    @property
    def surplus_previous(self) -> Decimal:
        return self.income.total_previous - self.expense.total_previous


@dataclass(frozen=True)
class BalanceSheet:
    """资产负债表: 年初数 (``previous``) and 期末数 (``current``) of every line."""

    assets: StatementSection
    liabilities: StatementSection
    net_assets: StatementSection

    @property
    def total_number(self) -> int:
        """The 行次 of 负债和净资产合计."""
        return self.net_assets.total_number + 1

    @property
    def liabilities_and_net_assets(self) -> Decimal:
        return self.liabilities.total_current + self.net_assets.total_current

    @property
    def liabilities_and_net_assets_opening(self) -> Decimal:
        return self.liabilities.total_previous + self.net_assets.total_previous

    @property
    def balanced(self) -> bool:
        return (
            self.assets.total_current == self.liabilities_and_net_assets
            and self.assets.total_previous == self.liabilities_and_net_assets_opening
        )


def _section(title, total_label, specs, current, previous, start=1) -> StatementSection:
    """``current`` / ``previous``: code → amount on the account's normal side (None: column not shown)."""
    rows = []
    for offset, spec in enumerate(specs):
        if spec.codes:
            now = sum((current.get(code, ZERO) for code in spec.codes), ZERO)
            before = (
                None if previous is None else sum((previous.get(code, ZERO) for code in spec.codes), ZERO)
            )
        else:
            now = before = None
        rows.append(StatementRow(start + offset, spec.label, spec.codes, now, before))
    return StatementSection(title, total_label, tuple(rows))


def income_statement(
    chart: ChartFacts, current: dict[str, Decimal], previous: dict[str, Decimal] | None
) -> IncomeStatement | None:
    form = chart.statements
    if form is None:
        return None
    income = _section("收入", "本年收入合计", form["income"], current, previous)
    expense = _section("支出", "本年支出合计", form["expense"], current, previous, start=len(income.rows) + 2)
    return IncomeStatement(income, expense, previous is not None)


def balance_sheet(
    chart: ChartFacts, closing: dict[str, Decimal], opening: dict[str, Decimal]
) -> BalanceSheet | None:
    form = chart.statements
    if form is None:
        return None
    assets = _section("资产", "资产合计", form["assets"], closing, opening)
    liabilities = _section(
        "负债", "负债合计", form["liabilities"], closing, opening, start=len(assets.rows) + 2
    )
    net_assets = _section(
        "净资产",
        "净资产合计",
        form["net_assets"],
        closing,
        opening,
        start=len(assets.rows) + len(liabilities.rows) + 3,
    )
    return BalanceSheet(assets, liabilities, net_assets)
