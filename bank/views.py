"""银行对账 (/u/<slug>/<year>/reconcile/...) and 现金盘点 (/u/<slug>/<year>/cash-count/...) pages.

Everyone who reads the books reads these pages; only the treasurer (``need="record"``) uploads, matches and
records a count. A refusal is a Chinese message and writes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from bank import queries, services
from bank.forms import CashCountForm, HandMatchForm, StatementForm
from ledger import roles
from ledger.access import book_for
from ledger.errors import LedgerError
from reports.views import file_or_wait, without_fonts

MONTHS = range(1, 13)


def _url(book, name: str, *args) -> str:
    return reverse(f"bank:{name}", args=[book.union.slug, book.year.year, *args])


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def statements(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """对账单: the year's statements, the upload form (with the last bank's remembered columns), the months."""
    book = book_for(request, slug, year)
    can_record = roles.can_record(request.user, book.union)
    form = None
    if request.method == "POST":
        if not can_record:
            book_for(request, slug, year, need="record")
        form = StatementForm(request.POST, request.FILES)
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            try:
                services.upload_statement(
                    year=book.year,
                    user=request.user,
                    bank_name=form.cleaned_data["bank_name"],
                    name=uploaded.name,
                    content=uploaded.read(),
                    mapping=form.mapping(),
                    period_end=form.cleaned_data["period_end"],
                )
            except LedgerError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "对账单已上传，并已自动匹配，请在“对账”中确认。")
                return redirect(_url(book, "matching"))
    saved = list(queries.mappings(book.union)[:10])
    if form is None and can_record:
        initial = {}
        if saved:
            initial = {"bank_name": saved[0].bank_name, **{f: getattr(saved[0], f) for f in services.COLUMNS}}
        form = StatementForm(initial=initial or None)
    return render(
        request,
        "bank/statements.html",
        {
            "statements": list(queries.statements(book.year)),
            "form": form if can_record else None,
            "saved": saved,
            "months": MONTHS,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def matching(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """对账: every statement row with its match, proposed match or suggestions; the treasurer decides."""
    book = book_for(request, slug, year)
    if request.method == "POST":
        book = book_for(request, slug, year, need="record")
        action = request.POST.get("action", "")
        try:
            if action == "confirm_all":
                count = services.confirm_matches(year=book.year, user=request.user)
                messages.success(request, f"已确认 {count} 笔匹配。")
            elif action == "auto":
                count = services.auto_match(year=book.year, user=request.user)
                messages.success(request, f"自动匹配 {count} 笔，请确认。")
            elif action in ("confirm", "unmatch", "hand"):
                form = HandMatchForm(request.POST)
                if not form.is_valid() and action == "hand":
                    raise LedgerError("请选择要匹配的日记账记录")
                row = queries.statement_rows(book.year).filter(pk=request.POST.get("row") or 0).first()
                if row is None:
                    raise Http404("没有这笔对账单明细")
                if action == "confirm":
                    services.confirm_matches(year=book.year, user=request.user, row_ids=[row.pk])
                elif action == "unmatch":
                    services.unmatch(year=book.year, user=request.user, row=row)
                else:
                    services.match_by_hand(
                        year=book.year, user=request.user, row=row, line_id=form.cleaned_data["line"]
                    )
                messages.success(request, "已保存。")
            else:
                messages.error(request, "未知的操作")
        except LedgerError as error:
            messages.error(request, error.message)
        return redirect(_url(book, "matching"))
    lines = queries.bank_lines(book.year)
    by_pk = {line.pk: line for line in lines}
    rows = []
    for row in queries.statement_rows(book.year):
        match = getattr(row, "match", None) if hasattr(row, "match") else None
        rows.append(
            {
                "row": row,
                "match": match,
                "line": by_pk.get(match.line_id) if match else None,
                "near": [] if match else queries.candidates(row, lines),
                "other": [] if match else queries.candidates(row, lines, window=None),
            }
        )
    unmatched_lines = [line for line in lines if line.match_row_id is None]
    return render(
        request,
        "bank/matching.html",
        {
            "rows": rows,
            "unmatched_lines": unmatched_lines,
            "can_match": roles.can_record(request.user, book.union),
            "window": queries.WINDOW_DAYS,
            "months": MONTHS,
        },
    )


@login_required
@require_safe
def reconciliation(request: HttpRequest, slug: str, year: int, month: int) -> HttpResponse:
    """银行存款余额调节表 of a month: page, ``?format=pdf`` or ``?format=xlsx``."""
    book = book_for(request, slug, year)
    if month not in MONTHS:
        raise Http404("没有这个月份")
    output = request.GET.get("format", "")
    if output == "xlsx":
        return file_or_wait(request, book.year, "bank-reconciliation-xlsx", month)
    if output == "pdf":
        return without_fonts(request) or file_or_wait(request, book.year, "bank-reconciliation-pdf", month)
    data = queries.reconciliation(book.year, month)
    return render(request, "bank/reconciliation.html", {"data": data, "months": MONTHS})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cash_counts(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """现金盘点: the year's counts and, for the treasurer, the form of a new one."""
    book = book_for(request, slug, year)
    can_record = roles.can_record(request.user, book.union)
    form = CashCountForm() if can_record else None
    if request.method == "POST":
        book = book_for(request, slug, year, need="record")
        form = CashCountForm(request.POST)
        if form.is_valid():
            try:
                count = services.record_cash_count(
                    year=book.year,
                    user=request.user,
                    date=form.cleaned_data["date"],
                    pieces=form.pieces(),
                    witness=form.cleaned_data["witness"],
                    explanation=form.cleaned_data["explanation"],
                )
            except LedgerError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"已记录盘点：{count.difference_kind}。")
                return redirect(_url(book, "cash_counts"))
    return render(
        request, "bank/cash_counts.html", {"counts": list(queries.cash_counts(book.year)), "form": form}
    )


@login_required
@require_safe
def cash_count_pdf(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """库存现金盘点表, signed by the counter and the witness (rendered by a report worker, ``bank/jobs.py``)."""
    book = book_for(request, slug, year)
    if queries.cash_count_in(book.year, pk) is None:
        raise Http404("没有这次盘点")
    return without_fonts(request) or file_or_wait(request, book.year, "cash-count-pdf", param=str(pk))
