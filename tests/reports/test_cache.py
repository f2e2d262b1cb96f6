"""The report cache is keyed on everything the renderers read (issue 9, item 7): a renamed account, a new
chart name or a report text changed without a new save time all render afresh."""

import datetime
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ledger import services
from ledger.models import Account, Union
from reports.models import ReportText
from tests.conftest import download, payment


def _workbook_text(response) -> str:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return "\n".join(
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


def test_a_renamed_account_renders_afresh(client, auditor, demo, user):
    demo.union.members.add(user)
    own = services.add_sub_account(
        union=demo.union, parent=services.resolve_account(demo, "50104"), name="旧活动名称", user=user
    )
    payment(demo, user, "2012-12-31", own.code, "100.00", via="cash")
    client.force_login(auditor)
    url = reverse("reports:annual_xlsx", args=["blzq-hospital", 2012])
    assert client.get(url).status_code == 202
    first = download(client, url)
    assert "旧活动名称" in _workbook_text(first)
    assert client.get(url)["X-Report-Cache"] == "hit"

    Account.objects.filter(pk=own.pk).update(name="新活动名称")  # as the admin's change form saves it
    assert client.get(url).status_code == 202
    renamed = download(client, url)
    text = _workbook_text(renamed)
    assert "新活动名称" in text and "旧活动名称" not in text

    Union.objects.filter(pk=demo.union_id).update(name="巴林左旗医院工会委员会")
    assert client.get(url).status_code == 202


def test_report_text_changed_without_a_new_save_time_renders_afresh(client, auditor, demo):
    ReportText.objects.create(
        union=demo.union,
        year=2012,
        salutation="各位代表：",
        mandate="受委托作报告。",
        opening="概述",
        closing="谢谢！",
        report_date=datetime.date(2013, 3, 26),
        updated_at=timezone.now(),
    )
    client.force_login(auditor)
    url = reverse("reports:annual_xlsx", args=["blzq-hospital", 2012])
    assert client.get(url).status_code == 202
    assert download(client, url)["X-Report-Cache"] == "hit"
    ReportText.objects.filter(union=demo.union, year=2012).update(
        labels={"401": "会员会费"}
    )  # same updated_at
    assert client.get(url).status_code == 202
