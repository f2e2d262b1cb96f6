"""Everything a year's 财务工作报告 and the auditor's statements need, as one frozen value.

``build_annual_report(year)`` reads the books only through ``ledger.queries`` and takes a fixed number of
queries however many vouchers there are: 6 for a year whose previous year is not in the books, 9 when it
is. Income and spending are taken before the year-end 结转 voucher (``include_closing=False``), so a
closed year reports what it received and spent, not the zeros that closing leaves.

Words used in the report (经费余额 and so on):
- 年初经费余额 (opening balance): the net assets (结余 and the other 净资产 accounts) at the start of the year;
- 年末经费余额 (closing balance): net assets at the end plus this year's income less spending not yet
  closed into them — equal to cash plus bank when the union has no other assets or liabilities;
- 上缴上级经费 (remittance): debits to 应付上级经费 during the year; it settles a liability and is
  never spending.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from ledger import queries
from ledger.models import AccountingYear, AccountType
from reports.models import ReportText
from reports.statements import SURPLUS, BalanceSheet, IncomeStatement, balance_sheet, income_statement
from reports.texts import ReportTextValues, text_values

ZERO = Decimal("0.00")


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

    @property
    def spending_phrase(self) -> str:
        """三八妇女节 → 三八妇女节支出; a label that already ends in 支出 stays as it is."""
        return self.label if self.label.endswith("支出") else f"{self.label}支出"

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.amount - self.previous


@dataclass(frozen=True)
class Comparison:
    """Two figures that must be equal, with what they are."""

    left_label: str
    left: Decimal
    right_label: str
    right: Decimal

    @property
    def equal(self) -> bool:
        return self.left == self.right

    @property
    def difference(self) -> Decimal:
        return self.left - self.right


@dataclass(frozen=True)
class Check:
    """One of the auditor's checks. It passes when every comparison is equal; with none it does not apply."""

    title: str
    comparisons: tuple[Comparison, ...]
    note: str = ""

    @property
    def ok(self) -> bool | None:
        if not self.comparisons:
            return None
        return all(comparison.equal for comparison in self.comparisons)


@dataclass(frozen=True)
class YearFigures:
    """The figures of one accounting year, from its trial balance before closing."""

    year: int
    is_closed: bool
    opening_balance: Decimal
    total_income: Decimal
    total_expense: Decimal
    closing_balance: Decimal
    cash_opening: Decimal
    bank_opening: Decimal
    cash: Decimal
    bank: Decimal
    remittance_upper: Decimal
    income: tuple[ReportLine, ...]
    expense: tuple[ReportLine, ...]
    trial_balance: tuple[queries.TrialBalanceRow, ...]
    trial_totals: queries.TrialBalanceTotals
    # First-level accounts: code → amount on the normal side (closing before 结转; opening).
    closing_by_code: dict[str, Decimal]
    opening_by_code: dict[str, Decimal]

    @property
    def surplus(self) -> Decimal:
        return self.total_income - self.total_expense


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
    income_statement: IncomeStatement | None
    balance_sheet: BalanceSheet | None
    checks: tuple[Check, ...]
    text: ReportTextValues

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
        return self.current.cash + self.current.bank

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
    def checks_pass(self) -> bool:
        return all(check.ok is not False for check in self.checks)


def _leaf_lines(
    rows: list[queries.TrialBalanceRow], account_type: str
) -> list[tuple[str, str, str, str, Decimal]]:
    """(code, name, group code, group name, amount) of each reporting line of one account type."""
    rows = [row for row in rows if row.account.type == account_type]
    tops = [row for row in rows if row.level == 1]
    lines = []
    for row in rows:
        children = [other for other in rows if other.account.parent_id == row.account.pk]
        own = row.closing - sum((child.closing for child in children), ZERO)
        if children and own == 0:
            continue
        top = next((t for t in tops if row.account.code.startswith(t.account.code)), row)
        lines.append((row.account.code, row.account.name, top.account.code, top.account.name, own))
    return lines


def _figures(year: AccountingYear) -> tuple[YearFigures, list]:
    """A year's figures and its raw lines (labels come later). Three queries (the trial balance)."""
    rows = queries.trial_balance(year=year, include_closing=False)
    top = [row for row in rows if row.level == 1]
    closing = {row.account.code: row.closing for row in top}
    opening = {row.account.code: row.opening for row in top}
    total_income = sum((row.closing for row in top if row.account.type == AccountType.INCOME), ZERO)
    total_expense = sum((row.closing for row in top if row.account.type == AccountType.EXPENSE), ZERO)
    net_opening = sum((row.opening for row in top if row.account.type == AccountType.NET_ASSETS), ZERO)
    net_closing = sum((row.closing for row in top if row.account.type == AccountType.NET_ASSETS), ZERO)
    chart = year.chart
    remittance = next(
        (
            row.debit
            for row in top
            if chart.payable_upper_code and row.account.code == chart.payable_upper_code
        ),
        ZERO,
    )
    income = _leaf_lines(rows, AccountType.INCOME)
    expense = _leaf_lines(rows, AccountType.EXPENSE)
    figures = YearFigures(
        year=year.year,
        is_closed=year.is_closed,
        opening_balance=net_opening,
        total_income=total_income,
        total_expense=total_expense,
        closing_balance=net_closing + total_income - total_expense,
        cash_opening=opening.get(chart.cash_code, ZERO),
        bank_opening=opening.get(chart.bank_code, ZERO),
        cash=closing.get(chart.cash_code, ZERO),
        bank=closing.get(chart.bank_code, ZERO),
        remittance_upper=remittance,
        income=(),
        expense=(),
        trial_balance=tuple(rows),
        trial_totals=queries.trial_balance_totals(rows),
        closing_by_code=closing,
        opening_by_code=opening,
    )
    return figures, [income, expense]


def _labelled(raw, previous_raw, text: ReportTextValues) -> tuple[ReportLine, ...]:
    """Lines of this year and, for comparison, of last year, merged by account code."""
    now = {code: (name, gcode, gname, amount) for code, name, gcode, gname, amount in raw}
    before = {code: (name, gcode, gname, amount) for code, name, gcode, gname, amount in previous_raw or []}
    lines = []
    for code in sorted(now.keys() | before.keys()):
        name, gcode, gname, amount = now.get(code) or before[code][:3] + (ZERO,)
        previous = None if previous_raw is None else (before[code][3] if code in before else ZERO)
        lines.append(ReportLine(code, name, text.label_for(code) or name, gcode, gname, amount, previous))
    return tuple(lines)


def build_annual_report(year: AccountingYear) -> AnnualReportData:
    """The report of ``year``: 6 queries, or 9 when the previous year is in the books."""
    year = AccountingYear.objects.select_related("union", "chart").get(pk=year.pk)
    union = year.union
    current, (income_raw, expense_raw) = _figures(year)
    previous_year = (
        AccountingYear.objects.select_related("union", "chart")
        .filter(union=union, year=year.year - 1)
        .first()
    )
    previous, previous_raw = (None, [None, None])
    if previous_year is not None:
        previous, previous_raw = _figures(previous_year)
    saved = ReportText.objects.select_related("updated_by").filter(union=union, year=year.year).first()
    names = {row.account.code: row.account.name for row in current.trial_balance}
    if previous is not None:
        names = {row.account.code: row.account.name for row in previous.trial_balance} | names
    text = text_values(saved, year, names)
    income = _labelled(income_raw, previous_raw[0], text)
    expense = _labelled(expense_raw, previous_raw[1], text)
    current = _with_lines(current, income, expense)
    if previous is not None:
        previous = _with_lines(
            previous, _labelled(previous_raw[0], None, text), _labelled(previous_raw[1], None, text)
        )
    closing_codes = dict(current.closing_by_code) | {SURPLUS: current.surplus}
    return AnnualReportData(
        union_name=union.name,
        union_slug=union.slug,
        year=year.year,
        is_closed=year.is_closed,
        chart_code=year.chart.code,
        chart_name=year.chart.name,
        current=current,
        previous=previous,
        income=income,
        expense=expense,
        income_statement=income_statement(
            year.chart.code, current.closing_by_code, previous.closing_by_code if previous else None
        ),
        balance_sheet=balance_sheet(year.chart.code, closing_codes, current.opening_by_code),
        checks=_checks(current, previous),
        text=text,
    )


def _with_lines(figures: YearFigures, income, expense) -> YearFigures:
    return replace(figures, income=income, expense=expense)


def _checks(current: YearFigures, previous: YearFigures | None) -> tuple[Check, ...]:
    totals = current.trial_totals
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
            "库存现金＋银行存款＝年末经费余额",
            (
                Comparison(
                    "库存现金＋银行存款", current.cash + current.bank, "年末经费余额", current.closing_balance
                ),
            ),
            note="有其他资产或负债（如借出款、应付上级经费）时两者可以不等，差额应能由这些科目说明。",
        ),
        Check(
            "年末经费余额＝年初经费余额＋本年收入－本年支出",
            (
                Comparison(
                    "年末经费余额",
                    current.closing_balance,
                    "年初余额＋本年收入－本年支出",
                    current.opening_balance + current.total_income - current.total_expense,
                ),
            ),
        ),
        Check(
            "上年年末经费余额＝本年年初经费余额",
            (
                (
                    Comparison(
                        "上年年末经费余额",
                        previous.closing_balance,
                        "本年年初经费余额",
                        current.opening_balance,
                    ),
                )
                if previous
                else ()
            ),
            note="" if previous else "账套中没有上一年度，不适用。",
        ),
    )
