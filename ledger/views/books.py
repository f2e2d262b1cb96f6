"""Reading the books: the choice of union, a year's 首页, vouchers, scans, 日记账, 科目余额表 and 明细账."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from ledger import hooks, queries, roles, services
from ledger.access import Book, book_for, union_for
from ledger.errors import LedgerError
from ledger.forms import ENTRY_TYPES, OpenYearForm, PeriodForm, VoucherFilterForm
from ledger.views.common import query_without_page, voucher_for, voucher_page

PAGE_SIZE = 20
LATEST = 8


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """首页: straight to the user's union and its latest open year, or a chooser when there are several."""
    unions = list(roles.unions_for(request.user).order_by("name"))
    if not unions:
        return render(request, "ledger/no_union.html")
    if len(unions) == 1:
        return redirect("ledger:union", unions[0].slug)
    return render(request, "ledger/choose_union.html", {"unions": unions})


@login_required
@require_safe
def union_home(request: HttpRequest, slug: str) -> HttpResponse:
    union = union_for(request, slug)
    year = union.years.order_by("is_closed", "-year").first()
    if year is None:
        form = OpenYearForm() if roles.can_record(request.user, union) else None
        return render(request, "ledger/no_year.html", {"union": union, "form": form})
    return redirect("ledger:dashboard", union.slug, year.year)


@login_required
@require_safe
def dashboard(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = book_for(request, slug, year)
    summary = queries.year_summary(book.year)
    latest = queries.with_totals(queries.vouchers(year=book.year).order_by("-number")[:LATEST])
    return render(
        request,
        "ledger/dashboard.html",
        {
            "summary": summary,
            "income": summary.categories("income"),
            "spending": summary.categories("expense"),
            "latest": latest,
            "panels": hooks.panels(book.year, summary),
        },
    )


@login_required
@require_safe
def voucher_list(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = book_for(request, slug, year)
    accounts = list(queries.year_accounts(book.year).select_related("parent"))
    form = VoucherFilterForm(
        request.GET or None,
        categories=[account for account in accounts if account.type in ENTRY_TYPES],
        accounts=accounts,
    )
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "start": data["start"],
            "end": data["end"],
            "accounts": [account for account in (data["category"], data["account"]) if account],
            "min_amount": data["min_amount"],
            "max_amount": data["max_amount"],
            "text": data["q"].strip(),
        }
    page = Paginator(queries.vouchers(year=book.year, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = queries.with_totals(page.object_list)
    return render(
        request,
        "ledger/voucher_list.html",
        {"form": form, "page": page, "query": query_without_page(request), "filtered": bool(filters)},
    )


@login_required
@require_safe
def voucher_detail(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    book, voucher = voucher_for(request, slug, year, pk)
    return voucher_page(request, book, voucher)


@login_required
@require_safe
def attachment_file(request: HttpRequest, slug: str, year: int, pk: int) -> FileResponse:
    """A scan, to whoever may read the voucher; never from a public URL."""
    book = book_for(request, slug, year)
    scan = get_object_or_404(queries.scans(book.year), pk=pk)
    try:
        handle = scan.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件不存在，请联系管理员从备份恢复") from None
    response = FileResponse(handle, content_type=scan.content_type, filename=scan.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _journal_page(request: HttpRequest, book: Book, account, *, title: str, book_kind: str):
    form = PeriodForm(request.GET or None, year=book.year)
    period = {}
    if form.is_bound and form.is_valid():
        period = {"start": form.cleaned_data["start"], "end": form.cleaned_data["end"]}
    journal = queries.journal(year=book.year, account=account, **period)
    return render(
        request,
        "ledger/journal.html",
        {"form": form, "journal": journal, "title": title, "book_kind": book_kind},
    )


@login_required
@require_safe
def journal(request: HttpRequest, slug: str, year: int, book_kind: str) -> HttpResponse:
    """现金日记账 / 银行存款日记账 with the running balance."""
    book = book_for(request, slug, year)
    chart = book.year.chart
    code, title = {"cash": (chart.cash_code, "现金日记账"), "bank": (chart.bank_code, "银行存款日记账")}[
        book_kind
    ]
    try:
        account = services.resolve_account(book.year, code)
    except LedgerError as error:
        raise Http404(error.message) from None
    return _journal_page(request, book, account, title=title, book_kind=book_kind)


@login_required
@require_safe
def account_list(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """科目余额表, each account leading to its 明细账."""
    book = book_for(request, slug, year)
    show_all = request.GET.get("all") == "1"
    rows = queries.trial_balance(year=book.year, include_zero=show_all)
    return render(
        request,
        "ledger/account_list.html",
        {"rows": rows, "totals": queries.trial_balance_totals(rows), "show_all": show_all},
    )


@login_required
@require_safe
def account_ledger(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """明细账 of one account (and its 明细科目), with the running balance."""
    book = book_for(request, slug, year)
    account = get_object_or_404(queries.year_accounts(book.year).select_related("parent"), pk=pk)
    return _journal_page(request, book, account, title=f"明细账：{account.code} {account.name}", book_kind="")
