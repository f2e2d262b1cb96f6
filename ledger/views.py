"""The treasurer's pages. Each view: permission → form → one service or query call → message → redirect.

Every page needs sign-in. A union is looked up only among the user's own unions (another union's books
are a 404, never a 403 that would reveal them); then the role decides reading (``roles.can_read``) and
writing (``roles.can_record``), refused with a Chinese 403 page. Objects looked up by id are filtered by
the union and year of the URL, so a forged id from elsewhere is a 404 as well.
"""

from collections.abc import Callable
from decimal import Decimal
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from ledger import attachments, exports, queries, roles, services, submissions
from ledger.errors import LedgerError
from ledger.forms import (
    SUGGESTED_SUB_ACCOUNTS,
    AttachmentForm,
    AuditFilterForm,
    CloseYearForm,
    LineFormSet,
    OpeningBalanceForm,
    OpenYearForm,
    PaymentForm,
    PeriodForm,
    ReceiptForm,
    ReopenYearForm,
    ReverseForm,
    SubAccountForm,
    VoucherFilterForm,
    VoucherForm,
)
from ledger.models import AccountingYear, AccountType, Attachment, AuditEvent, Union, Voucher
from ledger.money import fen_to_decimal

PAGE_SIZE = 20
LATEST = 8
ENTRY_TYPES = [AccountType.INCOME, AccountType.EXPENSE]


# --- permission helpers -------------------------------------------------------------------------------


def _union_for_user(request: HttpRequest, slug: str) -> Union:
    """The union of the URL if the user belongs to it; otherwise 404, as if it did not exist."""
    return get_object_or_404(roles.unions_for(request.user), slug=slug)


def _check(allowed: Callable, request: HttpRequest, union: Union, message: str) -> None:
    if not allowed(request.user, union):
        raise PermissionDenied(message)


def _year_for_user(request: HttpRequest, slug: str, year: int, *, write: bool = False) -> AccountingYear:
    """The union-year of the URL, after checking the user may read it (or, with ``write``, record in it)."""
    union = _union_for_user(request, slug)
    if write:
        _check(roles.can_record, request, union, "只有出纳/会计可以记账；您的角色只能查阅。")
    else:
        _check(roles.can_read, request, union, "您没有查阅本工会账簿的权限，请联系管理员分配角色。")
    return get_object_or_404(AccountingYear.objects.select_related("union", "chart"), union=union, year=year)


def _report_link(name: str, book: AccountingYear) -> str | None:
    try:
        return reverse(name, args=[book.union.slug, book.year])
    except NoReverseMatch:  # the reports app may not offer this page (yet)
        return None


def _page(request: HttpRequest, book: AccountingYear, template: str, context: dict, status: int = 200):
    """Render a page of one union-year with what the navigation and the role-dependent actions need."""
    user, union = request.user, book.union
    can_reports = roles.can_download_reports(user, union)
    context = {
        "book": book,
        "union": union,
        "years": list(union.years.order_by("-year").values_list("year", flat=True)),
        "can_record": roles.can_record(user, union) and not book.is_closed,
        "can_audit": roles.can_read_audit_trail(user, union),
        "can_close": roles.can_close_year(user, union),
        "report_annual": _report_link("reports:annual", book) if can_reports else None,
        "report_statements": _report_link("reports:statements", book) if can_reports else None,
        **context,
    }
    return render(request, template, context, status=status)


def _to_book(book: AccountingYear, name: str = "dashboard", *args) -> str:
    return reverse(f"ledger:{name}", args=[book.union.slug, book.year, *args])


def _query_without_page(request: HttpRequest) -> str:
    """The page's filters as a query string, for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _posted(request: HttpRequest):
    """The POST data to bind a form to (even when empty), or None for a GET."""
    return request.POST if request.method == "POST" else None


def _submitted_before(request: HttpRequest, voucher: Voucher) -> HttpResponse:
    """The answer to a form posted a second time: the voucher its first submit made, nothing new."""
    messages.info(request, f"这张表单已经提交过，没有重复记账：{voucher.voucher_no} {voucher.summary}。")
    return redirect(reverse("ledger:voucher", args=[voucher.year.union.slug, voucher.year.year, voucher.pk]))


def _with_totals(vouchers) -> list[Voucher]:
    rows = list(vouchers)
    for voucher in rows:
        voucher.total = fen_to_decimal(voucher.total_fen)
    return rows


# --- choosing a union and a year ---------------------------------------------------------------------


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
    union = _union_for_user(request, slug)
    _check(roles.can_read, request, union, "您没有查阅本工会账簿的权限，请联系管理员分配角色。")
    year = union.years.order_by("is_closed", "-year").first()
    if year is None:
        form = OpenYearForm() if roles.can_record(request.user, union) else None
        return render(request, "ledger/no_year.html", {"union": union, "form": form})
    return redirect("ledger:dashboard", union.slug, year.year)


@login_required
@require_POST
def open_year(request: HttpRequest, slug: str) -> HttpResponse:
    union = _union_for_user(request, slug)
    _check(roles.can_record, request, union, "只有出纳/会计可以建立会计年度。")
    form = OpenYearForm(request.POST)
    if form.is_valid():
        try:
            year = services.open_year(union=union, year=form.cleaned_data["year"])
        except LedgerError as error:
            form.add_ledger_error(error)
        else:
            messages.success(request, f"已建立{year.year}年度账套")
            return redirect("ledger:dashboard", union.slug, year.year)
    return render(request, "ledger/no_year.html", {"union": union, "form": form}, status=200)


# --- 首页 of a union-year -------------------------------------------------------------------------------


@login_required
@require_safe
def dashboard(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = _year_for_user(request, slug, year)
    position = queries.money_position(year=book)
    income = queries.category_totals(year=book, type=AccountType.INCOME)
    spending = queries.category_totals(year=book, type=AccountType.EXPENSE)
    latest = _with_totals(queries.vouchers(year=book).order_by("-number")[:LATEST])
    return _page(
        request,
        book,
        "ledger/dashboard.html",
        {
            "position": position,
            "income": income,
            "income_total": sum((row.amount for row in income), Decimal("0.00")),
            "spending": spending,
            "spending_total": sum((row.amount for row in spending), Decimal("0.00")),
            "latest": latest,
        },
    )


@login_required
def opening_balances(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """期初余额: the balances a union brings into its first year kept here (later years get them by 结账)."""
    book = _year_for_user(request, slug, year, write=True)
    form = OpeningBalanceForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data, chart = form.cleaned_data, book.chart
        zero = Decimal("0.00")
        cash, bank, payable = data["cash"] or zero, data["bank"] or zero, data["payable_upper"] or zero
        if cash + bank - payable < 0:
            form.add_error(None, "期初经费余额（现金加银行存款减应付上级经费）不能为负数")
        else:
            balances = {
                chart.cash_code: cash,
                chart.bank_code: bank,
                chart.surplus_code: cash + bank - payable,
            }
            if payable and chart.payable_upper_code:
                balances[chart.payable_upper_code] = payable
            try:
                voucher, first = submissions.submit_once(
                    union=book.union,
                    token=data["token"],
                    write=lambda: services.record_opening_balances(
                        year=book, balances=balances, user=request.user
                    ),
                )
            except LedgerError as error:
                form.add_ledger_error(error)
            else:
                if not first:
                    return _submitted_before(request, voucher)
                messages.success(request, f"已录入{book.year}年度期初余额（{voucher.voucher_no}）。")
                return redirect(_to_book(book))
    return _page(request, book, "ledger/opening_form.html", {"form": form})


# --- recording (记账) -----------------------------------------------------------------------------------


def _entry(request: HttpRequest, slug: str, year: int, *, kind: str) -> HttpResponse:
    """The 收入 (``kind="receipt"``) and 支出 (``"payment"``) forms: one posted voucher each."""
    book = _year_for_user(request, slug, year, write=True)
    form_class, account_type = (
        (ReceiptForm, AccountType.INCOME) if kind == "receipt" else (PaymentForm, AccountType.EXPENSE)
    )
    categories = queries.postable_accounts(year=book, types=[account_type])
    form = form_class(_posted(request), year=book, categories=categories)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "union": book.union,
            "date": data["date"],
            "account": data["category"],
            "amount": data["amount"],
            "summary": data["summary"],
            "user": request.user,
            "attachment_count": data["attachment_count"],
        }

        def write() -> Voucher:
            if kind == "receipt":
                return services.record_receipt(into=data["via"], payer=data["payer"], **common)
            return services.record_payment(via=data["via"], payee=data["payee"], **common)

        try:
            voucher, first = submissions.submit_once(union=book.union, token=data["token"], write=write)
        except LedgerError as error:
            form.add_ledger_error(error)
        else:
            if not first:
                return _submitted_before(request, voucher)
            word = "收入" if kind == "receipt" else "支出"
            messages.success(
                request,
                f"已记账：{voucher.voucher_no} {word} {data['amount']:,.2f}元 {voucher.summary}。"
                "可在下方上传原始凭证扫描件。",
            )
            return redirect(_to_book(book, "voucher", voucher.pk))
    return _page(request, book, "ledger/entry_form.html", {"form": form, "kind": kind})


@login_required
def receipt(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    return _entry(request, slug, year, kind="receipt")


@login_required
def payment(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    return _entry(request, slug, year, kind="payment")


@login_required
def voucher_new(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """A general 记账凭证 with free 借/贷 lines (transfers, remitting 经费 upward, …)."""
    book = _year_for_user(request, slug, year, write=True)
    accounts = list(queries.postable_accounts(year=book))
    form = VoucherForm(_posted(request), year=book)
    lines = LineFormSet(_posted(request), prefix="lines", form_kwargs={"accounts": accounts})
    if request.method == "POST" and all([form.is_valid(), lines.is_valid()]):
        data = form.cleaned_data
        try:
            voucher, first = submissions.submit_once(
                union=book.union,
                token=data["token"],
                write=lambda: services.record_voucher(
                    year=book,
                    posted_by=request.user,
                    date=data["date"],
                    summary=data["summary"],
                    counterparty=data["counterparty"],
                    attachment_count=data["attachment_count"],
                    lines=[
                        services.Line(
                            line["account"],
                            debit=line["debit"] or Decimal("0.00"),
                            credit=line["credit"] or Decimal("0.00"),
                            memo=line["memo"],
                        )
                        for line in lines.lines()
                    ],
                ),
            )
        except LedgerError as error:
            form.add_ledger_error(error)
        else:
            if not first:
                return _submitted_before(request, voucher)
            messages.success(request, f"已记账：{voucher.voucher_no} {voucher.summary}")
            return redirect(_to_book(book, "voucher", voucher.pk))
    return _page(request, book, "ledger/voucher_form.html", {"form": form, "lines": lines})


@login_required
def sub_account_new(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """Add a union's own 明细科目 under an income or spending account; suggests common ones."""
    book = _year_for_user(request, slug, year, write=True)
    parents = list(
        queries.year_accounts(book).filter(type__in=ENTRY_TYPES, is_active=True).select_related("parent")
    )
    form = SubAccountForm(_posted(request), parents=parents)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    if request.method == "POST" and form.is_valid():
        try:
            account = services.add_sub_account(
                union=book.union,
                parent=form.cleaned_data["parent"],
                name=form.cleaned_data["name"],
                user=request.user,
            )
        except LedgerError as error:
            form.add_ledger_error(error)
        else:
            messages.success(
                request, f"已增加明细科目：{account.code} {account.parent.name} › {account.name}"
            )
            return redirect(next_url or _to_book(book, "accounts"))
    by_code = {account.code: account for account in parents}
    taken = {(account.parent_id, account.name) for account in parents}
    suggestions = [
        (by_code[code], name)
        for code, name in SUGGESTED_SUB_ACCOUNTS
        if code in by_code and (by_code[code].pk, name) not in taken
    ]
    return _page(
        request,
        book,
        "ledger/sub_account_form.html",
        {"form": form, "suggestions": suggestions, "next": next_url},
    )


# --- reading: vouchers ---------------------------------------------------------------------------------


@login_required
@require_safe
def voucher_list(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = _year_for_user(request, slug, year)
    accounts = list(queries.year_accounts(book).select_related("parent"))
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
    found = queries.vouchers(year=book, **filters)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_totals(page.object_list)
    query = _query_without_page(request)
    return _page(
        request,
        book,
        "ledger/voucher_list.html",
        {"form": form, "page": page, "query": query, "filtered": bool(filters)},
    )


def _voucher_page(
    request: HttpRequest,
    book: AccountingYear,
    voucher: Voucher,
    *,
    reverse_form: ReverseForm | None = None,
    upload_form: AttachmentForm | None = None,
) -> HttpResponse:
    lines = list(voucher.lines.select_related("account__parent").order_by("position"))
    may_record = roles.can_record(request.user, book.union) and not book.is_closed
    reversed_by = getattr(voucher, "reversed_by", None)
    can_reverse = (
        may_record and voucher.is_posted and voucher.kind == Voucher.Kind.NORMAL and reversed_by is None
    )
    return _page(
        request,
        book,
        "ledger/voucher_detail.html",
        {
            "voucher": voucher,
            "lines": lines,
            "debit_total": sum((line.debit.amount for line in lines), Decimal("0.00")),
            "credit_total": sum((line.credit.amount for line in lines), Decimal("0.00")),
            "scans": list(voucher.attachments.select_related("uploaded_by")),
            "reversed_by": reversed_by,
            "can_reverse": can_reverse,
            "can_upload": may_record and voucher.is_posted,
            "reverse_form": reverse_form or ReverseForm(),
            "upload_form": upload_form or AttachmentForm(),
            "max_size": attachments.describe_limit(),
        },
    )


def _voucher_for_user(request: HttpRequest, slug: str, year: int, pk: int, *, write: bool = False):
    book = _year_for_user(request, slug, year, write=write)
    voucher = get_object_or_404(
        Voucher.objects.select_related(
            "prepared_by", "posted_by", "reverses__year", "reversed_by__year"
        ).filter(year=book),
        pk=pk,
    )
    return book, voucher


@login_required
@require_safe
def voucher_detail(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    book, voucher = _voucher_for_user(request, slug, year, pk)
    return _voucher_page(request, book, voucher)


@login_required
@require_POST
def voucher_reverse(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """冲销: a posted voucher is never edited or deleted; the treasurer reverses it, giving a reason."""
    book, voucher = _voucher_for_user(request, slug, year, pk, write=True)
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            reversal, first = submissions.submit_once(
                union=book.union,
                token=form.cleaned_data["token"],
                write=lambda: services.reverse_voucher(
                    voucher=voucher, user=request.user, reason=form.cleaned_data["reason"]
                ),
            )
        except LedgerError as error:
            form.add_ledger_error(error)
        else:
            if not first:
                return _submitted_before(request, reversal)
            messages.success(request, f"已冲销{voucher.voucher_no}：冲销凭证为{reversal.voucher_no}")
            return redirect(
                reverse("ledger:voucher", args=[book.union.slug, reversal.year.year, reversal.pk])
            )
    return _voucher_page(request, book, voucher, reverse_form=form)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    book, voucher = _voucher_for_user(request, slug, year, pk, write=True)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            scan = attachments.add_attachment(
                voucher=voucher, uploaded=form.cleaned_data["file"], user=request.user
            )
        except LedgerError as error:
            form.add_ledger_error(error)
        else:
            messages.success(request, f"已上传附件：{scan.original_name}")
            return redirect(_to_book(book, "voucher", voucher.pk))
    return _voucher_page(request, book, voucher, upload_form=form)


@login_required
@require_safe
def attachment_file(request: HttpRequest, slug: str, year: int, pk: int) -> FileResponse:
    """A scan, to whoever may read the voucher; never from a public URL."""
    book = _year_for_user(request, slug, year)
    scan = get_object_or_404(Attachment.objects.filter(voucher__year=book), pk=pk)
    try:
        handle = scan.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件不存在，请联系管理员从备份恢复") from None
    response = FileResponse(handle, content_type=scan.content_type, filename=scan.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- reading: books ------------------------------------------------------------------------------------


def _journal_page(request: HttpRequest, book: AccountingYear, account, *, title: str, book_kind: str):
    form = PeriodForm(request.GET or None, year=book)
    period = {}
    if form.is_bound and form.is_valid():
        period = {"start": form.cleaned_data["start"], "end": form.cleaned_data["end"]}
    journal = queries.journal(year=book, account=account, **period)
    return _page(
        request,
        book,
        "ledger/journal.html",
        {"form": form, "journal": journal, "title": title, "book_kind": book_kind},
    )


@login_required
@require_safe
def journal(request: HttpRequest, slug: str, year: int, book_kind: str) -> HttpResponse:
    """现金日记账 / 银行存款日记账 with the running balance."""
    book = _year_for_user(request, slug, year)
    code, title = {
        "cash": (book.chart.cash_code, "现金日记账"),
        "bank": (book.chart.bank_code, "银行存款日记账"),
    }[book_kind]
    try:
        account = services.resolve_account(book, code)
    except LedgerError as error:
        raise Http404(error.message) from None
    return _journal_page(request, book, account, title=title, book_kind=book_kind)


@login_required
@require_safe
def account_list(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """科目余额表, each account leading to its 明细账."""
    book = _year_for_user(request, slug, year)
    rows = queries.trial_balance(year=book, include_zero=request.GET.get("all") == "1")
    return _page(
        request,
        book,
        "ledger/account_list.html",
        {
            "rows": rows,
            "totals": queries.trial_balance_totals(rows),
            "show_all": request.GET.get("all") == "1",
        },
    )


@login_required
@require_safe
def account_ledger(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """明细账 of one account (and its 明细科目), with the running balance."""
    book = _year_for_user(request, slug, year)
    account = get_object_or_404(queries.year_accounts(book).select_related("parent"), pk=pk)
    return _journal_page(request, book, account, title=f"明细账：{account.code} {account.name}", book_kind="")


def _audit_events(request: HttpRequest, book: AccountingYear):
    """The union's trail and the sign-ins of its members, filtered as the form asks, newest first."""
    union = book.union
    events = AuditEvent.objects.filter(
        Q(union=union) | Q(union__isnull=True, user__in=union.members.all())
    ).order_by("-at", "-id")
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["start"]:
            events = events.filter(at__date__gte=data["start"])
        if data["end"]:
            events = events.filter(at__date__lte=data["end"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["user"]:
            events = events.filter(username__icontains=data["user"])
    return form, events


@login_required
@require_safe
def audit_trail(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """操作记录: who did what in this union's books, newest first (经费审查 and administrators)."""
    book = _year_for_user(request, slug, year)
    _check(roles.can_read_audit_trail, request, book.union, "只有经费审查委员可以查看操作记录。")
    form, events = _audit_events(request, book)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = _query_without_page(request)
    return _page(request, book, "ledger/audit_trail.html", {"page": page, "form": form, "query": query})


@login_required
@require_safe
def audit_export(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The same trail, with the same filters, as an Excel workbook."""
    book = _year_for_user(request, slug, year)
    _check(roles.can_read_audit_trail, request, book.union, "只有经费审查委员可以导出操作记录。")
    _, events = _audit_events(request, book)
    content = exports.audit_workbook(events.iterator(chunk_size=2000), title=f"{book.union.name} 操作记录")
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"{book.union.name}-操作记录-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def year_close(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """年度结账: the checks of the year and, for the treasurer, closing it; 反结账 for administrators."""
    book = _year_for_user(request, slug, year)
    _check(roles.can_close_year, request, book.union, "只有出纳/会计可以结账。")
    form = CloseYearForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            following = services.close_year(year=book, user=request.user)
        except LedgerError as error:
            form.add_ledger_error(error)
        else:
            messages.success(request, f"{book.year}年度已结账，余额已结转{following.year}年度期初。")
            return redirect(_to_book(following))
    return _close_page(request, book, form, ReopenYearForm())


def _close_page(request: HttpRequest, book: AccountingYear, form, reopen_form, status: int = 200):
    context = {
        "checks": queries.year_end_checks(year=book),
        "form": form,
        "reopen_form": reopen_form if request.user.is_superuser and book.is_closed else None,
    }
    return _page(request, book, "ledger/year_close.html", context, status=status)


@login_required
@require_POST
def year_reopen(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """反结账: only a site administrator, with a reason; recorded in the audit trail."""
    book = _year_for_user(request, slug, year)
    if not request.user.is_superuser:
        raise PermissionDenied("只有系统管理员可以反结账。")
    form = ReopenYearForm(request.POST)
    if form.is_valid():
        try:
            services.reopen_year(year=book, user=request.user, reason=form.cleaned_data["reason"])
        except LedgerError as error:
            form.add_ledger_error(error)
        else:
            messages.success(request, f"{book.year}年度已反结账，可以继续记账。")
            return redirect(_to_book(book, "year_close"))
    return _close_page(request, book, CloseYearForm(), form)
