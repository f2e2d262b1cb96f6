"""The report pages: the 财务工作报告 (page, PDF, Excel), its words, and the auditor's statements.

Every page needs sign-in; ``ledger.access.book_for`` finds the union-year among the user's own unions
(another union is a 404) and checks the role: reading needs ``"reports"``, editing the words ``"edit_text"``
(a Chinese 403 otherwise). PDF and Excel files are served from the cache while the books and words are unchanged.
"""

import uuid
from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_safe

from ledger import transition as ledger_transition
from ledger.access import book_for, union_for
from ledger.errors import LedgerError
from reports import cache, fonts, jobs
from reports.consolidated import build_consolidated_report
from reports.consolidated_statements import build_consolidated_statements
from reports.data import AnnualReportData, build_annual_report
from reports.forms import MonthForm, ReportTextForm
from reports.render import consolidated_context, consolidated_statements_context, report_context
from reports.render.transition import render_transition_xlsx
from reports.services import save_report_text


@login_required
@require_safe
def annual(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = book_for(request, slug, year, need="reports").year
    data = build_annual_report(book)
    context = report_context(data) | {"font_problems": fonts.status().problems}
    return render(request, "reports/annual.html", context)


@login_required
@require_safe
def annual_pdf(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = book_for(request, slug, year, need="reports").year
    return without_fonts(request) or file_or_wait(request, book, "annual-pdf")


@login_required
@require_safe
def annual_xlsx(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = book_for(request, slug, year, need="reports").year
    return file_or_wait(request, book, "annual-xlsx")


def without_fonts(request: HttpRequest) -> HttpResponse | None:
    """The page saying why no PDF can be made (503) when the report fonts are missing, else None."""
    status = fonts.status()
    if not status.has_cjk_font:
        return render(request, "reports/pdf_unavailable.html", {"problems": status.problems}, status=503)
    return None


def file_or_wait(request: HttpRequest, book, kind: str, month: int = 12, param: str = "") -> HttpResponse:
    """The file from the cache; on a miss a page that waits for a background worker to render it (202).

    Every download a worker renders goes through here, the bank's and the 总工会's too (``book``: an unsaved
    ``AccountingYear`` for a union's year without books, see ``jobs.subject``), after the caller's access check.
    """
    found = jobs.lookup(book, kind, month, param)
    if found is not None:
        return _file(found)
    job = jobs.request_render(year=book, kind=kind, month=month, param=param, user=request.user)
    context = {
        "job": job,
        "status": jobs.status(job),
        "subject": book,
        "status_url": reverse("reports:render_status", args=[book.union.slug, book.year, job.pk]),
    }
    return render(request, "reports/rendering.html", context, status=202)


@login_required
@require_safe
def render_status(request: HttpRequest, slug: str, year: int, job: uuid.UUID) -> JsonResponse:
    """Where a background render stands, for the waiting page's script (reports/rendering.html). The user needs
    what the file's own download needs (``Kind.need``): the reports, reading the books, or the 总工会's role."""
    found = jobs.job_of(slug, year, job)
    if found is None or found.kind not in jobs.KINDS:
        raise Http404("没有这个生成任务")
    need = jobs.KINDS[found.kind].need
    if need == "federation":
        union_for(request, slug, need=need)
    else:
        book_for(request, slug, year, need=need)
    return JsonResponse(jobs.status(found).as_dict(), json_dumps_params={"ensure_ascii": False})


def _file(found: cache.CachedFile) -> FileResponse:
    response = FileResponse(
        found.path.open("rb"), as_attachment=True, filename=found.filename, content_type=found.content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Report-Cache"] = "hit" if found.hit else "miss"
    return response


def _with_line_labels(data: AnnualReportData):
    """The words as the form shows them: every line's current label, so an untouched form changes nothing."""
    labels = {line.code: line.label for line in (*data.income, *data.expense)}
    return replace(data.text, labels=tuple(sorted(labels.items())))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_text(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = book_for(request, slug, year, need="reports", also="edit_text").year
    data = build_annual_report(book)
    form = ReportTextForm(request.POST or None, data_source=data)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_report_text(
                year=book, current=_with_line_labels(data), values=form.cleaned_data, user=request.user
            )
        except LedgerError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "报告文字已保存。" if saved else "报告文字没有变化。")
            return redirect("reports:annual", book.union.slug, book.year)
    return render(
        request,
        "reports/edit_text.html",
        {"form": form, "data": data},
        status=400 if form.errors else 200,
    )


def _statements_data(request: HttpRequest, book) -> AnnualReportData:
    """The report data with its statements at the end of the month asked for (?month=1–12, else December)."""
    return jobs.statements_data(book, MonthForm(request.GET).chosen())


@login_required
@require_safe
def statements(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = book_for(request, slug, year, need="reports").year
    data = _statements_data(request, book)
    context = report_context(data) | {"statements": data.statements, "months": range(1, 13)}
    return render(request, "reports/statements.html", context)


def _no_statements(request: HttpRequest, book) -> HttpResponse:
    problem = f"本账套使用的会计制度（{book.chart.name}）尚无报表格式"
    return render(request, "reports/pdf_unavailable.html", {"problems": [problem]}, status=404)


def _statements_file(request: HttpRequest, slug: str, year: int, kind: str) -> HttpResponse:
    """A month's statements file (``kind``: the union's or the 合并 ones) from the workers: without the report
    fonts a PDF is refused (503), and a year whose chart has no statement form has none (404)."""
    book = book_for(request, slug, year, need="reports").year
    if kind.endswith("-pdf") and (unavailable := without_fonts(request)):
        return unavailable
    if not jobs.has_statements(book):
        return _no_statements(request, book)
    return file_or_wait(request, book, kind, MonthForm(request.GET).chosen())


@login_required
@require_safe
def statements_pdf(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """资产负债表 and 收入支出表 of the month asked for, in the form of the year's chart, as a PDF."""
    return _statements_file(request, slug, year, "statements-pdf")


@login_required
@require_safe
def statements_xlsx(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The two statements as a workbook whose totals are formulas."""
    book = book_for(request, slug, year, need="reports").year
    if not jobs.has_statements(book):
        raise Http404("本账套使用的会计制度尚无报表格式")
    return file_or_wait(request, book, "statements-xlsx", MonthForm(request.GET).chosen())


def _download(rendered) -> HttpResponse:
    filename, content_type, body = rendered
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def transition(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """新旧科目对照表: the mapping between the year's chart and its neighbour's, and the amounts moved."""
    book = book_for(request, slug, year, need="reports").year
    moved = ledger_transition.for_year(book)
    return render(request, "reports/transition.html", {"transition": moved, "union_name": book.union.name})


@login_required
@require_safe
def transition_xlsx(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = book_for(request, slug, year, need="reports").year
    moved = ledger_transition.for_year(book)
    if moved is None:
        return render(request, "reports/transition.html", {"transition": None}, status=404)
    return _download(render_transition_xlsx(moved, union_name=book.union.name, year=book.year))


@login_required
@require_safe
def consolidated(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """合并: the union with its 分工会 that keep books, the inter-union 补助下级 eliminated."""
    book = book_for(request, slug, year, need="reports").year
    report = build_consolidated_report(book)
    context = consolidated_context(report) | {"font_problems": fonts.status().problems}
    return render(request, "reports/consolidated.html", context)


@login_required
@require_safe
def consolidated_pdf(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = book_for(request, slug, year, need="reports").year
    return without_fonts(request) or file_or_wait(request, book, "consolidated-pdf")


@login_required
@require_safe
def consolidated_statements(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """合并资产负债表 and 合并收入支出表: 本级, each 分工会 that keeps books, 抵销 and 合并 (?month=1–12)."""
    book = book_for(request, slug, year, need="reports").year
    consolidated = build_consolidated_statements(book, MonthForm(request.GET).chosen())
    if consolidated is None:
        return _no_statements(request, book)
    context = consolidated_statements_context(consolidated) | {
        "months": range(1, 13),
        "font_problems": fonts.status().problems,
    }
    return render(request, "reports/consolidated_statements.html", context)


@login_required
@require_safe
def consolidated_statements_pdf(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    return _statements_file(request, slug, year, "consolidated-statements-pdf")


@login_required
@require_safe
def consolidated_statements_xlsx(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    return _statements_file(request, slug, year, "consolidated-statements-xlsx")
