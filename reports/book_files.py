"""The books' workbooks (``ledger/files.py``: 日记账, 明细账, 总账, 科目余额表) and the 操作记录 workbook
(``audit/files.py``) as files the report workers render.

The ledger and the audit trail never import the reports, so the kinds are registered here and their views reach
the workers through ``ledger.hooks.download``. A book's key is the report cache's own key of the books (four small
queries: the state of the posted books, the chart's and accounts' names) with the code that writes them. The
操作记录's key is the state of the union's append-only trail (``audit.queries.trail_state``, one query) with the
filters (its ``param``), the union's name and the code that writes it.
"""

from audit import files as audit_files
from audit.queries import trail_state
from ledger import files
from ledger.models import AccountingYear
from reports import jobs
from reports.cache import cache_key, data_key, layout_fingerprint

LAYOUT = ("ledger/files.py", "ledger/exports.py", "ledger/queries/*.py")
AUDIT_LAYOUT = ("audit/files.py", "audit/exports.py", "audit/readable.py", "audit/queries.py")


def _key(name: str):
    def key(year: AccountingYear, month: int, param: str) -> str:
        return data_key(cache_key(year, f"{name}-{param}"), layout_fingerprint(*LAYOUT))

    return key


def _audit_key(year: AccountingYear, month: int, param: str) -> str:
    union = year.union
    parts = ("trail-xlsx", param, union.pk, union.name, union.slug, year.year, trail_state(union))
    return data_key(*parts, layout_fingerprint(*AUDIT_LAYOUT))


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
    jobs.register(
        jobs.Kind(
            "trail-xlsx",
            "操作记录（Excel）",
            "",
            lambda year, month, param: audit_files.trail_workbook(year, param),
            key=_audit_key,
            link=lambda year, month, param: audit_files.trail_workbook_url(year, param),
            need="audit_trail",  # as the export itself: book_for(..., also="audit")
        ),
        layout=AUDIT_LAYOUT,
    )
