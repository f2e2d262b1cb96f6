"""A year's beginning and end: opening a year, its 期初余额, 结账 and 反结账."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ledger import hooks, queries, services, submissions
from ledger.access import Book, book_for, union_for
from ledger.errors import LedgerError
from ledger.forms import CloseYearForm, OpeningBalanceForm, OpenYearForm, ReopenYearForm
from ledger.views.common import posted, submitted_before, to_book


@login_required
@require_POST
def open_year(request: HttpRequest, slug: str) -> HttpResponse:
    union = union_for(request, slug, need="open_year")
    form = OpenYearForm(request.POST)
    if form.is_valid():
        try:
            year = services.open_year(union=union, year=form.cleaned_data["year"], user=request.user)
        except LedgerError as error:
            form.add_ledger_error(error)
        else:
            messages.success(request, f"已建立{year.year}年度账套")
            return redirect("ledger:dashboard", union.slug, year.year)
    return render(request, "ledger/no_year.html", {"union": union, "form": form})


@login_required
def opening_balances(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """期初余额: the balances a union brings into its first year kept here (later years get them by 结账)."""
    book = book_for(request, slug, year, need="record")
    form = OpeningBalanceForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            voucher, first = submissions.submit_once(
                union=book.union,
                token=data["token"],
                write=lambda: services.enter_opening_balances(
                    year=book.year,
                    cash=data["cash"],
                    bank=data["bank"],
                    payable_upper=data["payable_upper"],
                    user=request.user,
                ),
            )
        except LedgerError as error:
            form.add_ledger_error(error)
        else:
            if not first:
                return submitted_before(request, voucher)
            messages.success(request, f"已录入{book.year.year}年度期初余额（{voucher.voucher_no}）。")
            return redirect(to_book(book.year))
    return render(request, "ledger/opening_form.html", {"form": form})


@login_required
def year_close(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """年度结账: the checks of the year and, for the treasurer, closing it; 反结账 for administrators."""
    book = book_for(request, slug, year, also="close")
    form = CloseYearForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            following = services.close_year(year=book.year, user=request.user)
        except LedgerError as error:
            form.add_ledger_error(error)
        else:
            messages.success(request, f"{book.year.year}年度已结账，余额已结转{following.year}年度期初。")
            return redirect(to_book(following))
    return _close_page(request, book, form, ReopenYearForm())


def _close_page(request: HttpRequest, book: Book, form, reopen_form):
    context = {
        # The 结账 checks, then the warnings other apps add (never required: closing does not wait for them).
        "checks": (*queries.year_checks(book.year), *hooks.extra_year_checks(book.year)),
        "form": form,
        "reopen_form": reopen_form if request.user.is_superuser and book.year.is_closed else None,
    }
    return render(request, "ledger/year_close.html", context)


@login_required
@require_POST
def year_reopen(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """反结账: only a site administrator, with a reason; recorded in the audit trail."""
    book = book_for(request, slug, year)
    if not request.user.is_superuser:
        raise PermissionDenied("只有系统管理员可以反结账。")
    form = ReopenYearForm(request.POST)
    if form.is_valid():
        try:
            services.reopen_year(year=book.year, user=request.user, reason=form.cleaned_data["reason"])
        except LedgerError as error:
            form.add_ledger_error(error)
        else:
            messages.success(request, f"{book.year.year}年度已反结账，可以继续记账。")
            return redirect(to_book(book.year, "year_close"))
    return _close_page(request, book, CloseYearForm(), form)
