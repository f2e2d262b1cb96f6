"""The books' workbooks (``ledger/files.py``: 日记账, 明细账, 总账, 科目余额表) as files the report workers render.

The ledger never imports the reports, so the kinds are registered here and the ledger's views reach the
workers through ``ledger.hooks.download``. The key is the report cache's own key of the books (four small
queries: the state of the posted books, the chart's and accounts' names) with the code that writes them.
"""

from ledger import files
from ledger.models import AccountingYear
from reports import jobs
from reports.cache import cache_key, data_key, layout_fingerprint

LAYOUT = ("ledger/files.py", "ledger/exports.py", "ledger/queries/*.py")


def _key(name: str):
    def key(year: AccountingYear, month: int, param: str) -> str:
        return data_key(cache_key(year, f"{name}-{param}"), layout_fingerprint(*LAYOUT))

    return key


def register() -> None:
    for name, title, render, link in (
        ("journal-xlsx", "日记账（Excel）", files.journal, files.journal_url),
        ("balances-xlsx", "科目余额表（Excel）", files.balances, files.balances_url),
        ("general-ledger-xlsx", "总账（Excel）", files.general_ledger, files.general_ledger_url),
    ):
        jobs.register(
            jobs.Kind(
                name,
                title,
                "",
                lambda year, month, param, render=render: render(year, param),
                key=_key(name),
                link=lambda year, month, param, link=link: link(year, param),
                need="read",
            ),
            layout=LAYOUT,
        )
