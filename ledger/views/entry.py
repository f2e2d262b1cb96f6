"""记账: 收入, 支出, a general 记账凭证, a union's own 明细科目, 冲销 and scans of the original documents."""

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
    LineFormSet,
    PaymentForm,
    ReceiptForm,
    ReverseForm,
    SubAccountForm,
    VoucherForm,
)
from ledger.money import ZERO, format_amount
from ledger.views.common import posted, submitted_before, to_book, voucher_for, voucher_page


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
    """The 收入 (``kind="receipt"``) and 支出 (``"payment"``) forms: one posted voucher each."""
    book = book_for(request, slug, year, need="record")
    form_class = ReceiptForm if kind == "receipt" else PaymentForm
    categories = queries.postable_accounts(year=book.year, types=[form_class.account_type])
    form = form_class(posted(request), year=book.year, categories=categories)
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
        }

        def write():
            if kind == "receipt":
                return services.record_receipt(into=data["via"], payer=data["payer"], **common)
            voucher = services.record_payment(via=data["via"], payee=data["payee"], **common)
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
                    lambda: services.record_payment(via=data["via"], payee=data["payee"], **common)
                )
                voucher = None
            else:
                voucher, first = submissions.submit_once(union=book.union, token=data["token"], write=write)
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
                    f"已记账：{voucher.voucher_no} {word} {format_amount(data['amount'])}元 {voucher.summary}。"
                    "可在下方上传原始凭证扫描件。",
                )
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
    form = VoucherForm(posted(request), year=book.year)
    lines = LineFormSet(posted(request), prefix="lines", form_kwargs={"accounts": accounts})
    if request.method == "POST" and all([form.is_valid(), lines.is_valid()]):
        data = form.cleaned_data
        try:
            voucher, first = submissions.submit_once(
                union=book.union,
                token=data["token"],
                write=lambda: services.record_voucher(
                    year=book.year,
                    posted_by=request.user,
                    date=data["date"],
                    summary=data["summary"],
                    counterparty=data["counterparty"],
                    attachment_count=data["attachment_count"],
                    lines=[
                        services.Line(
                            line["account"],
                            debit=line["debit"] or ZERO,
                            credit=line["credit"] or ZERO,
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
                return submitted_before(request, voucher)
            messages.success(request, f"已记账：{voucher.voucher_no} {voucher.summary}")
            return redirect(to_book(book.year, "voucher", voucher.pk))
    return render(request, "ledger/voucher_form.html", {"form": form, "lines": lines})


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
            messages.success(request, f"已冲销{voucher.voucher_no}：冲销凭证为{reversal.voucher_no}")
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
