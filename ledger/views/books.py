"""Reading the books: the choice of union, a year's 首页, vouchers, scans, 日记账, 科目余额表 and 明细账."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from ledger import files, hooks, queries, roles, services
from ledger.access import Book, book_for, union_for
from ledger.errors import LedgerError
from ledger.forms import ENTRY_TYPES, MonthForm, MonthRangeForm, OpenYearForm, VoucherFilterForm
from ledger.views.common import query_without_page, voucher_for, voucher_page

PAGE_SIZE = 20
JOURNAL_PAGE_SIZE = queries.JOURNAL_PAGE_SIZE  # lines on a page of a 日记账 / 明细账 before it continues
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
        form = OpenYearForm(charts=queries.chart_choices()) if roles.can_record(request.user, union) else None
        return render(request, "ledger/no_year.html", {"union": union, "form": form})
    return redirect("ledger:dashboard", union.slug, year.year)


@login_required
@require_safe
def dashboard(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = book_for(request, slug, year)
    summary = queries.year_summary(book.year)
    latest = queries.with_totals(
        queries.vouchers(year=book.year).order_by("-date", "-number", "-id")[:LATEST]
    )
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
            "scans_differ": data["scans_differ"],
        }
        if data["state"]:
            filters["states"] = (data["state"],)
    filters.setdefault("states", tuple(queries.VoucherState.values))
    found = queries.vouchers(year=book.year, **filters)
    page = queries.VoucherPaginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = queries.with_totals(page.object_list)
    may_batch = book.can_record or book.can_review
    return render(
        request,
        "ledger/voucher_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "filtered": bool(filters),
            "may_batch": may_batch,
        },
    )


@login_required
@require_safe
def voucher_print(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """The 记账凭证 as printed (A4 or half A4): every step's name, 合计 in figures and 大写, no buttons."""
    book, voucher = voucher_for(request, slug, year, pk)
    lines = queries.voucher_lines(voucher)
    signatures = dict((title, name) for title, name in (book.union.signatures or []) if title)
    return render(
        request,
        "ledger/voucher_print.html",
        {
            "voucher": voucher,
            "lines": lines.lines,
            "debit_total": lines.debit,
            "credit_total": lines.credit,
            "blank_rows": range(max(0, 5 - len(lines.lines))),
            "supervisor": signatures.get("会计主管") or signatures.get("财务负责人") or "",
        },
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


def _wants_workbook(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


def _journal_page(request: HttpRequest, book: Book, account, *, title: str, book_kind: str):
    """A month of a book (``?month=``), paged inside the month by key (``?after=``, ``?before=``, ``?last=1``);
    ``?format=xlsx`` downloads the month (``&scope=year``: the whole year) as a workbook."""
    form = MonthForm(request.GET or None)
    form.is_valid()  # a bad field is explained on the page; the good ones still count
    chosen = form.cleaned_data if form.is_bound else {}
    month = chosen.get("month") or queries.latest_month(book.year)
    if _wants_workbook(request):  # written by a report worker (ledger/files.py)
        whole_year = request.GET.get("scope") == "year"
        param = files.journal_param(book_kind, account, None if whole_year else month)
        return hooks.download(request, book.year, "journal-xlsx", param=param)
    page = queries.journal_page(
        year=book.year,
        account=account,
        month=month,
        after=chosen.get("after"),
        before=chosen.get("before") if not chosen.get("after") else None,
        last=bool(chosen.get("last")),
        size=JOURNAL_PAGE_SIZE,
    )
    return render(
        request,
        "ledger/journal.html",
        {
            "form": form,
            "page": page,
            "title": title,
            "book_kind": book_kind,
            "months": range(1, 13),
        },
    )


@login_required
@require_safe
def journal(request: HttpRequest, slug: str, year: int, book_kind: str) -> HttpResponse:
    """现金日记账 / 银行存款日记账, a month to a page, with the running balance."""
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
    """科目余额表 for a range of months (``?start=&end=``), each account leading to its 明细账 and 总账."""
    book = book_for(request, slug, year)
    show_all = request.GET.get("all") == "1"
    form = MonthRangeForm(request.GET or None)
    form.is_valid()
    chosen = form.cleaned_data if form.is_bound else {}
    first = chosen.get("start") or 1
    last = chosen.get("end") or 12
    if "end" in form.errors:
        last = 12
    if _wants_workbook(request):  # written by a report worker (ledger/files.py)
        param = files.balances_param(first, last, show_all)
        return hooks.download(request, book.year, "balances-xlsx", param=param)
    data = queries.account_balances(year=book.year, first_month=first, last_month=last, include_zero=show_all)
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "ledger/account_list.html",
        {"form": form, "data": data, "show_all": show_all, "query": query.urlencode()},
    )


@login_required
@require_safe
def account_ledger(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """明细账 of one account (and its 明细科目), a month to a page, with the running balance."""
    book = book_for(request, slug, year)
    account = get_object_or_404(queries.year_accounts(book.year).select_related("parent"), pk=pk)
    return _journal_page(request, book, account, title=f"明细账：{account.code} {account.name}", book_kind="")


@login_required
@require_safe
def general_ledger(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """总账 of one account, month by month: 上年结转, each month's 本月合计 and 本年累计 with the balance."""
    book = book_for(request, slug, year)
    account = get_object_or_404(queries.year_accounts(book.year), pk=pk)
    if _wants_workbook(request):  # written by a report worker (ledger/files.py)
        return hooks.download(request, book.year, "general-ledger-xlsx", param=f"account{account.pk}")
    data = queries.general_ledger(year=book.year, account=account)
    return render(request, "ledger/general_ledger.html", {"ledger": data})
