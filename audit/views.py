"""操作记录: who did what in a union's books, newest first, for the 经费审查 and administrators."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from audit import exports
from audit.forms import AuditFilterForm
from audit.queries import events_for
from audit.readable import readable, readable_stream
from ledger.access import book_for

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
    """The same trail, with the same filters, as an Excel workbook."""
    book = book_for(request, slug, year, also="audit")
    events = events_for(book.union, **AuditFilterForm(request.GET or None).filters())
    rows = readable_stream(events.iterator(chunk_size=2000))
    content = exports.audit_workbook(rows, title=f"{book.union.name} 操作记录")
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"{book.union.name}-操作记录-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
