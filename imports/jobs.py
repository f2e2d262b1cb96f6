"""导出 (a year's vouchers and 期初余额 in the import template) as a file the report workers render and the report
cache keeps: it grows with the year, so it is not made in the web request. Registered with ``reports.jobs``
from ``ImportsConfig.ready``; the reports never import the import app.

The key is the report cache's own key of the books (four small queries: the state of the posted books, the
chart's and accounts' names) with the code that writes the template.
"""

from imports import queries
from imports import render as xlsx
from ledger.models import AccountingYear
from reports import jobs
from reports.cache import cache_key, data_key, layout_fingerprint

LAYOUT = ("imports/render.py", "imports/queries.py", "imports/jobs.py")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _key(year: AccountingYear, month: int, param: str) -> str:
    return data_key(cache_key(year, "vouchers-export"), layout_fingerprint(*LAYOUT))


def _render(year: AccountingYear, month: int, param: str):
    content = xlsx.export(queries.voucher_rows(year), queries.opening_rows(year))
    return f"{year.union.name}{year.year}年度凭证.xlsx", XLSX, content


def register() -> None:
    jobs.register(
        jobs.Kind("vouchers-export", "凭证导出（Excel）", "imports:export", _render, key=_key, need="read"),
        layout=LAYOUT,
    )
