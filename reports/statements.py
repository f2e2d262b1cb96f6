"""The statements of a year in the form its chart's 制度 prescribes: one statement-data function per form.

- ``statements_2009``: the 2009 工会会计制度's 资产负债表 (工会01表: 年初数, 期末数) and 收入支出表 (工会02表:
  本月数, 本年累计数), one row per account with the 明细 rows of 上级补助收入 and the spending accounts, for
  the end of any month of the year.
- ``statements_2021``: the 2021 制度's 收入支出表 (本年累计数, 上年数) and 资产负债表 (年初数, 期末数), one row
  per line item of the form.

Which accounts fill each line, the words of each form and its note are facts of the chart and live in its
data file (``ledger/charts/*.json``, ``"statements"``, read through ``ledger.charts.facts_for``). The figures
are the ledger's (``ledger.queries.PeriodFigures``); this module only lays them out. A 明细 row (level 2)
is shown inside its account and never added into a total; a "减：" line (累计折旧) shows its amount as a
positive figure and is taken off its section's total.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from ledger.charts import SURPLUS, ChartFacts
from ledger.money import ZERO
from ledger.queries import PeriodFigures
from ledger.transition import mapping_table


@dataclass(frozen=True)
class StatementRow:
    """A line of a statement: ``current`` is 本年累计数 or 期末数; ``previous`` is the other column
    (上年数, 本月数 or 年初数). A line the books cannot fill has ``None`` figures and prints as a dash."""

    number: int
    label: str
    codes: tuple[str, ...]
    current: Decimal | None
    previous: Decimal | None
    level: int = 1
    sign: int = 1

    @property
    def is_detail(self) -> bool:
        return self.level > 1


@dataclass(frozen=True)
class StatementSection:
    title: str
    total_label: str
    rows: tuple[StatementRow, ...]

    @property
    def total_number(self) -> int:
        """The 行次 of the section's total: the line after its last line."""
        return self.rows[-1].number + 1

    def _total(self, figure: str) -> Decimal:
        return sum(
            (
                row.sign * getattr(row, figure)
                for row in self.rows
                if not row.is_detail and getattr(row, figure) is not None
            ),
            ZERO,
        )

    @property
    def total_current(self) -> Decimal:
        return self._total("current")

    @property
    def total_previous(self) -> Decimal:
        return self._total("previous")

    @property
    def summed_rows(self) -> tuple[StatementRow, ...]:
        """The rows the total adds (a workbook's formula names exactly these)."""
        return tuple(row for row in self.rows if not row.is_detail and row.current is not None)


@dataclass(frozen=True)
class IncomeStatement:
    """收入支出表. ``columns`` names (current, previous); ``previous_first`` puts the previous column first
    (2009: 本月数 before 本年累计数). ``has_previous``: the previous column is shown."""

    income: StatementSection
    expense: StatementSection
    has_previous: bool
    title: str = "收入支出表"
    form_label: str = ""
    columns: tuple[str, str] = ("本年累计数", "上年数")
    previous_first: bool = False
    surplus_label: str = "本年收支结余"

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
    title: str = "资产负债表"
    form_label: str = ""
    total_label: str = "负债和净资产合计"

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


@dataclass(frozen=True)
class Statements:
    """A year's two statements at the end of ``month``, in the form of the year's chart."""

    form: str
    year: int
    month: int
    end: datetime.date
    income_statement: IncomeStatement
    balance_sheet: BalanceSheet
    note: str
    signature_titles: tuple[str, ...] = ()  # the form's own signature lines (2009: 工会主席 … 复核, 制表)

    @property
    def period_label(self) -> str:
        """收入支出表's period: 2012年度 for December, else 2012年3月."""
        return f"{self.year}年度" if self.month == 12 else f"{self.year}年{self.month}月"

    @property
    def date_label(self) -> str:
        """资产负债表's date: 2012年3月31日."""
        return f"{self.end.year}年{self.end.month}月{self.end.day}日"


def _signed(sign: int, amount: Decimal) -> Decimal:
    """A "减：" line's figure: the amount with its sign turned, never a printed -0.00."""
    return -amount if sign < 0 and amount else amount


def _section(title, total_label, specs, current, previous, start=1) -> StatementSection:
    """``current`` / ``previous``: code → amount on the account's normal side (None: column not shown)."""
    rows = []
    for offset, spec in enumerate(specs):
        if spec.codes:
            now = _signed(spec.sign, sum((current.get(code, ZERO) for code in spec.codes), ZERO))
            before = (
                None
                if previous is None
                else _signed(spec.sign, sum((previous.get(code, ZERO) for code in spec.codes), ZERO))
            )
        else:
            now = before = None
        rows.append(StatementRow(start + offset, spec.label, spec.codes, now, before, spec.level, spec.sign))
    return StatementSection(title, total_label, tuple(rows))


def _balance_sheet(chart: ChartFacts, figures: PeriodFigures) -> BalanceSheet:
    form, words = chart.statements, chart.statements["words"]
    closing = figures.closing | {SURPLUS: figures.surplus}
    assets = _section("资产", words["assets_total"], form["assets"], closing, figures.opening)
    liabilities = _section(
        "负债",
        words["liabilities_total"],
        form["liabilities"],
        closing,
        figures.opening,
        len(assets.rows) + 2,
    )
    net_assets = _section(
        "净资产",
        words["net_assets_total"],
        form["net_assets"],
        closing,
        figures.opening,
        len(assets.rows) + len(liabilities.rows) + 3,
    )
    return BalanceSheet(
        assets,
        liabilities,
        net_assets,
        title=words["balance_title"],
        form_label=words.get("balance_form", ""),
        total_label=words["balance_total"],
    )


def statements_2009(chart: ChartFacts, figures: PeriodFigures, previous=None) -> Statements:
    """工会01表 and 工会02表 of the 2009 制度 at the end of ``figures.month``: 本月数 and 本年累计数."""
    form, words = chart.statements, chart.statements["words"]
    income = _section("收入", words["income_total"], form["income"], figures.closing, figures.in_month)
    expense = _section(
        "支出",
        words["expense_total"],
        form["expense"],
        figures.closing,
        figures.in_month,
        len(income.rows) + 2,
    )
    statement = IncomeStatement(
        income,
        expense,
        has_previous=True,
        title=words["income_title"],
        form_label=words.get("income_form", ""),
        columns=("本年累计数", "本月数"),
        previous_first=True,
        surplus_label=words["surplus"],
    )
    return Statements(
        "2009",
        figures.year.year,
        figures.month,
        figures.end,
        statement,
        _balance_sheet(chart, figures),
        form["note"],
        tuple(words.get("signatures", ())),
    )


def statements_2021(
    chart: ChartFacts, figures: PeriodFigures, previous: dict[str, Decimal] | None = None
) -> Statements:
    """The 2021 制度's statements at the end of ``figures.month``: 本年累计数 and, with the previous year's
    first-level figures in this chart's codes, 上年数."""
    form, words = chart.statements, chart.statements["words"]
    income = _section("收入", words["income_total"], form["income"], figures.closing, previous)
    expense = _section(
        "支出", words["expense_total"], form["expense"], figures.closing, previous, len(income.rows) + 2
    )
    statement = IncomeStatement(
        income,
        expense,
        has_previous=previous is not None,
        title=words["income_title"],
        form_label=words.get("income_form", ""),
        surplus_label=words["surplus"],
    )
    return Statements(
        "2021",
        figures.year.year,
        figures.month,
        figures.end,
        statement,
        _balance_sheet(chart, figures),
        form["note"],
        tuple(words.get("signatures", ())),
    )


FORMS = {"2009": statements_2009, "2021": statements_2021}


def in_chart(by_code: dict[str, Decimal], from_form: str, to_form: str) -> dict[str, Decimal] | None:
    """A year's first-level figures (code → amount) read in another chart's codes through the mapping table
    of 新旧制度衔接 (None when there is no table between the two)."""
    if from_form == to_form:
        return by_code
    table = mapping_table(from_form, to_form)
    if table is None:
        return None
    moved: dict[str, Decimal] = {}
    for code, amount in by_code.items():
        row = table.target(code)
        if row is not None:
            moved[row.new_code] = moved.get(row.new_code, ZERO) + amount
    return moved


def build(
    chart: ChartFacts, figures: PeriodFigures, previous: dict[str, Decimal] | None = None
) -> Statements | None:
    """The statements of the chart's form (None when the chart's file has no form)."""
    if chart.statements is None or chart.statements.get("form") not in FORMS:
        return None
    return FORMS[chart.statements["form"]](chart, figures, previous)
