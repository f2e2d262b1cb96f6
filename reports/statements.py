"""The statements the auditor reviews, laid out as the 2021 工会会计制度 lays them out.

The books keep the 2009 chart. Each 2021 statement line names the 2009 first-level accounts it gathers;
where the 2021 form has a line with no 2009 account the line shows no figure. The mapping is data: a
future chart adds its own entry here. The pages and the workbook print ``MAPPING_NOTE`` under the tables.
"""

from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class LineSpec:
    label: str
    codes: tuple[str, ...]  # first-level accounts of the books; empty: no such account in this chart


def _specs(*items: tuple[str, tuple[str, ...]]) -> tuple[LineSpec, ...]:
    return tuple(LineSpec(label, codes) for label, codes in items)


# 收入支出表 (工会02表) and 资产负债表 (工会01表), 2021 line names, for books kept on the 2009 chart.
FORMS = {
    "2009": {
        "income": _specs(
            ("会费收入", ("401",)),
            ("拨缴经费收入", ("402",)),
            ("上级补助收入", ("403",)),
            ("政府补助收入", ("404",)),
            ("行政补助收入", ("405",)),
            ("附属单位上缴收入", ("406",)),
            ("投资收益", ("407",)),
            ("其他收入", ("408",)),
        ),
        "expense": _specs(
            ("职工活动支出", ("501",)),
            ("职工服务支出", ()),
            ("维权支出", ("502",)),
            ("业务支出", ("503", "504")),
            ("资本性支出", ("505",)),
            ("补助下级支出", ("506",)),
            ("对附属单位的支出", ("507",)),
            ("其他支出", ("508",)),
        ),
        "assets": _specs(
            ("库存现金", ("101",)),
            ("银行存款", ("102",)),
            ("零余额账户用款额度", ("111",)),
            ("财政应返还额度", ("112",)),
            ("借出款", ("121",)),
            ("应收上级经费", ("131",)),
            ("应收下级经费", ("132",)),
            ("其他应收款", ("135",)),
            ("库存物品", ("141",)),
            ("投资", ("151",)),
            ("在建工程", ("161",)),
            ("固定资产", ("162",)),
            ("减：累计折旧", ()),
            ("无形资产", ()),
            ("减：累计摊销", ()),
        ),
        "liabilities": _specs(
            ("应付职工薪酬", ("201", "202", "203")),
            ("借入款", ("211",)),
            ("应付上级经费", ("221",)),
            ("应付下级经费", ("222",)),
            ("其他应付款", ("225",)),
            ("代管经费", ("231",)),
        ),
        "net_assets": _specs(
            ("资产基金", ("301", "302", "311")),
            ("专用基金", ("321",)),
            ("工会资金结转", ()),
            # The year's income less spending belongs here until 结账 moves it into 331 结余.
            ("工会资金结余", ("331", "322", "__surplus__")),
        ),
        "note": (
            "本表项目按2021年《工会会计制度》报表格式列示；账簿使用2009年《工会会计制度》科目，对应如下："
            "504行政支出列入业务支出，406事业收入列入附属单位上缴收入，507事业支出列入对附属单位的支出，"
            "201—203列入应付职工薪酬，301固定基金、302在建工程占用资金、311投资基金列入资产基金，"
            "331结余与322后备金列入工会资金结余（本年收支结余未结账前也列入此项）；"
            "2009年科目表中没有的项目（职工服务支出、累计折旧、无形资产、累计摊销、工会资金结转）不填列。"
        ),
    }
}

SURPLUS = "__surplus__"


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


def form_for(chart_code: str) -> dict | None:
    return FORMS.get(chart_code)


def income_statement(
    chart_code: str, current: dict[str, Decimal], previous: dict[str, Decimal] | None
) -> IncomeStatement | None:
    form = form_for(chart_code)
    if form is None:
        return None
    income = _section("收入", "本年收入合计", form["income"], current, previous)
    expense = _section("支出", "本年支出合计", form["expense"], current, previous, start=len(income.rows) + 2)
    return IncomeStatement(income, expense, previous is not None)


def balance_sheet(
    chart_code: str, closing: dict[str, Decimal], opening: dict[str, Decimal]
) -> BalanceSheet | None:
    form = form_for(chart_code)
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
