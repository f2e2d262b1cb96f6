"""The import pages: upload → preview (every row's outcome, problems by row and column) → confirm; and 导出.

Access as every book page: ``ledger.access.book_for``; importing needs the treasurer's role and an open year,
reading the templates and the export needs only the right to read the books.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from imports import render as xlsx
from imports import services
from imports.forms import MissingAccountsForm, UploadForm
from ledger.access import book_for
from ledger.errors import LedgerError
from ledger.queries import year_accounts
from reports.views import file_or_wait

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_NAMES = {"vouchers": "凭证导入模板", "cashbook": "收支流水导入模板", "opening": "期初余额导入模板"}


def _recording(request: HttpRequest, slug: str, year: int):
    book = book_for(request, slug, year, need="record")
    if not book.can_record:
        raise PermissionDenied(f"{book.year.year}年度已结账，不能再导入")
    return book


def _batch(book, pk: int):
    batch = services.batch_in(book.year, pk)
    if batch is None:
        raise Http404("没有这次导入")
    return batch


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@login_required
def start(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """导入: the templates to download, the upload form, and this year's earlier imports."""
    book = _recording(request, slug, year)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            batch = services.upload(
                year=book.year,
                kind=form.cleaned_data["kind"],
                file_name=uploaded.name,
                content=uploaded,
                user=request.user,
            )
        except LedgerError as error:
            form.add_error("file", error.message)
        else:
            return redirect("imports:preview", slug, year, batch.pk)
    return render(
        request,
        "imports/start.html",
        {"form": form, "batches": services.batches(book.year), "templates": TEMPLATE_NAMES},
    )


@login_required
@require_safe
def template(request: HttpRequest, slug: str, year: int, kind: str) -> HttpResponse:
    book_for(request, slug, year)
    if kind not in TEMPLATE_NAMES:
        raise Http404("没有这个模板")
    return _xlsx(xlsx.template(kind), f"{TEMPLATE_NAMES[kind]}.xlsx")


@login_required
@require_safe
def preview(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    book = _recording(request, slug, year)
    batch = _batch(book, pk)
    if batch.state in (services.ImportBatch.State.RUNNING, services.ImportBatch.State.DONE):
        return render(request, "imports/progress.html", {"batch": batch, "status": services.status(batch)})
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    try:
        analysis = services.analyse(batch, page=page)
    except LedgerError as error:
        messages.error(request, error.message)
        return redirect("imports:start", slug, year)
    services.record_analysis(batch, analysis)
    accounts_form = None
    if analysis.missing:
        accounts_form = MissingAccountsForm(missing=analysis.missing, parents=list(year_accounts(book.year)))
    return render(
        request,
        "imports/preview.html",
        {
            "batch": batch,
            "analysis": analysis,
            "page": page,
            "accounts_form": accounts_form,
            "background": services.runs_in_background(batch),
        },
    )


@login_required
@require_POST
def confirm(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    book = _recording(request, slug, year)
    batch = _batch(book, pk)
    if services.runs_in_background(batch):
        services.start(batch=batch, user=request.user)
        return redirect("imports:preview", slug, year, batch.pk)
    try:
        batch = services.confirm(batch=batch, user=request.user)
    except LedgerError as error:
        messages.error(request, error.message)
        return redirect("imports:preview", slug, year, batch.pk)
    messages.success(request, f"{batch.file_name}：{batch.message}。")
    return redirect(reverse("ledger:vouchers", args=[slug, year]))


@login_required
@require_POST
def add_accounts(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    book = _recording(request, slug, year)
    batch = _batch(book, pk)
    analysis = services.analyse(batch, page=0)
    form = MissingAccountsForm(request.POST, missing=analysis.missing, parents=list(year_accounts(book.year)))
    if form.is_valid():
        try:
            created = services.add_missing_accounts(batch=batch, parents=form.chosen(), user=request.user)
        except LedgerError as error:
            messages.error(request, error.message)
        else:
            names = "、".join(f"{account.code} {account.name}" for account in created)
            messages.success(request, f"已增加明细科目：{names}。" if created else "没有增加明细科目。")
    return redirect("imports:preview", slug, year, batch.pk)


@login_required
@require_safe
def progress(request: HttpRequest, slug: str, year: int, pk: int) -> JsonResponse:
    book = _recording(request, slug, year)
    status = services.status(_batch(book, pk))
    return JsonResponse(
        {
            "state": status.state,
            "label": status.label,
            "done": status.done,
            "total": status.total,
            "message": status.message,
        }
    )


@login_required
@require_safe
def export(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """导出: the year's vouchers and 期初余额 in the import template, so they import back as they are."""
    book = book_for(request, slug, year)
    return file_or_wait(request, book.year, "vouchers-export")  # a report worker writes it (imports/jobs.py)
