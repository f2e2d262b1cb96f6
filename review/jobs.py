"""The 经费审查报告's PDF and workbook as files the report workers render and the report cache keeps.

Its figures read the review's marks and 疑点, the bank and the plan besides the books, so its cache key is a
hash of the report's built data (what the page shows too) and of the code and templates that lay it out,
rather than the finance report's key of the books and words. Registered with ``reports.jobs`` from
``ReviewConfig.ready``; the reports never import the review.
"""

from dataclasses import replace

from ledger.models import AccountingYear
from reports import jobs
from reports.cache import data_key, layout_fingerprint, row_fields
from review import render
from review.report import build_audit_report

LAYOUT = ("review/render.py", "templates/review/audit_report*.html")


def audit_key(year: AccountingYear, month: int = 12, param: str = "") -> str:
    """A hash of everything the 经费审查报告 prints: its data (the last cash count by its fields) and layout."""
    data = build_audit_report(year)
    count = data.last_cash_count
    fields = None if count is None else row_fields(count)
    return data_key(
        replace(data, last_cash_count=None),
        fields,
        layout_fingerprint(*LAYOUT),
    )


def register() -> None:
    for suffix, title, renderer in (
        ("pdf", "经费审查报告（PDF）", render.render_pdf),
        ("xlsx", "经费审查报告（Excel）", render.render_xlsx),
    ):
        jobs.register(
            jobs.Kind(
                f"audit-{suffix}",
                title,
                "review:audit_report",
                lambda year, month, param, renderer=renderer: renderer(build_audit_report(year)),
                query=f"?format={suffix}",
                key=audit_key,
            ),
            layout=LAYOUT,
        )
