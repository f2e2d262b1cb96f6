"""The auditor's actions on a voucher (已审查, 疑点, close or keep open), the treasurer's answer, and the list.

Every action is a POST that redirects back to the voucher's page (POST/redirect/GET); a refusal comes back
as a Chinese message and writes nothing. The 经费审查 role acts with ``need="audit"``, the treasurer answers
with ``need="record"``; both read the list.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ledger import queries
from ledger.access import book_for
from ledger.errors import LedgerError
from reports import fonts
from reports.views import file_or_wait
from review import queries as review_queries
from review import render as review_render
from review import services
from review.forms import AnswerForm, AuditTextForm, CheckForm, DecideForm, RaiseForm, RemarkFilterForm
from review.report import build_audit_report, text_values

PAGE_SIZE = 30


def _back(book, voucher_id: int) -> HttpResponse:
    url = reverse("ledger:voucher", args=[book.union.slug, book.year.year, voucher_id])
    return redirect(f"{url}#review")


def _form_error(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _remark(book, pk: int):
    remark = review_queries.remark_in(book.year, pk)
    if remark is None:
        raise Http404("没有这条审查意见")
    return remark


@login_required
@require_POST
def raise_query(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    book = book_for(request, slug, year, need="audit")
    voucher = get_object_or_404(queries.voucher_in(book.year), pk=pk)
    lines = queries.voucher_lines(voucher).lines
    scans = list(queries.scans(book.year).filter(voucher=voucher))
    form = RaiseForm(request.POST, lines=lines, scans=scans)
    if not form.is_valid():
        _form_error(request, form)
        return _back(book, voucher.pk)
    target = form.cleaned_data["target"]
    line = next((item for item in lines if target == f"line-{item.pk}"), None)
    scan = next((item for item in scans if target == f"scan-{item.pk}"), None)
    try:
        services.raise_query(
            voucher=voucher,
            user=request.user,
            comment=form.cleaned_data["comment"],
            line=line,
            attachment=scan,
        )
    except LedgerError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已提出疑点，等待出纳/会计答复。")
    return _back(book, voucher.pk)


@login_required
@require_POST
def mark_checked(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    book = book_for(request, slug, year, need="audit")
    voucher = get_object_or_404(queries.voucher_in(book.year), pk=pk)
    form = CheckForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back(book, voucher.pk)
    try:
        services.mark_checked(voucher=voucher, user=request.user, comment=form.cleaned_data["comment"])
    except LedgerError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已标记为已审查。")
    return _back(book, voucher.pk)


@login_required
@require_POST
def answer(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    book = book_for(request, slug, year, need="record")
    remark = _remark(book, pk)
    form = AnswerForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_error(request, form)
        return _back(book, remark.voucher_id)
    reversal = None
    if form.cleaned_data["link_reversal"]:
        reversal = queries.voucher_in(book.year).filter(reverses_id=remark.voucher_id).first()
        if reversal is None:
            messages.error(request, "本凭证还没有冲销凭证：请先在凭证页冲销，再关联。")
            return _back(book, remark.voucher_id)
    try:
        services.answer_query(
            remark=remark,
            user=request.user,
            text=form.cleaned_data["text"],
            uploaded=form.cleaned_data["file"] or None,
            reversal=reversal,
        )
    except LedgerError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已答复疑点，等待经费审查委员复核。")
    return _back(book, remark.voucher_id)


@login_required
@require_POST
def decide(request: HttpRequest, slug: str, year: int, pk: int, decision: str) -> HttpResponse:
    """The auditor closes the 疑点 (``close``) or keeps it open (``keep``)."""
    book = book_for(request, slug, year, need="audit")
    remark = _remark(book, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back(book, remark.voucher_id)
    try:
        if decision == "close":
            services.close_query(remark=remark, user=request.user, text=form.cleaned_data["text"])
            messages.success(request, "疑点已关闭。")
        else:
            services.keep_open(remark=remark, user=request.user, text=form.cleaned_data["text"])
            messages.success(request, "疑点保持未决，已退回出纳/会计。")
    except LedgerError as error:
        messages.error(request, error.message)
    return _back(book, remark.voucher_id)


@login_required
@require_safe
def remark_list(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """审查意见: every 已审查 mark and 疑点 of the year, filterable (default: the open 疑点)."""
    book = book_for(request, slug, year)
    form = RemarkFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    found = (
        review_queries.remarks(year=book.year, **filters)
        if filters
        else review_queries.remarks(year=book.year, open_only=not form.is_bound)
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "review/list.html",
        {"page": page, "form": form, "query": query.urlencode(), "open_only": not form.is_bound},
    )


@login_required
@require_safe
def audit_report(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """经费审查报告: page, ``?format=pdf`` or ``?format=xlsx`` (files from the report cache, rendered by a
    background worker on a miss); figures from the finance report's own data."""
    book = book_for(request, slug, year, need="reports")
    output = request.GET.get("format", "")
    if output == "xlsx":
        return file_or_wait(request, book.year, "audit-xlsx")
    if output == "pdf":
        status = fonts.status()
        if not status.has_cjk_font:
            return render(request, "reports/pdf_unavailable.html", {"problems": status.problems}, status=503)
        return file_or_wait(request, book.year, "audit-pdf")
    context = review_render.context(build_audit_report(book.year)) | {"can_edit": book.can_audit}
    return render(request, "review/audit_report.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def audit_text(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The 经费审查委员会 edits its report's words (the figures stay the books')."""
    book = book_for(request, slug, year, need="audit")
    current = text_values(book.year)
    form = AuditTextForm(request.POST or None, initial=current.as_dict())
    if request.method == "POST" and form.is_valid():
        try:
            services.save_audit_text(year=book.year, values=form.cleaned_data, user=request.user)
        except LedgerError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "报告文字已保存。")
            return redirect("review:audit_report", book.union.slug, book.year.year)
    return render(request, "review/audit_text.html", {"form": form})
