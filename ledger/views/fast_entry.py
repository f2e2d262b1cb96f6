"""Fast entry on 记收入, 记支出 and 记凭证 (issue 14): what the server adds so that the forms start filled in.

Everything here works without JavaScript: the defaults are the forms' initial values, "保存并新增" is a submit
button that comes back to an empty form keeping the date, the category, cash or bank, the payer/payee and its kind
(单位 or 个人), and
the suggestions are ``<datalist>``s. ``static/js/fast-entry.js`` adds the keyboard (Enter moves on, Ctrl+Enter
saves), the account search (code, name, pinyin initials) over ``entry_accounts``, and 记凭证's live totals.
"""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from ledger import queries, services
from ledger.access import book_for
from ledger.errors import LedgerError
from ledger.forms import ENTRY_TYPES, PaymentForm, ReceiptForm, VoucherTemplateForm, account_label
from ledger.views.common import voucher_for

KINDS = {"receipt": [ReceiptForm.account_type], "payment": [PaymentForm.account_type], "voucher": None}
PEOPLE = {"receipt": "payer", "payment": "payee", "voucher": "counterparty"}
PEOPLE_KINDS = {"receipt": "payer_kind", "payment": "payee_kind", "voucher": "counterparty_kind"}
FORM_URLS = {"receipt": "ledger:receipt", "payment": "ledger:payment", "voucher": "ledger:voucher_new"}


def _date(text: str, year: int) -> datetime.date | None:
    try:
        date = datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return date if date.year == year else None


def prepare(request: HttpRequest, form, year, *, kind: str) -> dict:
    """Fill an unbound entry form's defaults and return what its page needs for fast entry. Three queries."""
    hints = queries.entry_hints(year=year, user=request.user, types=KINDS[kind])
    person = PEOPLE[kind]
    category = None
    if not form.is_bound:
        date = _date(request.GET.get("date", ""), year.year) or hints.date
        if date:
            form.initial["date"] = date
        if "category" in form.fields:
            wanted = request.GET.get("category", "")
            if wanted in form.fields["category"].accounts:
                form.initial["category"] = wanted
                category = int(wanted)
            via = request.GET.get("via", "")
            if via not in ("cash", "bank"):
                via = hints.via_for(category) or hints.last_via
            if via:
                form.initial["via"] = via
        wanted_branch = request.GET.get("branch", "")
        if "branch" in form.fields and form.fields["branch"].valid_value(wanted_branch):
            form.initial["branch"] = wanted_branch
        if request.GET.get(person):
            form.initial[person] = request.GET[person][:100]
        people_kind = request.GET.get(PEOPLE_KINDS[kind], "")
        if people_kind and form.fields[PEOPLE_KINDS[kind]].valid_value(people_kind):
            form.initial[PEOPLE_KINDS[kind]] = people_kind
        if getattr(request, "fast_entry_summary", ""):
            form.initial["summary"] = request.fast_entry_summary
    first = "amount" if category else ("category" if "category" in form.fields else "date")
    form.fields[first].widget.attrs["autofocus"] = True
    form.fields["summary"].widget.attrs.update({"list": "summary-suggestions", "autocomplete": "off"})
    if person in form.fields:
        form.fields[person].widget.attrs.update({"list": "people-suggestions", "autocomplete": "off"})
    chosen = [hint for hint in hints.accounts if hint.pk == category] or hints.accounts
    return {
        "voucher_templates": queries.voucher_templates(year) if kind == "voucher" else [],
        "accounts_url": reverse("ledger:entry_accounts", args=[year.union.slug, year.year]) + f"?kind={kind}",
        "again": bool(request.session.get(SAVED_IN_SESSION)),
        "summary_suggestions": _first(hint.summaries for hint in chosen),
        "people_suggestions": _first(hint.counterparties for hint in chosen),
    }


def _first(lists, limit: int = 12) -> list[str]:
    seen: list[str] = []
    for items in lists:
        for item in items:
            if item not in seen:
                seen.append(item)
                if len(seen) == limit:
                    return seen
    return seen


SAVED_IN_SESSION = "fast_entry_saved"


def after_save(request: HttpRequest) -> bool:
    """After a save: remember it in the session (保存并新增 is then the default button of every entry form) and
    say whether she pressed 保存并新增 (rather than 保存并记账)."""
    request.session[SAVED_IN_SESSION] = True
    return request.POST.get("then") == "new"


def next_entry_url(request: HttpRequest, data: dict, *, kind: str) -> str:
    """The empty form again, keeping the date, the category, the 分会, cash or bank, the payer/payee and its kind."""
    book = request.book
    keep = {"date": data["date"].isoformat()}
    if data.get("category"):
        keep["category"] = data["category"].pk
    if data.get("via"):
        keep["via"] = data["via"]
    if data.get("branch"):
        keep["branch"] = data["branch"]
    for field in (PEOPLE[kind], PEOPLE_KINDS[kind]):
        if data.get(field):
            keep[field] = data[field]
    return reverse(FORM_URLS[kind], args=[book.union.slug, book.year.year]) + "?" + urlencode(keep)


def copied_lines(request: HttpRequest, year) -> list[dict] | None:
    """复制凭证: ``?copy=<pk>`` starts 记凭证 with that voucher's lines (accounts, amounts, memos); ``?template=<pk>``
    with a 常用凭证's. Two queries."""
    if request.method != "GET":
        return None
    template = request.GET.get("template", "")
    if template.isdigit():
        found = queries.template_lines(year, int(template))
        if found is None:
            return None
        request.fast_entry_summary = found[0]
        return found[1]
    pk = request.GET.get("copy", "")
    if not pk.isdigit():
        return None
    voucher = queries.voucher_in(year).filter(pk=int(pk)).first()
    if voucher is None:
        return None
    lines = queries.voucher_lines(voucher).lines
    return [
        {
            "account": str(line.account_id),
            "debit": f"{line.debit.amount:.2f}" if line.debit.amount else "",
            "credit": f"{line.credit.amount:.2f}" if line.credit.amount else "",
            "memo": line.memo,
            "branch": str(line.branch_id) if line.branch_id else "",
        }
        for line in lines
    ]


@login_required
@require_safe
def entry_accounts(request: HttpRequest, slug: str, year: int) -> JsonResponse:
    """The account chooser's list for ``?kind=receipt|payment|voucher``: recent first, with what to search by."""
    book = book_for(request, slug, year, need="record")
    kind = request.GET.get("kind", "voucher")
    types = KINDS.get(kind, ENTRY_TYPES)
    hints = queries.entry_hints(year=book.year, user=request.user, types=types)
    return JsonResponse({"accounts": [hint.as_json(account_label(hint.account)) for hint in hints.accounts]})


@login_required
@require_POST
def save_template(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """存为常用凭证 from a voucher's page."""
    book, voucher = voucher_for(request, slug, year, pk, need="record")
    form = VoucherTemplateForm(request.POST)
    if form.is_valid():
        try:
            template = services.save_voucher_template(
                voucher=voucher, name=form.cleaned_data["name"], user=request.user
            )
        except LedgerError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"已存为常用凭证“{template.name}”，记凭证时可以直接选用。")
    else:
        messages.error(request, "；".join(error for errors in form.errors.values() for error in errors))
    return redirect(reverse("ledger:voucher", args=[slug, year, voucher.pk]))
