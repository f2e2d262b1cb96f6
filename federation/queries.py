"""The 总工会's table: each union under it in one row, read in a fixed number of queries however many.

The figures are the ledger's and the plan's own rules applied to many years at once: ``ledger.queries.
years_totals`` (本年收入, 本年支出, 年末经费余额, 应付上级经费 as ``year_summary`` defines them, one aggregate over
the per-day totals), ``plan.queries.findings_of_years`` (the spending rules' findings) and ``plan.queries.
dues_rates_of_unions`` (收缴率, with each union's 分工会).

Summing a year's per-day totals and evaluating its payments against the rules cost about a millisecond a
union-year, so the table keeps each year's figures (``federation.models.YearFigures``) with their basis: the
year's count of posted vouchers (``AccountingYear.next_number``, moved by the database in every posting's
transaction, a 红字冲销 included, whoever posts), the union's province, the chart's codes, the rules in force and
the code that computes them. A reading uses a kept row only while its basis is the year's basis as read now, and
computes the others again and keeps them: the figures are never older than the books the reading sees. The
收缴率 is kept beside them with a basis of its own (``plan.queries.dues_states``: the rosters' counts of changes,
kept by the database, the counts of posted vouchers of every year of the union and its 分工会, the dues settings,
the last month due). Eight queries when every kept row holds, seventeen when some do not, for 1 union or 2,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from federation.models import YearFigures
from ledger.models import AccountingYear, Union
from ledger.money import decimal_to_fen, fen_to_decimal
from ledger.queries import years_totals
from plan.queries import active_rules, dues_rates_of_unions, dues_states, findings_of_years, rules_state
from reports.cache import data_key, layout_fingerprint

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


# The code that computes a year's figures: a release that changes it computes every year again.
FIGURES_CODE = ("ledger/queries/*.py", "plan/queries.py", "plan/compliance.py", "federation/queries.py")
FIGURES = ("income_fen", "expense_fen", "closing_fen", "owed_upward_fen", "findings")


def _basis(year: AccountingYear, rules: str) -> str:
    """What a year's figures are computed from, as a short hash (see the module's docstring)."""
    chart = year.chart
    return data_key(
        year.next_number,
        year.union.province,
        chart.pk,
        chart.cash_code,
        chart.payable_upper_code,
        rules,
        layout_fingerprint(*FIGURES_CODE),
    )


def year_figures(years: list[AccountingYear]) -> dict[int, YearFigures]:
    """Each year's figures by its id (the years' unions and charts loaded): the kept ones whose basis holds, the
    others computed again and kept; the same, apart, for the 收缴率. Six queries when all hold; fifteen when
    some do not."""
    every_rule = active_rules()
    rules = data_key(rules_state(every_rule))
    basis = {year.pk: _basis(year, rules) for year in years}
    states = dues_states([year.union for year in years], years[0].year) if years else {}
    dues_basis = {
        year.pk: data_key(states[year.union_id], layout_fingerprint(*FIGURES_CODE)) for year in years
    }
    kept = {row.year_id: row for row in YearFigures.objects.filter(year_id__in=list(basis))}
    stale = [year for year in years if year.pk not in kept or kept[year.pk].basis != basis[year.pk]]
    stale_dues = [
        year for year in years if year.pk not in kept or kept[year.pk].dues_basis != dues_basis[year.pk]
    ]
    if not stale and not stale_dues:
        return kept
    totals = years_totals(stale)
    findings = findings_of_years(stale, every_rule) if stale else {}
    rates = dues_rates_of_unions([year.union for year in stale_dues], years[0].year) if stale_dues else {}
    computed = []
    books_moved, dues_moved = {year.pk for year in stale}, {year.pk for year in stale_dues}
    # In the order of the years' ids, so two readings keeping the same years never wait for each other in turn.
    for year in sorted({*stale, *stale_dues}, key=lambda year: year.pk):
        row = kept.get(year.pk) or YearFigures(year_id=year.pk)
        if year.pk in books_moved:
            row.basis = basis[year.pk]
            row.income_fen = decimal_to_fen(totals[year.pk].income)
            row.expense_fen = decimal_to_fen(totals[year.pk].expense)
            row.closing_fen = decimal_to_fen(totals[year.pk].closing_funds)
            row.owed_upward_fen = decimal_to_fen(totals[year.pk].owed_upward)
            row.findings = len(findings[year.pk])
        if year.pk in dues_moved:
            row.dues_basis = dues_basis[year.pk]
            row.dues_rate = rates.get(year.union_id)
        computed.append(row)
    YearFigures.objects.bulk_create(
        computed,
        update_conflicts=True,
        unique_fields=["year"],
        update_fields=["basis", *FIGURES, "dues_basis", "dues_rate", "computed_at"],
    )
    kept.update((row.year_id, row) for row in computed)
    return kept


def federation_rows(union: Union, year: int) -> list[UnionRow]:
    """The unions directly under ``union`` with their ``year``, by name. Eight queries however many unions
    (seventeen when some years' figures are computed again). A union without books that year has no figures."""
    members = list(Union.objects.filter(parent=union).order_by("name", "slug"))
    years = {
        found.union_id: found
        for found in AccountingYear.objects.select_related("union", "chart").filter(
            union__parent=union, year=year
        )
    }
    figures = year_figures(list(years.values()))
    rows = []
    for member in members:
        found = years.get(member.pk)
        kept = figures[found.pk] if found else None
        rows.append(
            UnionRow(
                slug=member.slug,
                name=member.name,
                year=found.year if found else None,
                is_closed=found.is_closed if found else None,
                income=fen_to_decimal(kept.income_fen) if kept else None,
                expense=fen_to_decimal(kept.expense_fen) if kept else None,
                closing=fen_to_decimal(kept.closing_fen) if kept else None,
                findings=kept.findings if kept else None,
                owed_upward=fen_to_decimal(kept.owed_upward_fen) if kept else None,
                dues_rate=kept.dues_rate if kept else None,
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
