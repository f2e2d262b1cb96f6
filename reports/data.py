"""Everything a year's 财务工作报告 and the auditor's statements need, as one frozen value.

The figures are the ledger's: ``ledger.queries.year_summary`` computes the year's opening, income, spending
and closing, and ``ledger.queries.year_end_checks`` the checks; this module only arranges them into the
treasurer's lines, the statements and the words. ``build_annual_report(year)`` takes a fixed number of
queries however many vouchers there are: 14 for a year whose previous year is not in the books, 17 when
it is (6 of them the plan's part: settings, budget, roster, rules and findings; one more each with a
budget and a roster).

上缴上级经费 (remittance): debits to 应付上级经费 during the year; it settles a liability and is never
spending.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ledger import queries
from ledger.charts import facts_for
from ledger.models import AccountingYear, AccountType
from ledger.money import ZERO
from ledger.transition import form_of
from plan.queries import PlanReport, plan_report
from reports.models import ReportText
from reports.statements import BalanceSheet, IncomeStatement, Statements, build, in_chart
from reports.texts import ReportTextValues, text_values


@dataclass(frozen=True)
class ReportLine:
    """One of the treasurer's own lines: a leaf 明细科目, or a first-level account without 明细.

    Where an account has 明细 and also lines of its own, those own lines make a line of their own, so the
    lines always add up to the totals. ``previous`` is None when the previous year is not in the books.
    """

    code: str
    name: str
    label: str
    group_code: str
    group_name: str
    amount: Decimal
    previous: Decimal | None
    path: tuple[str, ...] = ()  # the account names from the first level down to this line's own

    @property
    def spending_phrase(self) -> str:
        """三八妇女节 → 三八妇女节支出; a label that already ends in 支出 stays as it is."""
        return self.label if self.label.endswith("支出") else f"{self.label}支出"

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.amount - self.previous


@dataclass(frozen=True)
class YearFigures:
    """One accounting year as the report shows it: the ledger's figures and the treasurer's lines."""

    summary: queries.YearSummary
    income: tuple[ReportLine, ...] = ()
    expense: tuple[ReportLine, ...] = ()

    # The report's names for the ledger's figures (each computed once, in ``YearSummary``).

    @property
    def year(self) -> int:
        return self.summary.year.year

    @property
    def is_closed(self) -> bool:
        return self.summary.year.is_closed

    @property
    def opening_balance(self) -> Decimal:
        return self.summary.opening_funds

    @property
    def total_income(self) -> Decimal:
        return self.summary.income

    @property
    def total_expense(self) -> Decimal:
        return self.summary.expense

    @property
    def closing_balance(self) -> Decimal:
        return self.summary.closing_funds

    @property
    def surplus(self) -> Decimal:
        return self.summary.surplus

    @property
    def cash_opening(self) -> Decimal:
        return self.summary.cash_opening

    @property
    def bank_opening(self) -> Decimal:
        return self.summary.bank_opening

    @property
    def cash(self) -> Decimal:
        return self.summary.cash

    @property
    def bank(self) -> Decimal:
        return self.summary.bank

    @property
    def remittance_upper(self) -> Decimal:
        return self.summary.remittance_upper

    @property
    def trial_balance(self) -> tuple[queries.TrialBalanceRow, ...]:
        return self.summary.rows

    @property
    def trial_totals(self) -> queries.TrialBalanceTotals:
        return self.summary.totals

    @property
    def closing_by_code(self) -> dict[str, Decimal]:
        return self.summary.closing_by_code

    @property
    def opening_by_code(self) -> dict[str, Decimal]:
        return self.summary.opening_by_code


# A form's signature title and the union's title for the same seat.
SAME_SEAT = {"复核": "审核", "审核": "复核"}


def signature_lines(signatures) -> list[str]:
    """``工会主席：张三`` or, with no name yet, ``工会主席：`` — every printout ends with these."""
    return [f"{title}：{name}" for title, name in signatures]


def statement_signature_lines(titles: tuple[str, ...], signatures) -> list[str]:
    """The statements' signature lines: the form's titles (2009: 复核 where the union says 审核) with the union's
    names (``signatures``: (title, name) pairs), or the union's own lines when the form names none."""
    if not titles:
        return signature_lines(signatures)
    names = dict(signatures)
    return [f"{title}：{names.get(title) or names.get(SAME_SEAT.get(title, ''), '')}" for title in titles]


@dataclass(frozen=True)
class AnnualReportData:
    """One union-year's report: figures, comparison, statements, checks and words. Renderers share it."""

    union_name: str
    union_slug: str
    year: int
    is_closed: bool
    chart_code: str
    chart_name: str
    current: YearFigures
    previous: YearFigures | None
    income: tuple[ReportLine, ...]  # this year's and last year's lines, by code
    expense: tuple[ReportLine, ...]
    statements: Statements | None  # at the year's end, in the form of the year's chart
    checks: tuple[queries.Check, ...]
    text: ReportTextValues
    signatures: tuple[tuple[str, str], ...] = ()  # the union's signature lines: (title, name)
    previous_chart_code: str = ""  # the chart of the year before, when it is in the books

    @property
    def statement_signature_lines(self) -> list[str]:
        """The statements' signature lines (``statement_signature_lines``)."""
        titles = self.statements.signature_titles if self.statements else ()
        return statement_signature_lines(titles, self.signatures)

    @property
    def income_statement(self) -> IncomeStatement | None:
        return self.statements.income_statement if self.statements else None

    @property
    def balance_sheet(self) -> BalanceSheet | None:
        return self.statements.balance_sheet if self.statements else None

    @property
    def mapping_note(self) -> str:
        """How the chart's accounts fill the statements' lines (from the chart's file)."""
        return self.statements.note if self.statements else ""

    @property
    def opening_carried_forward(self) -> bool:
        """The year's opening is last year's closing carried forward by 结账 (上年结余), not typed in."""
        return self.previous is not None and self.previous.is_closed

    plan: PlanReport | None = None  # budget, dues, the levy and findings (``plan.queries.plan_report``)

    @property
    def signature_lines(self) -> list[str]:
        """``工会主席：张三`` or, with no name yet, ``工会主席：`` — every printout ends with these."""
        return signature_lines(self.signatures)

    # --- the figures the report text and the JSON use -----------------------------------------------------

    @property
    def title(self) -> str:
        return f"{self.union_name}{self.year}年度财务工作报告"

    @property
    def opening_balance(self) -> Decimal:
        return self.current.opening_balance

    @property
    def total_income(self) -> Decimal:
        return self.current.total_income

    @property
    def total_expense(self) -> Decimal:
        return self.current.total_expense

    @property
    def closing_balance(self) -> Decimal:
        return self.current.closing_balance

    @property
    def income_lines(self) -> list[ReportLine]:
        """This year's income lines with an amount, as the text lists them."""
        return [line for line in self.income if line.amount]

    @property
    def expense_lines(self) -> list[ReportLine]:
        return [line for line in self.expense if line.amount]

    @property
    def cash_and_bank(self) -> Decimal:
        return self.current.summary.cash_and_bank

    @property
    def balance_is_cash_and_bank(self) -> bool:
        return self.cash_and_bank == self.closing_balance

    @property
    def income_change(self) -> Decimal | None:
        return None if self.previous is None else self.total_income - self.previous.total_income

    @property
    def expense_change(self) -> Decimal | None:
        return None if self.previous is None else self.total_expense - self.previous.total_expense

    @property
    def reads_2021_categories(self) -> bool:
        """A year kept on the 2021 chart: the report names spending by the 2021 categories and the opening
        as 上年结余 carried forward."""
        return self.statements is not None and self.statements.form == "2021"

    @property
    def expense_groups(self) -> list[tuple[str, Decimal, list[tuple[str, Decimal]]]]:
        """This year's spending by first-level category (职工活动支出 …), each with its lines named by their
        path below the category (会员活动支出›春节慰问品)."""
        groups: dict[str, tuple[str, list]] = {}
        for line in self.expense_lines:
            below = line.path[1:] if len(line.path) > 1 else ()
            name = "›".join(below[:-1] + (line.label,)) if below else ""
            groups.setdefault(line.group_code, (line.group_name, []))[1].append((name, line.amount))
        return [
            (group_name, sum((amount for _, amount in items), ZERO), [item for item in items if item[0]])
            for _, (group_name, items) in sorted(groups.items())
        ]

    def is_deficit(self) -> bool:
        """Spending above income: the gap was covered from the balance brought forward (上年结余)."""
        return self.total_expense > self.total_income

    @property
    def deficit(self) -> Decimal:
        return self.total_expense - self.total_income

    @property
    def checks_pass(self) -> bool:
        return all(check.ok is not False for check in self.checks)


def _leaf_lines(
    rows: list[queries.TrialBalanceRow], account_type: str
) -> list[tuple[str, str, str, str, Decimal, tuple[str, ...]]]:
    """(code, name, group code, group name, amount, path of names) of each reporting line of one type."""
    rows = [row for row in rows if row.account.type == account_type]
    tops = [row for row in rows if row.level == 1]
    lines = []
    for row in rows:
        children = [other for other in rows if other.account.parent_id == row.account.pk]
        own = row.closing - sum((child.closing for child in children), ZERO)
        if children and own == 0:
            continue
        top = next((t for t in tops if row.account.code.startswith(t.account.code)), row)
        path = tuple(
            other.account.name
            for other in sorted(rows, key=lambda other: len(other.account.code))
            if row.account.code.startswith(other.account.code)
        )
        lines.append((row.account.code, row.account.name, top.account.code, top.account.name, own, path))
    return lines


def _labelled(raw, previous_raw, text: ReportTextValues) -> tuple[ReportLine, ...]:
    """Lines of this year and, for comparison, of last year, merged by account code."""
    now = {code: (name, gcode, gname, amount, path) for code, name, gcode, gname, amount, path in raw}
    before = {
        code: (name, gcode, gname, amount, path)
        for code, name, gcode, gname, amount, path in previous_raw or []
    }
    lines = []
    for code in sorted(now.keys() | before.keys()):
        name, gcode, gname, amount, path = now.get(code) or (*before[code][:3], ZERO, before[code][4])
        previous = None if previous_raw is None else (before[code][3] if code in before else ZERO)
        lines.append(
            ReportLine(code, name, text.label_for(code) or name, gcode, gname, amount, previous, path)
        )
    return tuple(lines)


def _ordered(lines: tuple[ReportLine, ...], text: ReportTextValues) -> tuple[ReportLine, ...]:
    """The spending lines in the treasurer's order (``ReportText.expense_order``); the rest by code."""
    place = {code: index for index, code in enumerate(text.expense_order)}
    return tuple(sorted(lines, key=lambda line: (place.get(line.code, len(place)), line.code)))


def build_annual_report(year: AccountingYear) -> AnnualReportData:
    """The report of ``year``: 15 queries, or 18 when the previous year is in the books (``plan_report``)."""
    year = AccountingYear.objects.select_related("union", "chart").get(pk=year.pk)
    union = year.union
    current = queries.year_summary(year)
    previous_year = queries.previous_year(year)
    previous = queries.year_summary(previous_year) if previous_year is not None else None
    saved = ReportText.objects.select_related("updated_by").filter(union=union, year=year.year).first()
    plan = plan_report(year, current)
    names = {row.account.code: row.account.name for row in current.rows}
    if previous is not None:
        names = {row.account.code: row.account.name for row in previous.rows} | names
    text = text_values(saved, year, names, remitted_in_full=plan.fully_remitted)
    raw = {kind: _leaf_lines(current.rows, kind) for kind in (AccountType.INCOME, AccountType.EXPENSE)}
    raw_before = (
        {kind: _leaf_lines(previous.rows, kind) for kind in (AccountType.INCOME, AccountType.EXPENSE)}
        if previous is not None
        else {AccountType.INCOME: None, AccountType.EXPENSE: None}
    )
    income = _labelled(raw[AccountType.INCOME], raw_before[AccountType.INCOME], text)
    expense = _ordered(_labelled(raw[AccountType.EXPENSE], raw_before[AccountType.EXPENSE], text), text)
    figures = YearFigures(current, income, expense)
    figures_before = None
    if previous is not None:
        figures_before = YearFigures(
            previous,
            _labelled(raw_before[AccountType.INCOME], None, text),
            _labelled(raw_before[AccountType.EXPENSE], None, text),
        )
    chart = facts_for(year.chart)
    period = queries.period_figures(year, 12, rows=current.rows)
    previous_codes = None
    if previous is not None:
        previous_codes = in_chart(previous.closing_by_code, form_of(previous_year.chart), form_of(year.chart))
    return AnnualReportData(
        union_name=union.name,
        union_slug=union.slug,
        year=year.year,
        is_closed=year.is_closed,
        chart_code=year.chart.code,
        chart_name=year.chart.name,
        current=figures,
        previous=figures_before,
        income=income,
        expense=expense,
        statements=build(chart, period, previous_codes),
        checks=queries.year_end_checks(current, previous),
        text=text,
        previous_chart_code=previous_year.chart.code if previous_year is not None else "",
        signatures=tuple((str(title), str(name)) for title, name in union.signatures or ()),
        plan=plan,
    )


def build_statements(year: AccountingYear, month: int) -> Statements | None:
    """The year's statements at the end of ``month``, in the form of its chart: 6 queries (2009 form),
    or 10 for the 2021 form when the previous year is in the books (its 上年数)."""
    year = AccountingYear.objects.select_related("union", "chart").get(pk=year.pk)
    chart = facts_for(year.chart)
    previous_codes = None
    if chart.statements is not None and chart.statements.get("form") == "2021":
        previous_year = queries.previous_year(year)
        if previous_year is not None:
            previous_codes = in_chart(
                queries.year_summary(previous_year).closing_by_code,
                form_of(previous_year.chart),
                form_of(year.chart),
            )
    return build(chart, queries.period_figures(year, month), previous_codes)
