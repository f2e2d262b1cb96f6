"""The 操作记录 workbook is written by a report worker, as every other download: the export's first GET queues it
and shows the waiting page, the worker renders the filtered trail into the report cache, and the next GET is the
file. Its ``param`` names the filters; a new event of the union's trail makes the cached file stale."""

import datetime
import io
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit import files, trail
from audit.queries import events_for
from audit.readable import readable, voucher_label
from ledger import services
from ledger.errors import LedgerError
from ledger.models import AuditEvent
from reports import jobs
from reports.models import RenderJob
from tests.conftest import (
    FAILED_RENDER,
    break_report_cache,
    download,
    mend_report_cache_and_retry,
    nth,
    run_worker,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("media_root")
SLUG, YEAR = "blzq-hospital", 2012
BOOK = f"/u/{SLUG}/{YEAR}/"
EXPORT = BOOK + "audit/export/"


def _reverse(demo, treasurer, number: int, reason: str = "金额有误") -> str:
    """Reverse the ``number``-th posted voucher; its name as the trail shows it."""
    voucher = nth(demo, number)
    services.reverse_voucher(voucher=voucher, user=treasurer, reason=reason, date=voucher.date)
    return voucher_label(voucher)


def _rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return list(sheet.iter_rows(values_only=True))


def _status(client, job: RenderJob):
    return client.get(reverse("reports:render_status", args=[SLUG, YEAR, job.pk]))


def test_the_export_is_queued_then_the_worker_writes_the_filtered_trail(demo, treasurer, client_for):
    first = _reverse(demo, treasurer, 3)
    second = _reverse(demo, treasurer, 6, reason="重复报销")
    client = client_for("auditor")
    url = EXPORT + "?action=voucher_reversed"

    waiting = client.get(url)
    assert waiting.status_code == 202 and "操作记录（Excel）" in waiting.content.decode()
    assert client.get(url).status_code == 202  # a second click joins the waiting render
    job = RenderJob.objects.get()
    assert (job.kind, job.param, job.year) == ("trail-xlsx", "avoucherreversed", demo)
    assert _status(client, job).json()["state"] == "queued"

    run_worker()
    status = _status(client, job).json()
    assert status["state"] == "done" and status["download"] == url
    response = client.get(url)
    assert response.status_code == 200 and response["X-Report-Cache"] == "hit"
    assert response["Content-Type"] == files.XLSX
    assert "no-store" in response["Cache-Control"]
    filename = unquote(response["Content-Disposition"].split("''", 1)[1])
    assert re.fullmatch(r"巴林左旗医院工会-操作记录-\d{8}\.xlsx", filename)

    rows = _rows(response)
    assert rows[0][0].startswith("巴林左旗医院工会 操作记录（导出时间 ")
    assert rows[1] == ("时间", "用户", "操作", "说明", "对象", "来源地址", "变更内容")
    shown = readable(events_for(demo.union, action="voucher_reversed"))  # what the page shows, in its order
    columns = [(row[1], row[2], row[3], row[4], row[6]) for row in rows[2:]]
    assert columns == [
        (e.username, "冲销凭证", e.summary, e.object_label, "\n".join(e.changes)) for e in shown
    ]
    assert [row[4] for row in rows[2:4]] == [second, first]  # newest first, then the demo's own reversal
    assert len(rows) == 5
    assert rows[2][6].endswith("原因：重复报销")
    page = client.get(BOOK + "audit/?action=voucher_reversed").content.decode()
    assert all(row[3] in page and row[4] in page for row in rows[2:])
    assert RenderJob.objects.count() == 1


def test_a_new_event_of_the_trail_renders_the_export_afresh(demo, treasurer, client_for):
    first = _reverse(demo, treasurer, 3)
    client = client_for("auditor")
    url = EXPORT + "?action=voucher_reversed"
    before = [row[4] for row in _rows(download(client, url))[2:]]
    assert before[0] == first
    assert client.get(url)["X-Report-Cache"] == "hit"

    second = _reverse(demo, treasurer, 6)
    assert client.get(url).status_code == 202  # the trail moved: the cached file is stale
    run_worker()
    response = client.get(url)
    assert response["X-Report-Cache"] == "hit"
    assert [row[4] for row in _rows(response)[2:]] == [second, *before]
    assert RenderJob.objects.count() == 2


def test_a_members_sign_in_changes_the_key_and_another_unions_does_not(demo, other_year, client_for):
    auditor = client_for("auditor")
    url = EXPORT + "?action=login_failed"
    assert _rows(download(auditor, url))[2:] == []
    year = demo
    key = jobs.KINDS["trail-xlsx"].cache_key(year, 12, "aloginfailed")

    # Another union's member fails to sign in: not this union's trail, the file stays current.
    client_for("anonymous").post("/login/", {"username": "other-keeper", "password": "wrong"})
    assert jobs.KINDS["trail-xlsx"].cache_key(year, 12, "aloginfailed") == key
    assert auditor.get(url)["X-Report-Cache"] == "hit"

    # A member does (an event without a union, in the trail by the member's name): rendered afresh.
    client_for("anonymous").post("/login/", {"username": "committee", "password": "wrong"})
    assert jobs.KINDS["trail-xlsx"].cache_key(year, 12, "aloginfailed") != key
    rows = _rows(download(auditor, url))[2:]
    assert [(row[1], row[2]) for row in rows] == [("committee", "登录失败")]


def test_a_new_member_brings_their_sign_ins_into_the_export(demo, other_year, client_for):
    auditor = client_for("auditor")
    client_for("outsider")  # other-keeper signs in: another union's event
    url = EXPORT + "?action=login&user=other"
    assert _rows(download(auditor, url))[2:] == []
    demo.union.members.add(
        other_year[3]
    )  # recorded in the union's trail, and other-keeper's sign-in joins it
    rows = _rows(download(auditor, url))[2:]
    assert [(row[1], row[2]) for row in rows] == [("other-keeper", "登录")]


@pytest.mark.parametrize(
    ("filters", "param"),
    [
        ({}, "all"),
        ({"action": "voucher_reversed"}, "avoucherreversed"),
        ({"user": "review"}, "ureview"),
        ({"user": "张"}, "xe5bca0"),
        ({"user": "re view"}, "x72652076696577"),
        (
            {
                "start": datetime.date(2012, 1, 1),
                "end": datetime.date(2012, 12, 31),
                "action": "voucher_unreviewed",
                "user": "张三丰",
            },
            "s20120101-e20121231-avoucherunreviewed-xe5bca0e4b889e4b8b0",
        ),
    ],
)
def test_the_param_names_the_filters_and_reads_back(filters, param):
    assert files.export_param(**filters) == param
    assert files.filters_of(param) == filters
    assert re.fullmatch(r"[A-Za-z0-9-]{1,64}", param)


def test_every_action_has_its_own_param():
    assert len(files.ACTIONS) == len(AuditEvent.Action.values)
    for value in AuditEvent.Action.values:
        assert files.filters_of(files.export_param(action=value)) == {"action": value}


def test_the_longest_filters_that_fit_and_the_first_that_does_not():
    dated = {
        "start": datetime.date(2012, 1, 1),
        "end": datetime.date(2012, 12, 31),
        "action": "voucher_unreviewed",
    }
    assert len(files.export_param(**dated, user="a" * 24)) == 64
    assert len(files.export_param(**dated, user="张三丰人")) == 64
    with pytest.raises(LedgerError, match="“用户”筛选条件太长"):
        files.export_param(**dated, user="a" * 25)
    with pytest.raises(LedgerError, match="“用户”筛选条件太长"):
        files.export_param(user="张" * 11)
    assert files.filters_of(files.export_param(user="张" * 10)) == {"user": "张" * 10}
    assert files.filters_of(files.export_param(user="a" * 63)) == {"user": "a" * 63}


@pytest.mark.parametrize(
    "param",
    [
        "",
        "-",
        "bogus",
        "all-all",
        "s2012",
        "s20121340",
        "s00000101",
        "sabcdefgh",
        "e20120101-s20120101",  # out of order
        "s20120101-s20120102",  # twice
        "avoucher_reversed",
        "anothing",
        "u",
        "x",
        "xzz",
        "xe5bc",  # cut inside a character
        "xE5BCA0",  # not the lower-case hex we write
        "x726576696577",  # "review" is written plain
        "x20726576696577",  # " review": the form strips spaces
        "ure-view",
        "u" + "a" * 64,  # longer than a param may be
    ],
)
def test_a_forged_param_is_refused_in_chinese(demo, param):
    with pytest.raises(LedgerError, match="下载地址有误，请从操作记录页面重新导出。"):
        files.filters_of(param)
    with pytest.raises(LedgerError, match="下载地址有误"):
        files.trail_workbook(demo, param)
    assert files.trail_workbook_url(demo, param) == reverse("audit:trail", args=[SLUG, YEAR])


def test_a_forged_job_fails_with_the_reason_and_is_not_retried(demo, auditor, client_for):
    job = jobs.request_render(year=demo, kind="trail-xlsx", param="xzz", user=auditor)
    run_worker()
    job.refresh_from_db()
    assert job.attempts == 1 and job.error == "下载地址有误，请从操作记录页面重新导出。"
    status = _status(client_for("auditor"), job)
    assert status.status_code == 200
    assert status.json()["state"] == "failed" and status.json()["message"] == job.error
    assert status.json()["download"] == ""


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("start=not-a-date", "从：请输入正确的日期，如 2012-03-08"),
        ("end=2012-02-30", "到：请输入正确的日期，如 2012-03-08"),
        ("action=bogus", "操作：选择一个有效的选项"),
        ("user=" + "a" * 151, "用户："),
        ("start=2012-01-01&end=2012-12-31&action=voucher_unreviewed&user=" + "张" * 5, "“用户”筛选条件太长"),
    ],
)
def test_a_bad_filter_is_refused_in_chinese_and_queues_nothing(demo, client_for, query, said):
    client = client_for("auditor")
    before, events = snapshot(), AuditEvent.objects.count()
    response = client.get(f"{EXPORT}?{query}")
    page = response.content.decode()
    assert response.status_code == 400
    assert "无法导出操作记录" in page and said in page and "返回操作记录" in page
    assert not RenderJob.objects.exists()
    assert snapshot() == before and AuditEvent.objects.count() == events


def test_only_who_reads_the_trail_exports_it_and_follows_its_render(demo, client_for, other_year):
    auditor = client_for("auditor")
    assert auditor.get(EXPORT + "?user=review").status_code == 202
    job = RenderJob.objects.get()
    job_url = reverse("reports:render_status", args=[SLUG, YEAR, job.pk])
    assert auditor.get(job_url).status_code == 200
    assert client_for("admin").get(job_url).status_code == 200
    for role, refused in [("committee", 403), ("treasurer", 403), ("norole", 403), ("outsider", 404)]:
        client = client_for(role)
        export = client.get(EXPORT + "?user=review")
        assert export.status_code == refused, role
        follow = client.get(job_url)
        assert follow.status_code == refused, role
        if role in ("committee", "treasurer"):
            assert "只有经费审查委员可以查看操作记录" in export.content.decode()
    assert client_for("anonymous").get(job_url).status_code == 302
    assert RenderJob.objects.count() == 1


def test_a_failed_render_is_shown_and_retried(demo, client_for, settings, tmp_path):
    break_report_cache(settings, tmp_path)
    client = client_for("auditor")
    url = EXPORT + "?action=year_opened"
    assert client.get(url).status_code == 202
    run_worker()
    page = client.get(url)
    assert page.status_code == 202 and FAILED_RENDER in page.content.decode()
    mend_report_cache_and_retry(settings, tmp_path)
    response = client.get(url)
    assert response.status_code == 200 and response["X-Report-Cache"] == "hit"
    assert [row[2] for row in _rows(response)[2:]] == ["建立年度账套"]


def test_sign_ins_joining_the_trail_without_an_event_change_the_key(demo, other_year, client_for):
    """A restore replays memberships without writing events (``audit.trail.replaying``): the newest id of the trail
    stays, but other-keeper's older sign-in joins it, so its count and sum of ids move the key."""
    client_for("outsider")  # other-keeper signs in, before any event of the demo's below
    client_for("auditor")
    key = jobs.KINDS["trail-xlsx"].cache_key(demo, 12, "all")
    newest = AuditEvent.objects.filter(union=demo.union).order_by("-id").values_list("id", flat=True).first()
    token = trail.replaying.set(True)
    try:
        demo.union.members.add(other_year[3])
    finally:
        trail.replaying.reset(token)
    assert (
        AuditEvent.objects.filter(union=demo.union).order_by("-id").values_list("id", flat=True).first()
        == newest
    )
    assert jobs.KINDS["trail-xlsx"].cache_key(demo, 12, "all") != key
