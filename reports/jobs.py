"""Report files rendered by background workers: which files there are, asking for one, and where it stands.

A download view looks the file up in the cache (``reports.cache.lookup``). On a miss it calls
``request_render``, which enqueues ``reports.tasks.render_report`` on the task library (django-tasks with its
database backend) unless a render of the same file of the same books is already waiting, and shows a page
that polls ``status``. A worker (``manage.py db_worker``) runs ``render``: it renders the file into the cache;
when that fails, the reason is kept in Chinese on the job and the task is enqueued again after each of
``REPORT_RENDER_RETRY_DELAYS`` (django-tasks itself does not retry: its ``run_after`` defers the new attempt).

Other apps add their files with ``register`` from their ``AppConfig.ready`` (the bank's 调节表 and 现金盘点表, the
总工会's table, the 经费审查报告): the reports never import them. A file of a union's year that is not one of
its books (the 总工会's table) is asked for with an unsaved ``AccountingYear`` naming the union and the year.

A worker refuses to render with code older than the files on disk (``cache.code_is_stale``: it was not restarted
after an upgrade), and forgets jobs older than ``REPORT_RENDER_KEEP_DAYS`` a few at a time (``prune``).
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks_db.models import DBTaskResult

from ledger.charts import facts_for
from ledger.errors import LedgerError
from ledger.models import AccountingYear, Union
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

    ``render``, ``key`` and ``link`` take the union-year, the month and the kind's own ``param`` (which 盘点,
    which order of rows; a short string of letters, digits and dashes, as it names the cached file).
    ``key`` replaces the cache's own key (``reports.cache.cache_key``: the books and the report's words) for a
    file that reads more than those (the 经费审查报告, registered by ``review``). ``link`` replaces the download
    URL made of ``url_name``; ``need`` is what ``ledger.access`` asks of a user who follows the render
    (``"federation"``: the 总工会's table, of a union rather than of one of its books).
    """

    name: str
    title: str
    url_name: str
    render: Callable[[AccountingYear, int, str], Rendered]
    monthly: bool = False
    query: str = ""
    key: Callable[[AccountingYear, int, str], str] | None = None
    link: Callable[[AccountingYear, int, str], str] | None = None
    need: str = "reports"

    def cache_key(self, year: AccountingYear, month: int, param: str = "") -> str:
        return self.key(year, month, param) if self.key else cache.cache_key(year, self.fmt(month, param))

    def fmt(self, month: int, param: str = "") -> str:
        name = f"{self.name}-{month:02d}" if self.monthly else self.name.removeprefix("annual-")
        return f"{name}-{param}" if param else name

    def url(self, year: AccountingYear, month: int, param: str = "") -> str:
        if self.link:
            return self.link(year, month, param)
        url = reverse(self.url_name, args=[year.union.slug, year.year])
        return f"{url}?month={month}" if self.monthly else url + self.query


def consolidated_key(year: AccountingYear, month: int = 12, param: str = "") -> str:
    """合并 reads the 分工会's books besides the union's own, so the union's cache key would miss a branch's new
    voucher: the key is a hash of the consolidated report's built data (what the page shows) and its layout."""
    return cache.data_key(build_consolidated_report(year), cache.renderer_fingerprint())


def consolidated_statements_key(year: AccountingYear, month: int = 12, param: str = "") -> str:
    """The 合并 statements' key, for the same reason as ``consolidated_key``: a hash of their built data."""
    return cache.data_key(build_consolidated_statements(year, month), cache.renderer_fingerprint())


KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            "annual-pdf",
            "财务工作报告（PDF）",
            "reports:annual_pdf",
            lambda y, m, p: render_pdf(build_annual_report(y)),
        ),
        Kind(
            "annual-xlsx",
            "财务工作报告（Excel）",
            "reports:annual_xlsx",
            lambda y, m, p: render_xlsx(build_annual_report(y), journal_rows(y)),
        ),
        Kind(
            "consolidated-pdf",
            "合并财务报告（PDF）",
            "reports:consolidated_pdf",
            lambda y, m, p: render_consolidated_pdf(build_consolidated_report(y)),
            key=consolidated_key,
        ),
        Kind(
            "consolidated-statements-pdf",
            "合并会计报表（PDF）",
            "reports:consolidated_statements_pdf",
            lambda y, m, p: render_consolidated_statements_pdf(build_consolidated_statements(y, m)),
            monthly=True,
            key=consolidated_statements_key,
        ),
        Kind(
            "consolidated-statements-xlsx",
            "合并会计报表（Excel）",
            "reports:consolidated_statements_xlsx",
            lambda y, m, p: render_consolidated_statements_xlsx(build_consolidated_statements(y, m)),
            monthly=True,
            key=consolidated_statements_key,
        ),
        Kind(
            "statements-pdf",
            "会计报表（PDF）",
            "reports:statements_pdf",
            lambda y, m, p: render_statements_pdf(statements_data(y, m)),
            monthly=True,
        ),
        Kind(
            "statements-xlsx",
            "会计报表（Excel）",
            "reports:statements_xlsx",
            lambda y, m, p: render_statements_xlsx(statements_data(y, m)),
            monthly=True,
        ),
    )
}


def register(kind: Kind, *, layout: tuple[str, ...] = ()) -> None:
    """Another app's file for the workers (from its ``AppConfig.ready``; the reports never import it). ``layout``:
    the files (globs under the project) besides the report's own that lay it out; their hash is taken now, as this
    process loads them, so that a worker knows later when the disk has moved on (``cache.code_is_stale``).
    A name is one file's: another file of the same name (another title) is refused rather than taking its place."""
    known = KINDS.get(kind.name)
    if known is not None and known.title != kind.title:
        raise ImproperlyConfigured(f"report file {kind.name!r} is already {known.title}, not {kind.title}")
    cache.layout_fingerprint(*layout)
    KINDS[kind.name] = kind


class StaleWorker(Exception):
    """The worker runs older code than the files on disk: it was not restarted after an upgrade."""

    def __str__(self) -> str:
        return "后台生成进程仍在运行升级前的程序，需要重启（见 README“升级”一节）；请联系管理员。"


# Failures that another attempt cannot mend: a character no font has, WeasyPrint missing, a refusal. A stale
# worker's failure is not one of them: the next attempt may be taken by a worker restarted with the new code.
PERMANENT = (fonts.MissingGlyphs, PdfUnavailable, LedgerError)


def subject(year: AccountingYear | None, union: Union | None, of_year: int | None) -> AccountingYear:
    """The union-year a job renders: its book, or an unsaved one naming a union's year without books."""
    return year if year is not None else AccountingYear(union=union, year=of_year)


def _of(year: AccountingYear) -> dict:
    return {"year": year} if year.pk else {"year": None, "union": year.union, "of_year": year.year}


def lookup(year: AccountingYear, kind: str, month: int = 12, param: str = "") -> cache.CachedFile | None:
    """The current file if it is in the cache (the four small queries of the cache key and a file read)."""
    found = KINDS[kind]
    key = found.cache_key(year, month, param) if found.key else None
    return cache.lookup(year, found.fmt(month, param), key=key)


@transaction.atomic
def request_render(
    *, year: AccountingYear, kind: str, month: int = 12, param: str = "", user: AbstractBaseUser | None
) -> RenderJob:
    """A job rendering ``kind`` of ``year``: the one already waiting or running for these books, else a new one.

    Called on a cache miss: a job of the same key that is done or failed is not the answer (its file went
    stale or never came), so a new one is made.
    """
    found = KINDS[kind]
    key = found.cache_key(year, month, param)
    same = RenderJob.objects.filter(**_of(year), kind=kind, month=month, param=param, key=key)
    for job in same.order_by("-created_at")[:1]:
        if status(job).state in {"queued", "running", "retrying"}:
            return job
    job = RenderJob.objects.create(
        **_of(year), kind=kind, month=month, param=param, key=key, requested_by=user
    )
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
    job = RenderJob.objects.select_related("year__union", "year__chart", "union").get(pk=job_id)
    kind = KINDS[job.kind]
    book = subject(job.year, job.union, job.of_year)
    try:
        if cache.code_is_stale():
            raise StaleWorker
        key = kind.cache_key(book, job.month, job.param) if kind.key else None
        stored = cache.store(
            book, kind.fmt(job.month, job.param), lambda: kind.render(book, job.month, job.param), key=key
        )
    except Exception as error:
        job.error = _reason(error)
        job.save(update_fields=["error"])
        delays = settings.REPORT_RENDER_RETRY_DELAYS
        if not isinstance(error, PERMANENT) and job.attempts <= len(delays):
            _enqueue(job, delay=delays[job.attempts - 1])
        raise
    prune()
    return stored.filename


def prune(*, days: float | None = None, limit: int | None = 100) -> int:
    """Forget the jobs made more than ``days`` (``REPORT_RENDER_KEEP_DAYS``) ago whose task is done, failed or
    gone, with the task's result; at most ``limit`` of them (the oldest), so that a worker's share after each
    render stays small: four queries. Returns how many jobs went. Files in the cache stay (they are the cache).
    """
    keep = settings.REPORT_RENDER_KEEP_DAYS if days is None else days
    old = RenderJob.objects.filter(created_at__lt=timezone.now() - timedelta(days=keep)).order_by(
        "created_at"
    )
    candidates = dict(old.values_list("pk", "task_id")[:limit])
    if not candidates:
        return 0
    task_ids = [task_id for task_id in candidates.values() if task_id]
    unfinished = {
        str(pk)
        for pk in DBTaskResult.objects.filter(
            id__in=task_ids, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        ).values_list("id", flat=True)
    }
    gone = [pk for pk, task_id in candidates.items() if task_id not in unfinished]
    RenderJob.objects.filter(pk__in=gone).delete()
    DBTaskResult.objects.filter(id__in=[t for t in task_ids if t not in unfinished]).delete()
    return len(gone)


def _reason(error: Exception) -> str:
    if isinstance(error, LedgerError):
        return error.message
    if isinstance(error, (*PERMANENT, StaleWorker)):
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
    book = subject(job.year, job.union, job.of_year)
    made = {
        "attempt": job.attempts,
        "title": kind.title,
        "download_url": kind.url(book, job.month, job.param),
    }
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


def job_of(slug: str, year: int, job_id) -> RenderJob | None:
    """The job of the union-year in the URL (of one of its books, or of the union's year), else None."""
    return (
        RenderJob.objects.select_related("year__union", "union")
        .filter(Q(year__union__slug=slug, year__year=year) | Q(union__slug=slug, of_year=year), pk=job_id)
        .first()
    )
