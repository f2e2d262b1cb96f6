"""The consolidated (合并) 资产负债表 and 收入支出表 of a union with its 分工会 that keep books of their own.

Each part's statements are its own (``reports.data.build_statements``, so ``reports.statements``'s lines from
``ledger.queries.period_figures``); this module only adds them line by line and takes out the 补助下级 (下拨)
pairs between them (``ledger.queries.consolidation.eliminations``): the parent's 补助下级支出 and the branch's
上级补助收入 of each pair leave both lines of the 收入支出表, so the 合并 收支结余 is the sum of the parts'. An
allocation is paid at once (the parent's bank to the branch's), so it leaves no balance between the two on the
资产负债表: its lines are the sums of the parts. 应收下级经费 and 应付上级经费 are not tied to one 分工会 in the books,
so they are added like any other line, not eliminated.

A 分工会 whose year is kept on another form of statements (a 2009 chart beside a 2021 one) cannot be added line
by line: it is left out and named (``excluded``).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, replace
from decimal import Decimal

from ledger import queries
from ledger.models import AccountingYear
from ledger.money import ZERO
from ledger.queries import Check, Comparison
from ledger.queries.consolidation import (
    ALLOCATION_EXPENSE,
    ALLOCATION_INCOME,
    Eliminated,
    allocation_codes,
    branch_years,
    eliminations,
)
from reports.data import build_statements, statement_signature_lines
from reports.statements import StatementRow, Statements, StatementSection

# What a form's second column of the 收入支出表 holds: the month itself (2009: 本月数) or the year before
# (2021: 上年数). It decides which 补助下级 pairs that column eliminates.
MONTH_COLUMN_FORMS = frozenset({"2009"})


@dataclass(frozen=True)
class Part:
    """One union of the consolidation (the parent first) with its own statements at the same month's end."""

    name: str
    slug: str
    is_closed: bool
    statements: Statements


@dataclass(frozen=True)
class Line:
    """One line of a consolidated statement: each part's figure (本级 first), the 抵销 and the 合并 line itself,
    whose figures are the parts' sum less the 抵销 (``merged.previous`` likewise in the other column)."""

    merged: StatementRow
    parts: tuple[Decimal | None, ...]
    eliminated: Decimal = ZERO
    previous_parts: tuple[Decimal | None, ...] = ()
    eliminated_previous: Decimal = ZERO

    @property
    def label(self) -> str:
        return self.merged.label

    @property
    def number(self) -> int:
        return self.merged.number

    @property
    def is_detail(self) -> bool:
        return self.merged.is_detail

    @property
    def current(self) -> Decimal | None:
        return self.merged.current

    @property
    def previous(self) -> Decimal | None:
        return self.merged.previous


@dataclass(frozen=True)
class Section:
    """A section (收入, 支出, 资产, 负债, 净资产) of a consolidated statement; ``merged`` is the 合并 section."""

    heading: str
    merged: StatementSection
    lines: tuple[Line, ...]
    part_totals: tuple[Decimal, ...]

    @property
    def eliminated_total(self) -> Decimal:
        return sum((line.merged.sign * line.eliminated for line in self.lines if not line.is_detail), ZERO)

    @property
    def total_label(self) -> str:
        return self.merged.total_label

    @property
    def total_number(self) -> int:
        return self.merged.total_number


@dataclass(frozen=True)
class ConsolidatedStatements:
    """A union's statements at the end of ``month`` with those of its 分工会, added and eliminated."""

    union_name: str
    union_slug: str
    year: int
    month: int
    parts: tuple[Part, ...]
    eliminated: tuple[Eliminated, ...]  # the pairs to the month's end
    statements: Statements  # the 合并 statements (the parent's form and words)
    income: Section
    expense: Section
    assets: Section
    liabilities: Section
    net_assets: Section
    excluded: tuple[str, ...] = ()  # 分工会 kept on another form of statements, left out
    signatures: tuple[tuple[str, str], ...] = ()

    @property
    def is_closed(self) -> bool:
        return all(part.is_closed for part in self.parts)

    @property
    def branches(self) -> tuple[Part, ...]:
        return self.parts[1:]

    @property
    def income_statement(self):
        return self.statements.income_statement

    @property
    def balance_sheet(self):
        return self.statements.balance_sheet

    @property
    def period_label(self) -> str:
        return self.statements.period_label

    @property
    def date_label(self) -> str:
        return self.statements.date_label

    @property
    def title(self) -> str:
        return f"{self.union_name}{self.period_label}合并会计报表"

    @property
    def eliminated_total(self) -> Decimal:
        return sum((item.amount for item in self.eliminated), ZERO)

    @property
    def part_surpluses(self) -> tuple[Decimal, ...]:
        return tuple(part.statements.income_statement.surplus for part in self.parts)

    @property
    def part_liabilities_and_net_assets(self) -> tuple[Decimal, ...]:
        return tuple(part.statements.balance_sheet.liabilities_and_net_assets for part in self.parts)

    # The tables' widths: 本级, each 分工会, 抵销 and 合并 under the current column; then 项目, 行次 and the other.

    @property
    def figure_span(self) -> int:
        return len(self.parts) + 2

    @property
    def income_width(self) -> int:
        return self.figure_span + 2 + (1 if self.income_statement.has_previous else 0)

    @property
    def sheet_width(self) -> int:
        return self.figure_span + 3

    @property
    def signature_lines(self) -> list[str]:
        return statement_signature_lines(self.statements.signature_titles, self.signatures)

    @property
    def statement_signature_lines(self) -> list[str]:
        return self.signature_lines

    @property
    def checks(self) -> tuple[Check, ...]:
        """合并后 the balance sheet balances, every pair left both sides, and the 结余 is the parts'."""
        sheet, statement = self.balance_sheet, self.income_statement
        return (
            Check(
                f"合并{sheet.title}：{sheet.assets.total_label}＝{sheet.total_label}",
                (
                    Comparison(
                        f"期末{sheet.assets.total_label}",
                        sheet.assets.total_current,
                        f"期末{sheet.total_label}",
                        sheet.liabilities_and_net_assets,
                    ),
                    Comparison(
                        f"年初{sheet.assets.total_label}",
                        sheet.assets.total_previous,
                        f"年初{sheet.total_label}",
                        sheet.liabilities_and_net_assets_opening,
                    ),
                ),
            ),
            Check(
                f"内部往来已抵销：{ALLOCATION_EXPENSE}＝{ALLOCATION_INCOME}",
                (
                    Comparison(
                        f"抵销的{ALLOCATION_EXPENSE}",
                        self.expense.eliminated_total,
                        f"抵销的{ALLOCATION_INCOME}",
                        self.income.eliminated_total,
                    ),
                ),
            ),
            Check(
                f"合并{statement.surplus_label}＝各单位{statement.surplus_label}之和",
                (
                    Comparison(
                        f"合并{statement.surplus_label}",
                        statement.surplus,
                        f"各单位{statement.surplus_label}之和",
                        sum(self.part_surpluses, ZERO),
                    ),
                ),
            ),
        )


def _taken(items, codes: dict[str, str]) -> dict[str, Decimal]:
    """Account code → the amount eliminated from it: each pair on both sides."""
    total = sum((item.amount for item in items), ZERO)
    return {codes[name]: total for name in (ALLOCATION_EXPENSE, ALLOCATION_INCOME) if name in codes}


def _add(figures) -> Decimal | None:
    present = [figure for figure in figures if figure is not None]
    return sum(present, ZERO) if present else None


def _section(
    heading: str,
    sections: list[StatementSection],
    taken: dict[str, Decimal],
    taken_before: dict[str, Decimal],
    with_previous: bool,
) -> Section:
    lines = []
    for index, row in enumerate(sections[0].rows):
        rows = [section.rows[index] for section in sections]
        eliminated = sum((taken.get(code, ZERO) for code in row.codes), ZERO)
        eliminated_before = sum((taken_before.get(code, ZERO) for code in row.codes), ZERO)
        current = _add(part.current for part in rows)
        previous = _add(part.previous for part in rows) if with_previous else None
        merged = replace(
            row,
            current=None if current is None else current - eliminated,
            previous=None if previous is None else previous - eliminated_before,
        )
        lines.append(
            Line(
                merged,
                tuple(part.current for part in rows),
                eliminated,
                tuple(part.previous for part in rows) if with_previous else (),
                eliminated_before if with_previous else ZERO,
            )
        )
    merged_section = replace(sections[0], rows=tuple(line.merged for line in lines))
    return Section(
        heading, merged_section, tuple(lines), tuple(section.total_current for section in sections)
    )


def build_consolidated_statements(year: AccountingYear, month: int = 12) -> ConsolidatedStatements | None:
    """The 合并 statements of ``year`` at the end of ``month`` (None when its chart has no form of statements).

    Queries: one for the year, each part's ``build_statements`` (6 on the 2009 form, 7 on the 2021 form, 10
    with the previous year), and three more (the branch years, the pairs, the two accounts' codes); on the
    2021 form with every part's previous year, two more (the previous year and its pairs). None grows with the
    vouchers.
    """
    year = AccountingYear.objects.select_related("union", "chart").get(pk=year.pk)
    own = build_statements(year, month)
    if own is None:
        return None
    parts = [Part(year.union.name, year.union.slug, year.is_closed, own)]
    excluded = []
    for branch in branch_years(year):
        found = build_statements(branch, month)
        if found is None or found.form != own.form:
            excluded.append(branch.union.name)
        else:
            parts.append(Part(branch.union.name, branch.union.slug, branch.is_closed, found))
    joined = {part.slug for part in parts[1:]}
    start = datetime.date(year.year, month, 1)
    end = datetime.date(year.year, month, calendar.monthrange(year.year, month)[1])
    pairs = tuple(item for item in eliminations(year) if item.branch_slug in joined and item.date <= end)
    codes = allocation_codes(year)
    with_previous = all(part.statements.income_statement.has_previous for part in parts)
    before: tuple[Eliminated, ...] = ()
    if with_previous and own.form in MONTH_COLUMN_FORMS:
        before = tuple(item for item in pairs if item.date >= start)
    elif with_previous:
        previous_year = queries.previous_year(year)
        if previous_year is not None:
            before = tuple(item for item in eliminations(previous_year) if item.branch_slug in joined)
    taken, taken_before = _taken(pairs, codes), _taken(before, codes)

    def merge(statement: str, section: str, heading: str, eliminate: bool, previous: bool) -> Section:
        return _section(
            heading,
            [getattr(getattr(part.statements, statement), section) for part in parts],
            taken if eliminate else {},
            taken_before if eliminate else {},
            previous,
        )

    income = merge("income_statement", "income", "一、收入", True, with_previous)
    expense = merge("income_statement", "expense", "二、支出", True, with_previous)
    assets = merge("balance_sheet", "assets", "资产", False, True)
    liabilities = merge("balance_sheet", "liabilities", "负债", False, True)
    net_assets = merge("balance_sheet", "net_assets", "净资产", False, True)
    statements = replace(
        own,
        income_statement=replace(
            own.income_statement, income=income.merged, expense=expense.merged, has_previous=with_previous
        ),
        balance_sheet=replace(
            own.balance_sheet,
            assets=assets.merged,
            liabilities=liabilities.merged,
            net_assets=net_assets.merged,
        ),
    )
    return ConsolidatedStatements(
        union_name=year.union.name,
        union_slug=year.union.slug,
        year=year.year,
        month=month,
        parts=tuple(parts),
        eliminated=pairs,
        statements=statements,
        income=income,
        expense=expense,
        assets=assets,
        liabilities=liabilities,
        net_assets=net_assets,
        excluded=tuple(excluded),
        signatures=tuple((str(title), str(name)) for title, name in year.union.signatures or ()),
    )
