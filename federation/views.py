"""The 总工会's table of the unions under it: read-only, sortable, exported to Excel, each row opening the union's
report. Only a member of the federation with the 总工会 role opens it (``roles.can_read_federation``); the report
a row opens checks again, for that union (``ledger.access.book_for``: a union outside the federation is a 404)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from federation import jobs
from federation.queries import COLUMNS, FIGURE_COLUMNS, federation_rows, sorted_rows
from ledger.access import union_for
from reports.jobs import subject
from reports.views import file_or_wait


def _rows(request: HttpRequest, slug: str, year: int):
    federation = union_for(request, slug, need="federation")
    key = request.GET.get("sort", "name")
    descending = request.GET.get("dir") == "desc"
    return federation, key, descending, sorted_rows(federation_rows(federation, year), key, descending)


@login_required
@require_safe
def table(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    federation, key, descending, rows = _rows(request, slug, year)
    headings = [
        (
            column,
            heading,
            "asc" if column == key and descending else "desc" if column == key else "asc",
            column in FIGURE_COLUMNS,
        )
        for column, heading in COLUMNS
    ]
    context = {
        "federation": federation,
        "rows": rows,
        "headings": headings,
        "sort": key,
        "descending": descending,
        "year": year,
        "years": range(year + 1, year - 4, -1),
    }
    return render(request, "federation/table.html", context)


@login_required
@require_safe
def table_xlsx(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The table in the order the page shows, as a workbook a report worker renders (``federation/jobs.py``)."""
    federation = union_for(request, slug, need="federation")
    if not 1 <= year <= 9999:
        raise Http404("没有这个年度")
    param = jobs.order(request.GET.get("sort", "name"), request.GET.get("dir") == "desc")
    return file_or_wait(request, subject(None, federation, year), "federation-xlsx", param=param)
