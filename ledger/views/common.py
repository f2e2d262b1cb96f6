"""What the ledger's pages share: the page of one voucher, the URL of a book page, bound-or-not POST data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from ledger import attachments, queries, services
from ledger.access import Book, book_for
from ledger.forms import AttachmentForm, ReverseForm
from ledger.queries import voucher_in

if TYPE_CHECKING:
    from ledger.models import AccountingYear, Voucher


def to_book(book: AccountingYear, name: str = "dashboard", *args) -> str:
    return reverse(f"ledger:{name}", args=[book.union.slug, book.year, *args])


def posted(request: HttpRequest):
    """The POST data to bind a form to (even when empty), or None for a GET."""
    return request.POST if request.method == "POST" else None


def query_without_page(request: HttpRequest) -> str:
    """The page's filters as a query string, for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def voucher_for(request: HttpRequest, slug: str, year: int, pk: int, *, need: str = "read"):
    """The voucher of the URL, looked up only in the union-year the user may open (else 404)."""
    book = book_for(request, slug, year, need=need)
    voucher = get_object_or_404(voucher_in(book.year), pk=pk)
    return book, voucher


# The buttons of a voucher's page in the order of its life: (step, label, style).
STEP_BUTTONS = [
    ("sign", "出纳签字", "button"),
    ("review", "审核", "button-primary"),
    ("unreview", "反审核", "button"),
    ("post", "记账", "button-primary"),
    ("delete", "删除", "button-danger"),
]


def voucher_page(
    request: HttpRequest,
    book: Book,
    voucher: Voucher,
    *,
    reverse_form: ReverseForm | None = None,
    upload_form: AttachmentForm | None = None,
) -> HttpResponse:
    lines = queries.voucher_lines(voucher)
    steps = services.next_steps(voucher, request.user, may_record=book.can_record, may_review=book.can_review)
    return render(
        request,
        "ledger/voucher_detail.html",
        {
            "voucher": voucher,
            "lines": lines.lines,
            "with_branch": any(line.branch_id for line in lines.lines),
            "allocation_side": services.allocation_side(voucher),
            "debit_total": lines.debit,
            "credit_total": lines.credit,
            "scans": list(voucher.attachments.select_related("uploaded_by")),
            "reversed_by": getattr(voucher, "reversed_by", None),
            "steps": steps,
            "step_buttons": STEP_BUTTONS,
            "can_reverse": "reverse" in steps,
            "can_upload": book.can_record,
            "reverse_form": reverse_form or ReverseForm(),
            "upload_form": upload_form or AttachmentForm(),
            "max_size": attachments.describe_limit(),
        },
    )


def submitted_before(request: HttpRequest, voucher: Voucher) -> HttpResponse:
    """The answer to a form posted a second time (``ledger.submissions``): the voucher its first submit made."""
    messages.info(request, f"这张表单已经提交过，没有重复记账：{voucher.full_no} {voucher.summary}。")
    return redirect(reverse("ledger:voucher", args=[voucher.year.union.slug, voucher.year.year, voucher.pk]))
