"""记账: 收入, 支出, a general 记账凭证 (with scans chosen while entering), changing a voucher not yet reviewed,
its life (审核, 反审核, 出纳签字, 记账, 删除; one by one or ticked in the list), a union's own 明细科目, 红字冲销
and scans of the original documents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ledger import attachments, hooks, queries, services, submissions
from ledger.access import book_for
from ledger.errors import LedgerError
from ledger.forms import (
    ENTRY_TYPES,
    AttachmentForm,
    BatchForm,
    LineFormSet,
    PaymentForm,
    ReceiptForm,
    ReverseForm,
    SubAccountForm,
    VoucherForm,
)
from ledger.money import ZERO, format_amount
from ledger.queries import VoucherState
from ledger.queries.consolidation import tracked_branches
from ledger.views import fast_entry
from ledger.views.common import posted, submitted_before, to_book, voucher_for, voucher_page


def _with_scans(write, scans, user):
    """``write`` a voucher, then attach the scans chosen on its form, in the same transaction."""

    def run():
        voucher = write()
        for scan in scans:
            attachments.add_attachment(voucher=voucher, uploaded=scan, user=user)
        return voucher

    return run


def _saved_message(voucher, what: str) -> str:
    if voucher.is_posted:
        return f"已记账：{voucher.full_no} {what}"
    return f"已保存，等待审核：{what}（未审核的凭证不计入余额和报表，审核并记账后才编号）"


class _DryRun(Exception):
    pass


def _refusal_first(write) -> None:
    """Try ``write`` and undo it: a refusal of the books (a ``LedgerError``, e.g. 余额不足) is raised before any
    warning asks for a reason; nothing written stays (voucher numbers included: same transaction)."""
    try:
        with transaction.atomic():
            write()
            raise _DryRun
    except _DryRun:
        pass


def _entry(request: HttpRequest, slug: str, year: int, *, kind: str) -> HttpResponse:
    """The 收入 (``kind="receipt"``) and 支出 (``"payment"``) forms: one voucher each, posted at once unless the
    union requires review."""
    book = book_for(request, slug, year, need="record")
    form_class = ReceiptForm if kind == "receipt" else PaymentForm
    categories = queries.postable_accounts(year=book.year, types=[form_class.account_type])
    files = request.FILES if request.method == "POST" else None
    form = form_class(
        posted(request), files, year=book.year, categories=categories, branches=tracked_branches(book.union)
    )
    hints = fast_entry.prepare(request, form, book.year, kind=kind)
    extension = hooks.payment_extension() if kind == "payment" else None
    facts_form = extension.form_class(posted(request), prefix="facts", year=book.year) if extension else None
    warnings: list[str] = []
    if request.method == "POST" and form.is_valid() and (facts_form is None or facts_form.is_valid()):
        data = form.cleaned_data
        common = {
            "union": book.union,
            "date": data["date"],
            "account": data["category"],
            "amount": data["amount"],
            "summary": data["summary"],
            "user": request.user,
            "attachment_count": data["attachment_count"],
            "branch": data.get("branch"),
        }

        def write():
            if kind == "receipt":
                return services.record_receipt(
                    into=data["via"], payer=data["payer"], payer_kind=data["payer_kind"], **common
                )
            voucher = services.record_payment(
                via=data["via"], payee=data["payee"], payee_kind=data["payee_kind"], **common
            )
            if extension:
                extension.recorded(voucher=voucher, via=data["via"], facts=facts, warnings=warnings)
            return voucher

        facts = facts_form.cleaned_data if facts_form else {}
        try:
            if extension:
                # A payment that breaks a rule or its budget is shown the warnings, and recorded only with a reason.
                warnings = extension.warnings(
                    year=book.year,
                    date=data["date"],
                    account=data["category"],
                    amount=data["amount"],
                    via=data["via"],
                    facts=facts,
                )
            if warnings and not facts.get("reason"):
                _refusal_first(
                    lambda: services.record_payment(
                        via=data["via"], payee=data["payee"], payee_kind=data["payee_kind"], **common
                    )
                )
                voucher = None
            else:
                voucher, first = submissions.submit_once(
                    union=book.union,
                    token=data["token"],
                    write=_with_scans(write, data["scans"], request.user),
                )
        except LedgerError as error:
            form.add_ledger_error(error)
        else:
            if voucher is None:
                pass  # shown again below with the warnings
            elif not first:
                return submitted_before(request, voucher)
            else:
                word = "收入" if kind == "receipt" else "支出"
                messages.success(
                    request,
                    _saved_message(voucher, f"{word} {format_amount(data['amount'])}元 {voucher.summary}"),
                )
                if fast_entry.after_save(request):
                    return redirect(fast_entry.next_entry_url(request, data, kind=kind))
                return redirect(to_book(book.year, "voucher", voucher.pk))
    return render(
        request,
        "ledger/entry_form.html",
        {
            "form": form,
            "kind": kind,
            "facts_form": facts_form,
            "facts_template": extension.template if extension else "",
            "warnings": warnings,
            **hints,
        },
    )


@login_required
def receipt(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    return _entry(request, slug, year, kind="receipt")


@login_required
def payment(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    return _entry(request, slug, year, kind="payment")


@login_required
def voucher_new(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """A general 记账凭证 with free 借/贷 lines (transfers, remitting 经费 upward, …)."""
    book = book_for(request, slug, year, need="record")
    accounts = list(queries.postable_accounts(year=book.year))
    files = request.FILES if request.method == "POST" else None
    form = VoucherForm(posted(request), files, year=book.year)
    copied = fast_entry.copied_lines(request, book.year)
    lines = LineFormSet(
        posted(request),
        prefix="lines",
        form_kwargs={"accounts": accounts, "branches": tracked_branches(book.union)},
        initial=copied,
    )
    hints = fast_entry.prepare(request, form, book.year, kind="voucher")
    if request.method == "POST" and all([form.is_valid(), lines.is_valid()]):
        data = form.cleaned_data
        try:
            voucher, first = submissions.submit_once(
                union=book.union,
                token=data["token"],
                write=_with_scans(
                    lambda: services.record_voucher(
                        year=book.year, posted_by=request.user, lines=_lines(lines), **_head(data)
                    ),
                    data["scans"],
                    request.user,
                ),
            )
        except LedgerError as error:
            form.add_ledger_error(error)
        else:
            if not first:
                return submitted_before(request, voucher)
            messages.success(request, _saved_message(voucher, voucher.summary))
            if fast_entry.after_save(request):
                return redirect(fast_entry.next_entry_url(request, data, kind="voucher"))
            return redirect(to_book(book.year, "voucher", voucher.pk))
    return render(
        request,
        "ledger/voucher_form.html",
        {"form": form, "lines": lines, "with_branch": "branch" in lines.empty_form.fields, **hints},
    )


def _head(data: dict) -> dict:
    return {
        "date": data["date"],
        "summary": data["summary"],
        "counterparty": data["counterparty"],
        "counterparty_kind": data["counterparty_kind"],
        "attachment_count": data["attachment_count"],
    }


def _lines(lines) -> list:
    return [
        services.Line(
            line["account"],
            debit=line["debit"] or ZERO,
            credit=line["credit"] or ZERO,
            memo=line["memo"],
            branch=line.get("branch"),
        )
        for line in lines.lines()
    ]


@login_required
def voucher_edit(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """修改凭证: its preparer changes a voucher still 未审核, on the form of 记凭证 (receipts and payments too)."""
    book, voucher = voucher_for(request, slug, year, pk, need="record")
    steps = services.next_steps(voucher, request.user, may_record=book.can_record, may_review=book.can_review)
    if "edit" not in steps:
        messages.error(
            request,
            "这张凭证不能修改：只有制单人可以修改未审核的凭证（已审核的须先反审核，已记账的只能红字冲销）。",
        )
        return redirect(to_book(book.year, "voucher", voucher.pk))
    accounts = list(queries.postable_accounts(year=book.year))
    current = queries.voucher_lines(voucher).lines
    initial = {
        "date": voucher.date,
        "summary": voucher.summary,
        "counterparty": voucher.counterparty,
        "counterparty_kind": voucher.counterparty_kind,
        "attachment_count": voucher.attachment_count,
    }
    line_initial = [
        {
            "account": str(line.account_id),
            "debit": f"{line.debit.amount}" if line.debit.amount else "",
            "credit": f"{line.credit.amount}" if line.credit.amount else "",
            "memo": line.memo,
            "branch": str(line.branch_id) if line.branch_id else "",
        }
        for line in current
    ]
    files = request.FILES if request.method == "POST" else None
    form = VoucherForm(posted(request), files, year=book.year, initial=initial)
    lines = LineFormSet(
        posted(request),
        prefix="lines",
        form_kwargs={"accounts": accounts, "branches": tracked_branches(book.union)},
        initial=line_initial,
    )
    if request.method == "POST" and all([form.is_valid(), lines.is_valid()]):
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.update_draft(voucher=voucher, user=request.user, lines=_lines(lines), **_head(data))
                for scan in data["scans"]:
                    attachments.add_attachment(voucher=voucher, uploaded=scan, user=request.user)
        except LedgerError as error:
            form.add_ledger_error(error)
        else:
            messages.success(request, f"已修改凭证：{data['summary']}")
            return redirect(to_book(book.year, "voucher", voucher.pk))
    return render(
        request,
        "ledger/voucher_form.html",
        {
            "form": form,
            "lines": lines,
            "editing": voucher,
            "with_branch": "branch" in lines.empty_form.fields,
        },
    )


# What each button of a voucher's page does, and what it says after.
STEPS = {
    "review": (lambda voucher, user: services.review_voucher(voucher=voucher, user=user), "已审核"),
    "unreview": (lambda voucher, user: services.unreview_voucher(voucher=voucher, user=user), "已反审核"),
    "sign": (lambda voucher, user: services.sign_voucher(voucher=voucher, user=user), "出纳已签字"),
    "post": (lambda voucher, user: services.post_voucher(voucher=voucher, posted_by=user), "已记账"),
}


@login_required
@require_POST
def voucher_step(request: HttpRequest, slug: str, year: int, pk: int, step: str) -> HttpResponse:
    """审核, 反审核, 出纳签字, 记账 or 删除 of one voucher (the services decide who may)."""
    book, voucher = voucher_for(request, slug, year, pk, need="handle")
    try:
        if step == "delete":
            services.delete_draft(voucher=voucher, user=request.user)
        else:
            do, said = STEPS[step]
            voucher = do(voucher, request.user)
    except LedgerError as error:
        messages.error(request, error.message)
        return redirect(to_book(book.year, "voucher", voucher.pk))
    if step == "delete":
        messages.success(request, f"已删除未审核的凭证：{voucher.summary}")
        return redirect(to_book(book.year, "vouchers"))
    number = f" {voucher.full_no}" if voucher.is_posted else ""
    messages.success(request, f"{said}{number}：{voucher.summary}")
    return redirect(to_book(book.year, "voucher", voucher.pk))


@login_required
@require_POST
def voucher_batch(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """批量审核 or 批量记账 of the vouchers ticked in the list, one by one in date order; stops at the first
    refusal (those before it stay done) and says which and why."""
    book = book_for(request, slug, year, need="handle")
    waiting = queries.vouchers(year=book.year, states=(VoucherState.DRAFT, VoucherState.REVIEWED))
    form = BatchForm(request.POST, choices=waiting.values_list("pk", flat=True))
    back = to_book(book.year, "vouchers") + "?" + (request.POST.get("query") or "")
    if not form.is_valid():
        messages.error(request, "；".join(error for errors in form.errors.values() for error in errors))
        return redirect(back)
    action, done = form.cleaned_data["action"], 0
    do, said = STEPS[action]
    for voucher in waiting.filter(pk__in=form.cleaned_data["ids"]):
        try:
            do(voucher, request.user)
        except LedgerError as error:
            messages.error(request, f"{voucher.date:%Y-%m-%d} {voucher.summary}：{error.message}")
            break
        done += 1
    if done:
        messages.success(request, f"{said} {done} 张凭证")
    return redirect(back)


@login_required
def sub_account_new(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """Add a union's own 明细科目 under an income or spending account; suggests common ones."""
    book = book_for(request, slug, year, need="record")
    parents = list(
        queries.year_accounts(book.year).filter(type__in=ENTRY_TYPES, is_active=True).select_related("parent")
    )
    form = SubAccountForm(posted(request), parents=parents)
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
            return redirect(next_url or to_book(book.year, "accounts"))
    suggestions = queries.sub_account_suggestions(book.year, parents)
    return render(
        request, "ledger/sub_account_form.html", {"form": form, "suggestions": suggestions, "next": next_url}
    )


@login_required
@require_POST
def voucher_reverse(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """冲销: a posted voucher is never edited or deleted; the treasurer reverses it, giving a reason."""
    book, voucher = voucher_for(request, slug, year, pk, need="record")
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
                return submitted_before(request, reversal)
            both = "；补助下级（下拨）的另一方已一同冲销" if services.allocation_side(voucher) else ""
            if reversal.is_posted:
                messages.success(request, f"已红字冲销{voucher.full_no}：冲销凭证为{reversal.full_no}{both}")
            else:
                messages.success(request, f"已填制{voucher.full_no}的红字冲销凭证，等待审核后记账{both}")
            return redirect(
                reverse("ledger:voucher", args=[book.union.slug, reversal.year.year, reversal.pk])
            )
    return voucher_page(request, book, voucher, reverse_form=form)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    book, voucher = voucher_for(request, slug, year, pk, need="record")
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
            return redirect(to_book(book.year, "voucher", voucher.pk))
    return voucher_page(request, book, voucher, upload_form=form)
