"""The report pages: the 财务工作报告 (page, PDF, Excel), its words, and the auditor's statements.

Every page needs sign-in. The union is looked up among the user's own unions (another union is a 404),
then ``roles.can_download_reports`` decides (a Chinese 403 otherwise); editing the words needs
``roles.can_record``. PDF and Excel files are served from the cache while the books and words are unchanged.
"""

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from ledger import roles
from ledger.errors import LedgerError
from ledger.models import AccountingYear
from reports import cache, fonts
from reports.data import AnnualReportData, build_annual_report
from reports.forms import ReportTextForm
from reports.queries import journal_rows
from reports.render import report_context
from reports.render.pdf import PdfUnavailable, render_pdf
from reports.render.xlsx import render_xlsx
from reports.services import save_report_text

DENIED = "您的角色不能查看本工会的财务报告和报表，请联系管理员分配角色。"


def _year(request: HttpRequest, slug: str, year: int, *, edit: bool = False) -> AccountingYear:
    union = get_object_or_404(roles.unions_for(request.user), slug=slug)
    if not roles.can_download_reports(request.user, union):
        raise PermissionDenied(DENIED)
    if edit and not roles.can_record(request.user, union):
        raise PermissionDenied("只有出纳/会计可以修改财务工作报告的文字；您的角色只能查看和下载。")
    return get_object_or_404(AccountingYear.objects.select_related("union", "chart"), union=union, year=year)


def _page(request: HttpRequest, book: AccountingYear, template: str, context: dict, status: int = 200):
    user, union = request.user, book.union
    context = {
        "book": book,
        "union": union,
        "years": list(union.years.order_by("-year").values_list("year", flat=True)),
        "can_record": roles.can_record(user, union) and not book.is_closed,
        "can_edit_text": roles.can_record(user, union) and not book.is_closed,
        "can_audit": roles.can_read_audit_trail(user, union),
        **context,
    }
    return render(request, template, context, status=status)


@login_required
@require_safe
def annual(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = _year(request, slug, year)
    data = build_annual_report(book)
    context = report_context(data) | {"font_problems": fonts.status().problems}
    return _page(request, book, "reports/annual.html", context)


@login_required
@require_safe
def annual_pdf(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = _year(request, slug, year)
    status = fonts.status()
    if not status.has_cjk_font:
        return _page(request, book, "reports/pdf_unavailable.html", {"problems": status.problems}, status=503)
    try:
        found = cache.cached(book, "pdf", lambda: render_pdf(build_annual_report(book)))
    except fonts.MissingGlyphs as error:
        return _page(
            request,
            book,
            "reports/pdf_unavailable.html",
            {"problems": [str(error)], "characters": error.characters},
            status=503,
        )
    except PdfUnavailable as error:
        return _page(request, book, "reports/pdf_unavailable.html", {"problems": [str(error)]}, status=503)
    return _file(found)


@login_required
@require_safe
def annual_xlsx(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = _year(request, slug, year)
    found = cache.cached(book, "xlsx", lambda: render_xlsx(build_annual_report(book), journal_rows(book)))
    return _file(found)


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
    book = _year(request, slug, year, edit=True)
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
    return _page(
        request,
        book,
        "reports/edit_text.html",
        {"form": form, "data": data},
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def statements(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = _year(request, slug, year)
    data = build_annual_report(book)
    from reports.statements import form_for

    form = form_for(data.chart_code)
    return _page(
        request,
        book,
        "reports/statements.html",
        report_context(data) | {"mapping_note": form["note"] if form else ""},
    )
