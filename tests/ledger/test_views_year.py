"""结账 and 反结账 in the browser, and the auditor's filtered, exportable 操作记录."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from ledger import queries, services
from ledger.models import AccountingYear, AuditEvent, Voucher
from tests.conftest import download, settle_year_end, snapshot

BOOK = "/u/blzq-hospital/2012/"


def test_close_page_shows_the_checks_with_figures(client_for, demo):
    page = client_for("treasurer").get(BOOK + "close/").content.decode()
    assert "2012年度结账" in page
    assert "科目余额表试算平衡" in page and "✓ 相符" in page
    assert "年末经费余额 15,562.90　年初经费余额＋本年收入－本年支出 15,562.90" in page
    assert "账套中没有上一年度，不适用。" in page


def test_closing_needs_confirmation_then_carries_balances(client_for, demo, treasurer):
    client = client_for("treasurer")
    settle_year_end(demo, treasurer)
    before = snapshot()
    response = client.post(BOOK + "close/", {})
    assert "请勾选确认后再结账" in response.content.decode()
    assert snapshot() == before
    response = client.post(BOOK + "close/", {"confirm": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == "/u/blzq-hospital/2013/"
    assert "2012年度已结账，余额已结转2013年度期初。" in response.content.decode()
    demo.refresh_from_db()
    assert demo.is_closed
    following = AccountingYear.objects.get(union=demo.union, year=2013)
    assert queries.year_summary(following).opening_funds == Decimal("15562.90")
    closed_page = client.get(BOOK + "close/").content.decode()
    assert "已于" in closed_page and "反结账（系统管理员）" not in closed_page
    # The closed year takes no more entries through the forms either.
    before = snapshot()
    response = client.post(
        BOOK + "receipt/",
        {"date": "2012-12-30", "category": "1", "amount": "1.00", "via": "cash", "summary": "补记"},
    )
    assert response.status_code == 200
    assert "2012年度已结账" in response.content.decode()
    assert snapshot() == before


def test_only_an_administrator_reopens_with_a_reason(client_for, demo):
    settle_year_end(demo, demo.vouchers.first().prepared_by)
    services.close_year(year=demo, user=demo.vouchers.first().prepared_by)
    before = snapshot()
    assert client_for("treasurer").post(BOOK + "reopen/", {"reason": "想改"}).status_code == 403
    admin = client_for("admin")
    assert "反结账（系统管理员）" in admin.get(BOOK + "close/").content.decode()
    response = admin.post(BOOK + "reopen/", {"reason": "  "})
    assert "请填写反结账原因" in response.content.decode()
    assert snapshot() == before
    response = admin.post(BOOK + "reopen/", {"reason": "补记漏记的会费"}, follow=True)
    assert "2012年度已反结账，可以继续记账。" in response.content.decode()
    demo.refresh_from_db()
    assert not demo.is_closed
    event = AuditEvent.objects.get(action="year_reopened")
    assert event.summary == "2012年度反结账：补记漏记的会费" and event.username == "siteadmin"
    assert Voucher.objects.filter(year=demo, kind="reversal", reverses__kind="closing").count() == 1


def test_a_refused_reopen_says_why(client_for, demo):
    treasurer = demo.vouchers.first().prepared_by
    settle_year_end(demo, treasurer)
    following = services.close_year(year=demo, user=treasurer)
    services.record_receipt(
        union=demo.union,
        date=following.start,
        account="401",
        amount="5.00",
        into="cash",
        summary="x",
        user=treasurer,
    )
    before = snapshot()
    response = client_for("admin").post(BOOK + "reopen/", {"reason": "试试"})
    assert "2013年度已有凭证，不能反结账2012年度" in response.content.decode()
    assert snapshot() == before


@pytest.fixture
def trail(client_for, demo, other_year):
    """Sign-ins of a member and of the other union's treasurer, beside the demo's voucher events."""
    for username, password in [("committee", "unionledger-demo"), ("other-keeper", "pw-unionledger-1")]:
        response = client_for("anonymous").post("/login/", {"username": username, "password": password})
        assert response.status_code == 302


def test_audit_trail_shows_this_unions_events_and_its_members_sign_ins(client_for, trail):
    page = client_for("auditor").get(BOOK + "audit/?action=login").content.decode()
    assert "committee" in page and "登录成功" in page
    assert "other-keeper" not in page
    page = client_for("auditor").get(BOOK + "audit/?action=voucher_posted&user=review").content.decode()
    assert "2012年12月 记-0004 职工元旦联欢会场地布置" in page
    assert "登录成功" not in page


def test_audit_trail_bad_filters_are_explained(client_for, demo):
    page = client_for("auditor").get(BOOK + "audit/?start=not-a-date&action=bogus").content.decode()
    assert "请输入正确的日期" in page
    assert "选择一个有效的选项" in page


def test_audit_export_is_a_workbook_of_the_filtered_trail(client_for, trail):
    response = download(client_for("auditor"), BOOK + "audit/export/?action=voucher_posted")  # by a worker
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment; filename*=utf-8''" in response["Content-Disposition"].lower()
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("巴林左旗医院工会 操作记录")
    assert rows[1] == ("时间", "用户", "操作", "说明", "对象", "来源地址", "变更内容")
    body = rows[2:]
    assert len(body) == 17
    assert {row[2] for row in body} == {"凭证记账"}
    assert body[0][3].startswith("2012年12月 记-0006 冲销2012年12月 记-0005号凭证")  # the newest first
    assert body[2][3] == "2012年12月 记-0004 职工元旦联欢会场地布置"
    assert sheet.freeze_panes == "A3"


def test_audit_page_query_count_does_not_grow(client_for, demo):
    client = client_for("auditor")
    client.get(BOOK + "audit/")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries_run:
            assert client.get(BOOK + "audit/").status_code == 200
        return len(queries_run)

    before = count()
    treasurer = demo.vouchers.first().prepared_by
    for n in range(10):
        services.record_receipt(
            union=demo.union,
            date=demo.start,
            account="401",
            amount=f"{n + 1}.00",
            into="cash",
            summary="x",
            user=treasurer,
        )
    # The trail names its objects with one query per kind of object on the page, never one per event.
    assert count() <= before <= 16
