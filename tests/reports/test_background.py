"""Report files rendered by the background worker (django-tasks' db_worker, run here with --batch).

The web request looks the file up and, on a miss, enqueues one render and answers with a waiting page (202)
whose script polls the status; the worker renders into the cache; the next request serves the file. A
render that fails says why in Chinese and is tried again by a deferred task.
"""

import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from reports import cache, jobs
from reports.models import RenderJob
from tests.conftest import run_worker

SLUG, YEAR = "blzq-hospital", 2012
XLSX = reverse("reports:annual_xlsx", args=[SLUG, YEAR])


def status_of(client, job: RenderJob) -> dict:
    response = client.get(reverse("reports:render_status", args=[SLUG, YEAR, job.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_a_miss_enqueues_one_render_the_worker_renders_it_and_the_file_is_served(client_for, auditor):
    client = client_for("auditor")
    waiting = client.get(XLSX)
    assert waiting.status_code == 202
    page = waiting.content.decode()
    assert "巴林左旗医院工会2012年度财务工作报告（Excel）" in page and "排队等待生成" in page
    assert (
        'src="/static/js/render-progress.js"' in page and "<script>" not in page
    )  # the CSP allows no inline
    assert "script-src 'self'" in waiting["Content-Security-Policy"]
    assert client.get(XLSX).status_code == 202  # a second click waits for the same render
    job = RenderJob.objects.get()
    assert DBTaskResult.objects.count() == 1 and job.attempts == 1 and job.requested_by == auditor
    assert status_of(client, job) == {
        "state": "queued",
        "label": "排队等待生成",
        "message": "",
        "attempt": 1,
        "ahead": 0,
        "title": "财务工作报告（Excel）",
        "download": "",
    }

    run_worker()

    assert status_of(client, job)["state"] == "done"
    assert status_of(client, job)["download"] == XLSX
    served = client.get(XLSX)
    assert served.status_code == 200 and served["X-Report-Cache"] == "hit"
    workbook = load_workbook(io.BytesIO(b"".join(served.streaming_content)))
    assert "收支表" in "".join(workbook.sheetnames) or len(workbook.sheetnames) > 1
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_the_queue_position_is_shown_while_waiting(client_for, auditor, committee):
    client = client_for("auditor")
    client.get(XLSX)
    client.get(reverse("reports:statements_xlsx", args=[SLUG, YEAR]) + "?month=6")
    later = RenderJob.objects.get(kind="statements-xlsx")
    assert later.month == 6
    assert status_of(client, later)["ahead"] == 1
    run_worker()
    assert [status_of(client, job)["state"] for job in RenderJob.objects.all()] == ["done", "done"]


def test_another_unions_render_status_is_not_found(client_for, auditor, outsider):
    client_for("auditor").get(XLSX)
    job = RenderJob.objects.get()
    response = client_for("outsider").get(reverse("reports:render_status", args=[SLUG, YEAR, job.pk]))
    assert response.status_code == 404


def test_a_failed_render_is_shown_in_chinese_and_retried(client_for, auditor, settings, tmp_path):
    settings.REPORT_RENDER_RETRY_DELAYS = [3600]
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the cache directory should be")
    settings.REPORT_CACHE_DIR = blocked  # the worker cannot store the file: a real OSError
    client = client_for("auditor")
    client.get(XLSX)
    job = RenderJob.objects.get()

    run_worker()

    job.refresh_from_db()
    assert job.attempts == 2 and "无法保存生成的文件" in job.error
    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert first.status == "FAILED" and "NotADirectoryError" in first.exception_class_path
    assert retry.status == "READY" and retry.run_after > timezone.now()  # deferred, not lost
    shown = status_of(client, job)
    assert shown["state"] == "retrying" and shown["label"] == "上次生成失败，等待第2次尝试"
    assert shown["message"].startswith("无法保存生成的文件")
    page = client.get(XLSX)
    assert (
        page.status_code == 202 and "上次生成失败，等待第2次尝试：无法保存生成的文件" in page.content.decode()
    )

    settings.REPORT_CACHE_DIR = tmp_path / "report-cache"  # the disk is mended; the retry comes due
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker()

    assert status_of(client, job)["state"] == "done"
    assert client.get(XLSX)["X-Report-Cache"] == "hit"


def test_a_render_that_keeps_failing_is_shown_as_failed_and_may_be_asked_again(
    client_for, auditor, settings, tmp_path
):
    settings.REPORT_RENDER_RETRY_DELAYS = [0]  # one retry, due at once
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    settings.REPORT_CACHE_DIR = blocked
    client = client_for("auditor")
    client.get(XLSX)
    run_worker()  # the first attempt and its retry
    job = RenderJob.objects.get()
    assert job.attempts == 2 and DBTaskResult.objects.filter(status="FAILED").count() == 2
    shown = status_of(client, job)
    assert shown["state"] == "failed" and shown["label"] == "生成失败"
    assert shown["message"].startswith("无法保存生成的文件") and shown["download"] == ""
    again = client.get(XLSX)  # 重新生成: a new job, not the failed one
    assert again.status_code == 202 and RenderJob.objects.count() == 2


@pytest.mark.usefixtures("prepared_fonts")
def test_the_command_line_report_still_renders_at_once(demo, tmp_path):
    out = tmp_path / "report.pdf"
    call_command("annual_report", union=SLUG, year=YEAR, format="pdf", output=str(out))
    assert out.read_bytes().startswith(b"%PDF")
    assert not DBTaskResult.objects.exists() and not RenderJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_process_renders_the_file(client_for, auditor, settings, tmp_path):
    """`manage.py db_worker` as its own process (PostgreSQL: it shares the test database; SQLite's is in
    memory, so there the run-once API above stands for it)."""
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite test database is in memory: another process cannot open it")
    client = client_for("auditor")
    assert client.get(XLSX).status_code == 202
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    env = os.environ | {
        "DATABASE_URL": url,
        "REPORT_CACHE_DIR": str(settings.REPORT_CACHE_DIR),
        "DJANGO_SETTINGS_MODULE": "unionledger.settings_test",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert status_of(client, RenderJob.objects.get())["state"] == "done"
    assert client.get(XLSX)["X-Report-Cache"] == "hit"


def test_the_worker_forgets_finished_jobs_older_than_the_days_kept(client_for, auditor, settings):
    settings.REPORT_RENDER_KEEP_DAYS = 7
    client = client_for("auditor")
    client.get(XLSX)
    run_worker()
    old = RenderJob.objects.get()
    RenderJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    waiting_old = RenderJob.objects.create(year=old.year, kind="annual-pdf", key="k")
    RenderJob.objects.filter(pk=waiting_old.pk).update(created_at=timezone.now() - timedelta(days=8))
    jobs._enqueue(waiting_old, delay=3600)  # still waiting for its turn: kept however old

    client.get(reverse("reports:statements_xlsx", args=[SLUG, YEAR]) + "?month=6")
    run_worker()  # renders the new job, then prunes

    assert set(RenderJob.objects.values_list("kind", flat=True)) == {"annual-pdf", "statements-xlsx"}
    assert not DBTaskResult.objects.filter(pk=old.task_id).exists()
    assert DBTaskResult.objects.filter(pk=waiting_old.task_id).exists()


def test_the_prune_command_forgets_finished_jobs(client_for, auditor):
    client = client_for("auditor")
    client.get(XLSX)
    client.get(reverse("reports:statements_xlsx", args=[SLUG, YEAR]) + "?month=6")
    out = io.StringIO()
    call_command("prune_render_jobs", days=0, stdout=out)
    assert "已删除 0 个报表生成任务" in out.getvalue()  # both still queued
    run_worker()
    call_command("prune_render_jobs", days=0, stdout=out)
    assert "已删除 2 个报表生成任务" in out.getvalue() and not RenderJob.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_a_worker_older_than_the_code_on_disk_refuses_to_render(client_for, auditor, settings, monkeypatch):
    """After an upgrade a worker that was not restarted still runs the old code: it says so and renders nothing;
    the retry is taken by a restarted worker."""
    settings.REPORT_RENDER_RETRY_DELAYS = [3600]
    cache.renderer_fingerprint()
    monkeypatch.setitem(cache._loaded, cache.REPORT_LAYOUT, "loaded-before-the-upgrade")
    client = client_for("auditor")
    client.get(XLSX)
    run_worker()
    job = RenderJob.objects.get()
    shown = status_of(client, job)
    assert shown["state"] == "retrying" and "后台生成进程仍在运行升级前的程序，需要重启" in shown["message"]
    assert not list((settings.REPORT_CACHE_DIR).glob("**/*.xlsx"))

    monkeypatch.undo()  # a restarted worker: the fingerprint of the code it loaded is the disk's
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_worker()
    assert status_of(client, job)["state"] == "done"


def test_a_second_file_of_the_same_name_is_refused():
    """Each app registers its files from its ``ready``; a name taken twice would serve one file for the other."""
    review_workbook = jobs.KINDS["audit-xlsx"]  # the 经费审查报告's, registered by review
    other = jobs.Kind("audit-xlsx", "操作记录（Excel）", "", lambda year, month, param: ("", "", b""))
    with pytest.raises(ImproperlyConfigured, match="audit-xlsx"):
        jobs.register(other)
    assert jobs.KINDS["audit-xlsx"] is review_workbook
    jobs.register(review_workbook)  # the same file again (a second ``ready``) is fine
    assert jobs.KINDS["trail-xlsx"].title == "操作记录（Excel）"
