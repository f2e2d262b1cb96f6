"""The trail names objects as a user reads them and shows changes as 字段：旧值 → 新值, in Chinese."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from audit.queries import events_for
from audit.readable import readable
from ledger import attachments, services
from ledger.models import AuditEvent
from reports.data import build_annual_report
from reports.services import save_report_text
from tests.conftest import PNG, download, nth, upload

pytestmark = pytest.mark.usefixtures("media_root")
BOOK = "/u/blzq-hospital/2012/"


def _row(union, action):
    return next(r for r in readable(events_for(union, action=action)[:1]))


def test_objects_by_name_and_changes_in_words(demo, treasurer):
    union = demo.union
    voucher = nth(demo, 3)
    attachments.add_attachment(voucher=voucher, uploaded=upload("三八发票.png", PNG), user=treasurer)
    services.reverse_voucher(voucher=voucher, user=treasurer, reason="金额有误", date=voucher.date)
    services.add_sub_account(
        union=union, parent=services.resolve_account(demo, "50104"), name="春游", user=treasurer
    )
    current = build_annual_report(demo).text
    save_report_text(year=demo, current=current, values={"salutation": "各位代表："}, user=treasurer)

    posted = readable(events_for(union, action="voucher_posted").filter(object_id=str(voucher.pk)))[0]
    assert posted.object_label == "记-0001 2012年3月"
    assert _row(union, "attachment_added").object_label == "三八发票.png"
    assert _row(union, "attachment_added").changes[0] == "凭证：记-0001 2012年3月"
    reversed_ = _row(union, "voucher_reversed")
    assert reversed_.object_label == "记-0001 2012年3月"
    assert reversed_.changes == ("冲销凭证：记-0003 2012年3月", "原因：金额有误")
    assert _row(union, "account_added").object_label == "春游 科目"
    text = _row(union, "report_text_changed")
    assert text.object_label == "2012年度财务工作报告文字"
    assert text.changes == (f"称呼：{current.salutation} → 各位代表：",)
    created = readable(events_for(union, action="voucher_created").filter(object_id=str(voucher.pk)))[0]
    assert created.object_label == "记-0001 2012年3月"
    assert created.changes == ("分录：5010401 三八妇女节活动 借 723.00；101 库存现金 贷 723.00",)
    year = _row(union, "year_opened")
    assert year.object_label == "2012年度账套"


def test_the_page_and_the_export_read_the_same(demo, treasurer, client_for):
    voucher = nth(demo, 3)
    services.reverse_voucher(voucher=voucher, user=treasurer, reason="金额有误", date=voucher.date)
    client = client_for("auditor")
    page = client.get(BOOK + "audit/?action=voucher_reversed").content.decode()
    assert (
        "记-0001 2012年3月" in page
        and "冲销凭证：记-0003 2012年3月" in page
        and "{" not in page.split("<table")[1]
    )
    response = download(client, BOOK + "audit/export/?action=voucher_reversed")  # a report worker writes it
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    row = list(sheet.iter_rows(min_row=3, values_only=True))[0]
    assert row[4] == "记-0001 2012年3月" and row[6] == "冲销凭证：记-0003 2012年3月\n原因：金额有误"


def test_names_take_one_query_per_kind_of_object(demo, treasurer):
    def count() -> int:
        with CaptureQueriesContext(connection) as run:
            readable(list(events_for(demo.union, action="voucher_reversed")))
        return len(run)

    def reverse(number: int) -> None:  # payments: reversing one puts the money back
        voucher = nth(demo, number)
        services.reverse_voucher(voucher=voucher, user=treasurer, reason="再", date=voucher.date)

    reverse(3)
    one = count()
    reverse(6)
    reverse(8)
    assert count() == one == 2  # the events, then the vouchers they name


def test_unknown_types_and_odd_changes_still_read(demo):
    event = AuditEvent(action="login", object_type="Gadget", object_id="7", changes={"x": [True, None]})
    row = readable([event])[0]
    assert row.object_label == "Gadget 7" and row.changes == ("x：是、（无）",)
