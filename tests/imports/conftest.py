"""Workbooks built in the test, as a treasurer's Excel would hold them (openpyxl writes; the import reads)."""

import io

import pytest
from django.urls import reverse

from tests.reports.conftest import report_cache  # noqa: F401 - 导出 goes through the report cache

VOUCHER_HEADER = ["日期", "凭证号", "摘要", "科目", "借方金额", "贷方金额", "对方科目", "附单据数", "备注"]
CASHBOOK_HEADER = ["日期", "摘要", "类别", "收入金额", "支出金额", "账户", "备注"]


def xlsx(rows: list[list], *, sheet: str = "Sheet1") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def cashbook(*rows: list) -> bytes:
    return xlsx([CASHBOOK_HEADER, *rows])


def vouchers(*rows: list) -> bytes:
    return xlsx([VOUCHER_HEADER, *rows])


@pytest.fixture
def book_client(client, user, year, media_root):
    """The test books' keeper, signed in, with the role to record."""
    from django.contrib.auth.models import Group

    from ledger import roles

    user.groups.add(Group.objects.get(name=roles.TREASURER))
    client.force_login(user)
    return client


def url(name: str, year, *args) -> str:
    return reverse(f"imports:{name}", args=[year.union.slug, year.year, *args])
