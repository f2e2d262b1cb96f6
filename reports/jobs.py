"""Report files rendered by background workers: which files there are, asking for one, and where it stands.

A download view looks the file up in the cache (``reports.cache.lookup``). On a miss it calls
``request_render``, which enqueues ``reports.tasks.render_report`` on the task library (django-tasks with its
database backend) unless a render of the same file of the same books is already waiting, and shows a page
that polls ``status``. A worker (``manage.py db_worker``) runs ``render``: it renders the file into the cache;
when that fails, the reason is kept in Chinese on the job and the task is enqueued again after each of
``REPORT_RENDER_RETRY_DELAYS`` (django-tasks itself does not retry: its ``run_after`` defers the new attempt).
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks_db.models import DBTaskResult

from ledger.charts import facts_for
from ledger.errors import LedgerError
from ledger.models import AccountingYear
from ledger.queries import journal_rows
from reports import cache, fonts
from reports.consolidated import build_consolidated_report
from reports.consolidated_statements import build_consolidated_statements
from reports.data import AnnualReportData, build_annual_report, build_statements
from reports.models import RenderJob
from reports.render import Rendered
from reports.render.pdf import (
    PdfUnavailable,
    render_consolidated_pdf,
    render_consolidated_statements_pdf,
    render_pdf,
    render_statements_pdf,
)
from reports.render.xlsx import render_consolidated_statements_xlsx, render_statements_xlsx, render_xlsx
from reports.statements import FORMS


def statements_data(year: AccountingYear, month: int) -> AnnualReportData:
    """The report data with its statements at the end of ``month`` (December: the year's own)."""
    data = build_annual_report(year)
    if month != 12 and data.statements is not None:
        data = replace(data, statements=build_statements(year, month))
    return data


def has_statements(year: AccountingYear) -> bool:
    """Whether the year's chart has a form of statements (else there is nothing to render)."""
    chart = facts_for(year.chart)
    return chart.statements is not None and chart.statements.get("form") in FORMS


@dataclass(frozen=True)
class Kind:
    """One file a worker renders: its name in the cache, its title on the waiting page, its download URL.

    ``key`` replaces the cache's own key (``reports.cache.cache_key``: the books and the report's words) for a
    file that reads more than those (the 经费审查报告, registered by ``review``).
    """

    name: str
    title: str
    url_name: str
    render: Callable[[AccountingYear, int], Rendered]
    monthly: bool = False
    query: str = ""
    key: Callable[[AccountingYear, int], str] | None = None

    def cache_key(self, year: AccountingYear, month: int) -> str:
        return self.key(year, month) if self.key else cache.cache_key(year, self.fmt(month))

    def fmt(self, month: int) -> str:
        return f"{self.name}-{month:02d}" if self.monthly else self.name.removeprefix("annual-")

    def url(self, year: AccountingYear, month: int) -> str:
        url = reverse(self.url_name, args=[year.union.slug, year.year])
        return f"{url}?month={month}" if self.monthly else url + self.query


def consolidated_key(year: AccountingYear, month: int = 12) -> str:
    """合并 reads the 分工会's books besides the union's own, so the union's cache key would miss a branch's new
    voucher: the key is a hash of the consolidated report's built data (what the page shows) and its layout."""
    return cache.data_key(build_consolidated_report(year), cache.renderer_fingerprint())


def consolidated_statements_key(year: AccountingYear, month: int = 12) -> str:
    """The 合并 statements' key, for the same reason as ``consolidated_key``: a hash of their built data."""
    return cache.data_key(build_consolidated_statements(year, month), cache.renderer_fingerprint())


KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            "annual-pdf",
            "财务工作报告（PDF）",
            "reports:annual_pdf",
            lambda y, m: render_pdf(build_annual_report(y)),
        ),
        Kind(
            "annual-xlsx",
            "财务工作报告（Excel）",
            "reports:annual_xlsx",
            lambda y, m: render_xlsx(build_annual_report(y), journal_rows(y)),
        ),
        Kind(
            "consolidated-pdf",
            "合并财务报告（PDF）",
            "reports:consolidated_pdf",
            lambda y, m: render_consolidated_pdf(build_consolidated_report(y)),
            key=consolidated_key,
        ),
        Kind(
            "consolidated-statements-pdf",
            "合并会计报表（PDF）",
            "reports:consolidated_statements_pdf",
            lambda y, m: render_consolidated_statements_pdf(build_consolidated_statements(y, m)),
            monthly=True,
            key=consolidated_statements_key,
        ),
        Kind(
            "consolidated-statements-xlsx",
            "合并会计报表（Excel）",
            "reports:consolidated_statements_xlsx",
            lambda y, m: render_consolidated_statements_xlsx(build_consolidated_statements(y, m)),
            monthly=True,
            key=consolidated_statements_key,
        ),
        Kind(
            "statements-pdf",
            "会计报表（PDF）",
            "reports:statements_pdf",
            lambda y, m: render_statements_pdf(statements_data(y, m)),
            monthly=True,
        ),
        Kind(
            "statements-xlsx",
            "会计报表（Excel）",
            "reports:statements_xlsx",
            lambda y, m: render_statements_xlsx(statements_data(y, m)),
            monthly=True,
        ),
    )
}


def register(kind: Kind) -> None:
    """Another app's file for the workers (from its ``AppConfig.ready``; the reports never import it)."""
    KINDS[kind.name] = kind


# Failures that another attempt cannot mend: a character no font has, WeasyPrint missing, a refusal.
PERMANENT = (fonts.MissingGlyphs, PdfUnavailable, LedgerError)


def lookup(year: AccountingYear, kind: str, month: int = 12) -> cache.CachedFile | None:
    """The current file if it is in the cache (the four small queries of the cache key and a file read)."""
    found = KINDS[kind]
    return cache.lookup(year, found.fmt(month), key=found.cache_key(year, month) if found.key else None)


@transaction.atomic
def request_render(
    *, year: AccountingYear, kind: str, month: int = 12, user: AbstractBaseUser | None
) -> RenderJob:
    """A job rendering ``kind`` of ``year``: the one already waiting or running for these books, else a new one.

    Called on a cache miss: a job of the same key that is done or failed is not the answer (its file went
    stale or never came), so a new one is made.
    """
    found = KINDS[kind]
    key = found.cache_key(year, month)
    for job in RenderJob.objects.filter(year=year, kind=kind, month=month, key=key).order_by("-created_at")[
        :1
    ]:
        if status(job).state in {"queued", "running", "retrying"}:
            return job
    job = RenderJob.objects.create(year=year, kind=kind, month=month, key=key, requested_by=user)
    _enqueue(job, delay=0)
    return job


def _enqueue(job: RenderJob, *, delay: float) -> None:
    from reports.tasks import render_report  # noqa: PLC0415 - the task module imports this one

    task = (
        render_report.using(run_after=timezone.now() + timedelta(seconds=delay)) if delay else render_report
    )
    result = task.enqueue(str(job.pk))
    job.task_id = str(result.id)
    job.attempts += 1
    job.save(update_fields=["task_id", "attempts"])


def render(job_id: str) -> str:
    """The worker's part: render the job's file into the cache; on failure note why, retry, and raise."""
    job = RenderJob.objects.select_related("year__union", "year__chart").get(pk=job_id)
    kind = KINDS[job.kind]
    try:
        key = kind.cache_key(job.year, job.month) if kind.key else None
        stored = cache.store(job.year, kind.fmt(job.month), lambda: kind.render(job.year, job.month), key=key)
    except Exception as error:
        job.error = _reason(error)
        job.save(update_fields=["error"])
        delays = settings.REPORT_RENDER_RETRY_DELAYS
        if not isinstance(error, PERMANENT) and job.attempts <= len(delays):
            _enqueue(job, delay=delays[job.attempts - 1])
        raise
    return stored.filename


def _reason(error: Exception) -> str:
    if isinstance(error, LedgerError):
        return error.message
    if isinstance(error, PERMANENT):
        return str(error)
    if isinstance(error, OSError):
        return f"无法保存生成的文件（{error.strerror or error}），请联系管理员检查服务器磁盘。"
    return f"生成文件时出错（{type(error).__name__}），请稍后再试或联系管理员。"


@dataclass(frozen=True)
class Status:
    state: str  # queued, running, retrying, done, failed
    label: str
    message: str
    attempt: int
    ahead: int
    title: str
    download_url: str

    def as_dict(self) -> dict:
        return {
            "state": self.state,
            "label": self.label,
            "message": self.message,
            "attempt": self.attempt,
            "ahead": self.ahead,
            "title": self.title,
            "download": self.download_url if self.state == "done" else "",
        }


def status(job: RenderJob) -> Status:
    """Where the job stands, from the task library's result of its latest attempt (two small queries)."""
    from reports.tasks import render_report  # noqa: PLC0415

    kind = KINDS[job.kind]
    made = {"attempt": job.attempts, "title": kind.title, "download_url": kind.url(job.year, job.month)}
    try:
        result = render_report.get_result(job.task_id)
    except TaskResultDoesNotExist:
        return Status("failed", "生成失败", job.error or "任务已不存在，请重新下载。", ahead=0, **made)
    if result.status == TaskResultStatus.SUCCESSFUL:
        return Status("done", "已生成", "", ahead=0, **made)
    if result.status == TaskResultStatus.FAILED:
        return Status("failed", "生成失败", job.error, ahead=0, **made)
    if result.status == TaskResultStatus.RUNNING:
        label = "正在生成" if job.attempts == 1 else f"正在第{job.attempts}次尝试生成"
        return Status("running", label, "", ahead=0, **made)
    ahead = DBTaskResult.objects.ready().filter(enqueued_at__lt=result.enqueued_at).count()
    if job.error:
        return Status("retrying", f"上次生成失败，等待第{job.attempts}次尝试", job.error, ahead=ahead, **made)
    return Status("queued", "排队等待生成", "", ahead=ahead, **made)


def job_in(year: AccountingYear, job_id) -> RenderJob | None:
    return RenderJob.objects.select_related("year__union").filter(year=year, pk=job_id).first()
