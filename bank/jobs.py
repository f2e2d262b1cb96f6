"""The bank's files as the report workers render them and the report cache keeps them: the 银行存款余额调节表 of a
month (PDF, workbook) and the 库存现金盘点表 of one count (PDF). Registered with ``reports.jobs`` from
``BankConfig.ready``; the reports never import the bank.

Their figures read the bank statements and the matches besides the books, so the cache key is a hash of the
data as built (what the page shows too: the reconciliation's five queries, or the count's one) and of the code,
templates and fonts that lay it out.
"""

from django.urls import reverse

from bank import queries
from bank import render as renderers
from ledger.errors import LedgerError
from ledger.models import AccountingYear
from reports import fonts, jobs
from reports.cache import data_key, layout_fingerprint, row_fields
from reports.data import signature_lines

LAYOUT = ("bank/render.py", "bank/jobs.py", "templates/bank/*_pdf.html")


def signatures(union) -> list[str]:
    return signature_lines(union.signatures)


def _reconciliation_key(year: AccountingYear, month: int, param: str, pdf: bool) -> str:
    data = queries.reconciliation(year, month)
    made = fonts.embedded_files() if pdf else None
    return data_key(data, year.union.name, signatures(year.union), made, layout_fingerprint(*LAYOUT))


def _count(year: AccountingYear, param: str):
    count = queries.cash_count_in(year, int(param)) if param.isdigit() else None
    if count is None:
        raise LedgerError("没有这次盘点")
    return count


def _count_signatures(year: AccountingYear, count) -> list[str]:
    counter = count.counted_by.get_full_name() or count.counted_by.get_username()
    return [f"盘点人（出纳）：{counter}", f"监盘人：{count.witness}", *signatures(year.union)[:1]]


def _count_key(year: AccountingYear, month: int, param: str) -> str:
    count = _count(year, param)
    parts = (row_fields(count), year.union.name, _count_signatures(year, count), fonts.embedded_files())
    return data_key(*parts, layout_fingerprint(*LAYOUT))


def _render_count(year: AccountingYear, month: int, param: str) -> renderers.Rendered:
    count = _count(year, param)
    return renderers.cash_count_pdf(
        count, union_name=year.union.name, signatures=_count_signatures(year, count)
    )


def _reconciliation_link(suffix: str):
    def link(year: AccountingYear, month: int, param: str) -> str:
        return reverse("bank:reconciliation", args=[year.union.slug, year.year, month]) + f"?format={suffix}"

    return link


def register() -> None:
    for suffix, label, renderer in (
        ("pdf", "PDF", renderers.reconciliation_pdf),
        ("xlsx", "Excel", renderers.reconciliation_xlsx),
    ):
        jobs.register(
            jobs.Kind(
                f"bank-reconciliation-{suffix}",
                f"银行存款余额调节表（{label}）",
                "bank:reconciliation",
                lambda year, month, param, renderer=renderer: renderer(
                    queries.reconciliation(year, month), signatures=signatures(year.union)
                ),
                monthly=True,
                key=lambda year, month, param, pdf=suffix == "pdf": _reconciliation_key(
                    year, month, param, pdf
                ),
                link=_reconciliation_link(suffix),
                need="read",
            ),
            layout=LAYOUT,
        )
    jobs.register(
        jobs.Kind(
            "cash-count-pdf",
            "库存现金盘点表（PDF）",
            "bank:cash_count_pdf",
            _render_count,
            key=_count_key,
            link=lambda year, month, param: _count_url(year, param),
            need="read",
        ),
        layout=LAYOUT,
    )


def _count_url(year: AccountingYear, param: str) -> str:
    return reverse("bank:cash_count_pdf", args=[year.union.slug, year.year, int(param)])
