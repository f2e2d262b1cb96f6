"""The consolidated (合并) report of a union with its 分工会 that keep books of their own.

Each union's figures are its own report's (``reports.data.build_annual_report``, so ``year_summary``'s); this
module only adds them and takes out the 补助下级 (下拨) pairs between them (``ledger.queries.consolidation``):
the parent's 补助下级支出 and the branch's 上级补助收入 of each pair leave 本年支出 and 本年收入 alike, so the
consolidated 年末经费余额 stays the sum of the parts. The 分工会 kept as a dimension of the parent's lines (辅助核算)
are already inside the parent's figures; they are shown beside them, not added again.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ledger.models import AccountingYear
from ledger.money import ZERO
from ledger.queries import Check, Comparison
from ledger.queries.consolidation import (
    ALLOCATION_EXPENSE,
    ALLOCATION_INCOME,
    Eliminated,
    TrackedFigures,
    branch_years,
    eliminations,
    tracked_figures,
)
from reports.data import AnnualReportData, build_annual_report


@dataclass(frozen=True)
class GroupLine:
    """One first-level income or spending account of the consolidated figures (the branches' 明细 differ)."""

    code: str
    name: str
    amount: Decimal
    eliminated: Decimal = ZERO  # the inter-union part taken out of this line


@dataclass(frozen=True)
class ConsolidatedReport:
    """A union-year with the same year of its 分工会, added and with the inter-union items eliminated."""

    parent: AnnualReportData
    branches: tuple[AnnualReportData, ...]
    eliminated: tuple[Eliminated, ...]
    tracked: tuple[TrackedFigures, ...]
    income: tuple[GroupLine, ...]
    expense: tuple[GroupLine, ...]

    @property
    def parts(self) -> tuple[AnnualReportData, ...]:
        return (self.parent, *self.branches)

    @property
    def title(self) -> str:
        return f"{self.parent.union_name}{self.parent.year}年度合并财务工作报告"

    @property
    def is_closed(self) -> bool:
        return all(part.is_closed for part in self.parts)

    def _sum(self, figure: str) -> Decimal:
        return sum((getattr(part.current, figure) for part in self.parts), ZERO)

    @property
    def eliminated_total(self) -> Decimal:
        return sum((item.amount for item in self.eliminated), ZERO)

    @property
    def opening_balance(self) -> Decimal:
        return self._sum("opening_balance")

    @property
    def total_income(self) -> Decimal:
        return self._sum("total_income") - self.eliminated_total

    @property
    def total_expense(self) -> Decimal:
        return self._sum("total_expense") - self.eliminated_total

    @property
    def closing_balance(self) -> Decimal:
        return self._sum("closing_balance")

    @property
    def cash(self) -> Decimal:
        return self._sum("cash")

    @property
    def bank(self) -> Decimal:
        return self._sum("bank")

    @property
    def remittance_upper(self) -> Decimal:
        return self._sum("remittance_upper")

    @property
    def owed_upward(self) -> Decimal:
        return sum((part.plan.owed_upward for part in self.parts if part.plan), ZERO)

    @property
    def dues(self):
        """The parent's 会费收缴, which already counts the dues its 分工会 collected (``plan.queries.dues_summary``)."""
        return self.parent.plan.dues if self.parent.plan else None

    @property
    def findings(self) -> tuple[tuple[str, object], ...]:
        """(union name, finding) of every part."""
        return tuple(
            (part.union_name, finding) for part in self.parts if part.plan for finding in part.plan.findings
        )

    @property
    def rows(self) -> tuple[tuple[str, tuple[Decimal, ...], Decimal, Decimal], ...]:
        """合并收支情况表: (item, each part's figure, eliminated, consolidated)."""
        items = (
            ("年初经费余额", "opening_balance", ZERO),
            ("本年收入", "total_income", self.eliminated_total),
            ("本年支出", "total_expense", self.eliminated_total),
            ("年末经费余额", "closing_balance", ZERO),
            ("库存现金", "cash", ZERO),
            ("银行存款", "bank", ZERO),
        )
        return tuple(
            (
                label,
                tuple(getattr(part.current, figure) for part in self.parts),
                taken,
                self._sum(figure) - taken,
            )
            for label, figure, taken in items
        )

    @property
    def checks(self) -> tuple[Check, ...]:
        """合并后 the year's equation holds, and every pair eliminated from both sides."""
        return (
            Check(
                "合并：年末经费余额＝年初经费余额＋本年收入－本年支出",
                (
                    Comparison(
                        "合并年末经费余额",
                        self.closing_balance,
                        "合并年初经费余额＋本年收入－本年支出",
                        self.opening_balance + self.total_income - self.total_expense,
                    ),
                ),
            ),
            Check(
                f"内部往来已抵销：{ALLOCATION_EXPENSE}＝{ALLOCATION_INCOME}",
                (
                    Comparison(
                        f"抵销的{ALLOCATION_EXPENSE}",
                        sum((line.eliminated for line in self.expense), ZERO),
                        f"抵销的{ALLOCATION_INCOME}",
                        sum((line.eliminated for line in self.income), ZERO),
                    ),
                ),
            ),
        )


def _groups(
    parts: tuple[AnnualReportData, ...], kind: str, eliminated: Decimal, name: str
) -> tuple[GroupLine, ...]:
    """The parts' lines added by first-level account (code and name of the 制度), less ``eliminated`` on ``name``."""
    amounts: dict[str, Decimal] = {}
    names: dict[str, str] = {}
    for part in parts:
        for line in getattr(part, f"{kind}_lines"):
            amounts[line.group_code] = amounts.get(line.group_code, ZERO) + line.amount
            names[line.group_code] = line.group_name
    lines = []
    for code in sorted(amounts):
        taken = eliminated if names[code] == name else ZERO
        lines.append(GroupLine(code, names[code], amounts[code] - taken, taken))
    return tuple(line for line in lines if line.amount or line.eliminated)


def build_consolidated_report(year: AccountingYear) -> ConsolidatedReport:
    """The consolidated report of ``year`` and its branches' years: each part's report (a fixed number of queries
    each, see ``build_annual_report``) and three more (the branch years, the pairs, the dimension)."""
    parent = build_annual_report(year)
    branches = tuple(build_annual_report(branch) for branch in branch_years(year))
    in_branches = {branch.union_slug for branch in branches}
    eliminated = tuple(item for item in eliminations(year) if item.branch_slug in in_branches)
    total = sum((item.amount for item in eliminated), ZERO)
    parts = (parent, *branches)
    return ConsolidatedReport(
        parent=parent,
        branches=branches,
        eliminated=eliminated,
        tracked=tracked_figures(year),
        income=_groups(parts, "income", total, ALLOCATION_INCOME),
        expense=_groups(parts, "expense", total, ALLOCATION_EXPENSE),
    )
