"""操作记录: who did what in a union's books, newest first, for the 经费审查 and administrators."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from audit import files
from audit.forms import AuditFilterForm
from audit.queries import events_for
from audit.readable import readable
from ledger import hooks
from ledger.access import book_for
from ledger.errors import LedgerError

PAGE_SIZE = 50


@login_required
@require_safe
def trail(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = book_for(request, slug, year, also="audit")
    form = AuditFilterForm(request.GET or None)
    page = Paginator(events_for(book.union, **form.filters()), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "rows": readable(page.object_list), "form": form, "query": query.urlencode()}
    return render(request, "audit/trail.html", context)


@login_required
@require_safe
def export(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The same trail, with the same filters, as an Excel workbook a report worker writes (``audit/files.py``).

    A filter the page would show as wrong, or a user filter too long to name the file, is refused with the
    reason (400) rather than exported as the whole trail.
    """
    book = book_for(request, slug, year, also="audit")
    form = AuditFilterForm(request.GET or None)
    problems = [
        f"{form.fields[name].label}：{error}" if name in form.fields else error
        for name, errors in form.errors.items()
        for error in errors
    ]
    if not problems:
        try:
            param = files.export_param(**form.filters())
        except LedgerError as error:
            problems = [error.message]
    if problems:
        query = request.GET.copy()
        query.pop("page", None)
        context = {"problems": problems, "query": query.urlencode()}
        return render(request, "audit/export_refused.html", context, status=400)
    return hooks.download(request, book.year, "trail-xlsx", param=param)
