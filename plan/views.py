"""The plan's pages of a union-year: settings, the levy and its remittance, the budget, members and dues, and
the auditor's 合规检查. Each: access (``book_for``) → form → one service or query → message → redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from ledger import queries as books
from ledger import submissions
from ledger.access import book_for
from ledger.errors import LedgerError
from ledger.money import format_amount
from ledger.views.common import posted, submitted_before
from plan import queries, services
from plan.forms import BudgetForm, DuesForm, LevyForm, MemberForm, RemitForm, SettingsForm, UploadForm
from plan.render import dues_workbook


def _to(book, name: str) -> str:
    return reverse(f"plan:{name}", args=[book.union.slug, book.year.year])


def _voucher_url(voucher) -> str:
    return reverse("ledger:voucher", args=[voucher.year.union.slug, voucher.year.year, voucher.pk])


@login_required
def settings_page(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = book_for(request, slug, year, need="record")
    form = SettingsForm(posted(request), instance=queries.settings_for(book.union), union=book.union)
    if request.method == "POST" and form.is_valid():
        services.save_settings(union=book.union, **form.cleaned_data)
        messages.success(request, "已保存本会经费设置")
        return redirect("ledger:dashboard", book.union.slug, book.year.year)
    return render(request, "plan/form.html", {"form": form, "title": "经费设置（省份、拨缴比例、会费比例）"})


def _voucher_form(request, slug, year, *, form_class, write, title, done):
    book = book_for(request, slug, year, need="record")
    form = form_class(posted(request), year=book.year)
    owed = queries.owed_upward(books.year_summary(book.year))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            voucher, first = submissions.submit_once(
                union=book.union, token=data["token"], write=lambda: write(book, request.user, data)
            )
        except LedgerError as error:
            form.add_ledger_error(error)
        else:
            if not first:
                return submitted_before(request, voucher)
            messages.success(
                request, f"已记账：{voucher.voucher_no} {done} {format_amount(data['amount'])}元"
            )
            return redirect(_voucher_url(voucher))
    setting = queries.settings_for(book.union)
    return render(request, "plan/form.html", {"form": form, "title": title, "owed": owed, "setting": setting})


@login_required
def levy(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """收到拨缴经费: split into 拨缴经费收入 and 应付上级经费 by the union's share."""

    def write(book, user, data):
        return services.record_levy(
            union=book.union,
            date=data["date"],
            amount=data["amount"],
            into=data["via"],
            user=user,
            summary=data["summary"],
            payer=data["payer"],
            attachment_count=data["attachment_count"],
        )

    return _voucher_form(
        request, slug, year, form_class=LevyForm, write=write, title="收拨缴经费（2%）", done="收拨缴经费"
    )


@login_required
def remit(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """上缴上级经费: settles what is owed upward."""

    def write(book, user, data):
        return services.remit_levy(
            union=book.union,
            date=data["date"],
            amount=data["amount"],
            via=data["via"],
            user=user,
            summary=data["summary"],
            attachment_count=data["attachment_count"],
        )

    return _voucher_form(
        request, slug, year, form_class=RemitForm, write=write, title="上缴上级经费", done="上缴上级经费"
    )


@login_required
def budget(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """预算: one amount per category; after approval a change is a 预算调整 with a reason."""
    book = book_for(request, slug, year)
    execution = queries.budget_execution(book.year)
    accounts = list(queries.budget_accounts(book.year))
    amounts = {row.code: row.budget for row in execution.rows} if execution else {}
    form = BudgetForm(posted(request), accounts=accounts, amounts=amounts)
    if request.method == "POST":
        book = book_for(request, slug, year, need="record")
        if not book.can_record:
            return redirect(_to(book, "budget"))
        if form.is_valid() and not form.amounts() and not form.cleaned_data["approved_on"]:
            form.add_error(None, "请填写预算金额")
        elif form.is_valid():
            try:
                services.set_budget(
                    year=book.year,
                    amounts=form.amounts(),
                    user=request.user,
                    approved_on=form.cleaned_data["approved_on"],
                    reason=form.cleaned_data["reason"],
                )
            except LedgerError as error:
                form.add_ledger_error(error)
            else:
                messages.success(request, "已保存预算")
                return redirect(_to(book, "budget"))
    return render(
        request,
        "plan/budget.html",
        {
            "form": form,
            "execution": execution,
            "upload": UploadForm(),
            "adjustments": queries.adjustments(book.year),
        },
    )


@login_required
@require_POST
def budget_import(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = book_for(request, slug, year, need="record")
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.import_budget(
                year=book.year,
                content=form.cleaned_data["file"].read(),
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except LedgerError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "已从Excel导入预算")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect(_to(book, "budget"))


@login_required
@require_POST
def budget_draft(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """Next year's draft budget from this year's actuals."""
    book = book_for(request, slug, year, need="record")
    try:
        services.draft_next_budget(year=book.year, user=request.user)
    except LedgerError as error:
        messages.error(request, error.message)
        return redirect(_to(book, "budget"))
    messages.success(request, f"已按{book.year.year}年实际数生成{book.year.year + 1}年度预算草稿")
    return redirect("plan:budget", book.union.slug, book.year.year + 1)


@login_required
def members(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """会员名册: add a member, import the roster from Excel."""
    book = book_for(request, slug, year)
    form = MemberForm(posted(request))
    if request.method == "POST":
        book = book_for(request, slug, year, need="record")
        if form.is_valid():
            try:
                services.save_member(union=book.union, **form.cleaned_data)
            except LedgerError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"已增加会员{form.cleaned_data['name']}")
                return redirect(_to(book, "members"))
    roster = list(queries.members(book.union))
    return render(request, "plan/members.html", {"form": form, "roster": roster, "upload": UploadForm()})


@login_required
def member_edit(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """Change a member's department, wage base, joining date or status (e.g. 退休, 离开)."""
    book = book_for(request, slug, year, need="record")
    member = get_object_or_404(queries.members(book.union), pk=pk)
    initial = {
        "name": member.name,
        "department": member.department,
        "wage_base": member.wage_base,
        "joined": member.joined,
        "status": member.status,
    }
    form = MemberForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_member(union=book.union, member=member, **form.cleaned_data)
        except LedgerError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"已修改会员{form.cleaned_data['name']}")
            return redirect(_to(book, "members"))
    return render(request, "plan/form.html", {"form": form, "title": f"修改会员：{member.name}"})


@login_required
@require_POST
def members_import(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    book = book_for(request, slug, year, need="record")
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            added, changed = services.import_roster(
                union=book.union, content=form.cleaned_data["file"].read()
            )
        except LedgerError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"已导入会员名册：新增{added}人，更新{changed}人")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect(_to(book, "members"))


@login_required
def dues(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """会费收缴: record a department's month (one voucher), 收缴率 by month, arrears per member."""
    book = book_for(request, slug, year)
    form = DuesForm(posted(request), year=book.year, departments=queries.departments(book.union))
    if request.method == "POST":
        book = book_for(request, slug, year, need="record")
        if form.is_valid():
            data = form.cleaned_data
            try:
                voucher, first = submissions.submit_once(
                    union=book.union,
                    token=data["token"],
                    write=lambda: services.record_dues(
                        union=book.union,
                        month=data["month"],
                        department=data["department"],
                        date=data["date"],
                        into=data["via"],
                        user=request.user,
                    ),
                )
            except LedgerError as error:
                form.add_ledger_error(error)
            else:
                if not first:
                    return submitted_before(request, voucher)
                messages.success(request, f"已记账：{voucher.voucher_no} {voucher.summary}")
                return redirect(_to(book, "dues"))
    summary = queries.dues_summary(book.union, book.year.year)
    return render(request, "plan/dues.html", {"form": form, "summary": summary})


@login_required
@require_safe
def dues_download(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """会费收缴情况表 (xlsx)."""
    book = book_for(request, slug, year)
    summary = queries.dues_summary(book.union, book.year.year)
    name, content_type, body = dues_workbook(book.union.name, book.year.year, summary)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@login_required
@require_safe
def compliance(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """合规检查: every finding of the year with its rule and source, and the payments recorded over budget."""
    book = book_for(request, slug, year)
    found = queries.findings(book.year)
    return render(
        request,
        "plan/compliance.html",
        {
            "findings": found,
            "province": book.union.province,
            "flagged": list(queries.flagged_payments(book.year)),
        },
    )
