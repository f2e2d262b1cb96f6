"""What every page of a union-year shows around its content: the book, the years, the links the user may use.

The project knows both apps, so the links between them are made here: the ledger never names a report page.
"""

from django.http import HttpRequest
from django.urls import reverse

from ledger import roles


def _federation_links(request: HttpRequest) -> list[tuple[str, str]]:
    """(name, URL) of the table of each 总工会 the user reads (none, and no query, without the role). An error
    page for a request refused before the user is known (a wrong Host: 400) has none."""
    user = getattr(request, "user", None)
    if user is None:
        return []
    return [
        (union.name, reverse("federation:table", args=[union.slug, year]))
        for union, year in roles.federations_for(user)
        if year is not None
    ]


def book_nav(request: HttpRequest) -> dict:
    book = getattr(request, "book", None)
    if book is None:
        return {"federation_links": _federation_links(request)}
    year = book.year
    args = [year.union.slug, year.year]
    return {
        "book": year,
        "union": year.union,
        "years": list(year.union.years.order_by("-year").values_list("year", flat=True)),
        "can_record": book.can_record,
        "can_edit_text": book.can_edit_text,
        "can_audit": book.can_audit,
        "can_close": book.can_close,
        "report_annual": reverse("reports:annual", args=args) if book.can_reports else None,
        "report_statements": reverse("reports:statements", args=args) if book.can_reports else None,
        "report_transition": reverse("reports:transition", args=args) if book.can_reports else None,
        "report_consolidated": reverse("reports:consolidated", args=args) if book.can_reports else None,
        "federation_links": _federation_links(request),
        # Reading a 分工会 (or a member union) as a member of a union above it: never more than reading.
        "read_from_above": roles.reads_from_above(request.user, year.union),
        "close_url": reverse("ledger:year_close", args=args) if book.can_close else None,
        "audit_url": reverse("audit:trail", args=args) if book.can_audit else None,
        "import_url": reverse("imports:start", args=args) if book.can_record else None,
        "export_url": reverse("imports:export", args=args),
        "review_url": reverse("review:list", args=args),
        "bank_url": reverse("bank:statements", args=args),
        "cash_count_url": reverse("bank:cash_counts", args=args),
    }
