"""分工会: the union's branches (with books of their own, read-only here; or a dimension of its own lines), and
补助下级 (下拨) to a branch with books, posted in both books at once (``services.allocate_to_branch``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ledger import services, submissions
from ledger.access import book_for
from ledger.errors import LedgerError
from ledger.forms import AllocationForm
from ledger.queries.consolidation import branches_of, eliminations, tracked_figures
from ledger.views.common import submitted_before


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def branches(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = book_for(request, slug, year)
    found = branches_of(book.year.union)
    with_books = [branch for branch in found if branch.keeps_books]
    form = None
    if book.can_record:
        form = AllocationForm(request.POST or None, year=book.year, branches=with_books)
    elif request.method == "POST":
        book_for(request, slug, year, need="record")  # the refusal, in Chinese
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        branch = next(branch for branch in with_books if branch.slug == data["branch"])
        try:
            made = {}

            def write():
                made["allocation"] = services.allocate_to_branch(
                    year=book.year,
                    branch=branch,
                    date=data["date"],
                    amount=data["amount"],
                    via=data["via"],
                    summary=data["summary"],
                    user=request.user,
                )
                return made["allocation"].parent_voucher

            voucher, fresh = submissions.submit_once(union=book.year.union, token=data["token"], write=write)
        except LedgerError as error:
            form.add_ledger_error(error)
        else:
            if not fresh:
                return submitted_before(request, voucher)
            received = made["allocation"].branch_voucher
            if voucher.is_posted:
                said = (
                    f"已记账：本工会{voucher.full_no}（补助下级支出）和{branch.name}{received.full_no}（上级补助收入）"
                    f"，各{data['amount']:,.2f}元。"
                )
            else:
                said = (
                    f"已保存，等待审核：补助下级{branch.name}{data['amount']:,.2f}元。本工会的凭证审核并记账时，"
                    f"{branch.name}的上级补助收入凭证一并记账；在此之前两方都不计入余额和报表。"
                )
            messages.success(request, said)
            return redirect("ledger:branches", slug, year)
    context = {
        "branches": found,
        "form": form,
        "allocations": eliminations(book.year),
        "tracked": tracked_figures(book.year) if any(not branch.keeps_books for branch in found) else (),
    }
    return render(
        request, "ledger/branches.html", context, status=400 if form is not None and form.errors else 200
    )
