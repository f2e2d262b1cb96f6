"""The 总工会's table as a workbook the report workers render and the report cache keeps. Registered with
``reports.jobs`` from ``FederationConfig.ready``; the reports never import the federation.

The table is of the federation's year, not of one of its books (a 总工会 may keep none that year), so its job
names the union and the year (``reports.jobs.subject``). Its figures read every union under it, so the cache
key is a hash of the rows as built (the table's nine queries) in the order asked for, and of the code that lays
them out; ``param`` is that order, ``closing-desc``.
"""

from django.urls import reverse

from federation.queries import SORT_KEYS, federation_rows, sorted_rows
from federation.render import render_table_xlsx
from ledger.models import AccountingYear
from reports import jobs
from reports.cache import data_key, layout_fingerprint

LAYOUT = ("federation/render.py", "federation/jobs.py", "federation/queries.py")


def order(key: str, descending: bool) -> str:
    """The ``param`` of a table sorted by ``key`` (an unknown key sorts by name, as the page does)."""
    return f"{key if key in SORT_KEYS else 'name'}-{'desc' if descending else 'asc'}"


def _sorted(year: AccountingYear, param: str):
    key, _, direction = param.rpartition("-")
    return sorted_rows(federation_rows(year.union, year.year), key, direction == "desc")


def _key(year: AccountingYear, month: int, param: str) -> str:
    return data_key(year.union.name, year.year, param, _sorted(year, param), layout_fingerprint(*LAYOUT))


def _render(year: AccountingYear, month: int, param: str):
    return render_table_xlsx(federation_name=year.union.name, year=year.year, rows=_sorted(year, param))


def _link(year: AccountingYear, month: int, param: str) -> str:
    key, _, direction = param.rpartition("-")
    url = reverse("federation:table_xlsx", args=[year.union.slug, year.year])
    return f"{url}?sort={key}" + ("&dir=desc" if direction == "desc" else "")


def register() -> None:
    jobs.register(
        jobs.Kind(
            "federation-xlsx",
            "所属工会汇总表（Excel）",
            "federation:table_xlsx",
            _render,
            key=_key,
            link=_link,
            need="federation",
        ),
        layout=LAYOUT,
    )
