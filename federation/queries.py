"""The 总工会's table: each union under it in one row, read in a fixed number of queries however many.

The figures are the ledger's and the plan's own rules applied to many years at once: ``ledger.queries.
years_totals`` (本年收入, 本年支出, 年末经费余额, 应付上级经费 as ``year_summary`` defines them, one aggregate over
the per-day totals), ``plan.queries.findings_of_years`` (the spending rules' findings) and ``plan.queries.
dues_of_unions`` (收缴率, with each union's 分工会). Nine queries for 1 union or 2,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ledger.models import AccountingYear, Union
from ledger.queries import years_totals
from plan.queries import dues_of_unions, findings_of_years

# The table's columns: (key, heading, what sorting compares). The view takes ?sort=<key> from this list only.
COLUMNS = (
    ("name", "工会"),
    ("year", "年度"),
    ("is_closed", "结账"),
    ("income", "本年收入"),
    ("expense", "本年支出"),
    ("closing", "年末经费余额"),
    ("findings", "开支规定提示"),
    ("owed_upward", "应上缴上级经费"),
    ("dues_rate", "会费收缴率（%）"),
)
SORT_KEYS = frozenset(key for key, _ in COLUMNS)
# The columns of figures (money, counts, percentages): right-aligned, as every table of figures is.
FIGURE_COLUMNS = frozenset({"income", "expense", "closing", "findings", "owed_upward", "dues_rate"})


@dataclass(frozen=True)
class UnionRow:
    """One union under the federation in one year; the figures are None when the union has no books that year."""

    slug: str
    name: str
    year: int | None
    is_closed: bool | None
    income: Decimal | None
    expense: Decimal | None
    closing: Decimal | None
    findings: int | None
    owed_upward: Decimal | None
    dues_rate: Decimal | None

    @property
    def has_books(self) -> bool:
        return self.year is not None


def federation_rows(union: Union, year: int) -> list[UnionRow]:
    """The unions directly under ``union`` with their ``year``, by name. Nine queries however many unions."""
    members = list(Union.objects.filter(parent=union).order_by("name", "slug"))
    years = {
        found.union_id: found
        for found in AccountingYear.objects.select_related("union", "chart").filter(
            union__parent=union, year=year
        )
    }
    kept = list(years.values())
    totals = years_totals(kept)
    findings = findings_of_years(kept)
    dues = dues_of_unions(members, year)
    rows = []
    for member in members:
        found = years.get(member.pk)
        figures = totals.get(found.pk) if found else None
        summary = dues.get(member.pk)
        rows.append(
            UnionRow(
                slug=member.slug,
                name=member.name,
                year=found.year if found else None,
                is_closed=found.is_closed if found else None,
                income=figures.income if figures else None,
                expense=figures.expense if figures else None,
                closing=figures.closing_funds if figures else None,
                findings=len(findings[found.pk]) if found else None,
                owed_upward=figures.owed_upward if figures else None,
                dues_rate=summary.rate if summary else None,
            )
        )
    return rows


def sorted_rows(rows: list[UnionRow], key: str, descending: bool) -> list[UnionRow]:
    """The rows by one column; a union without a figure there comes last either way."""
    if key not in SORT_KEYS:
        key = "name"
    present = [row for row in rows if getattr(row, key) is not None]
    missing = [row for row in rows if getattr(row, key) is None]
    return sorted(present, key=lambda row: (getattr(row, key), row.name), reverse=descending) + missing
