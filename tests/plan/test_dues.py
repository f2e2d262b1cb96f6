"""会员与会费: the roster from Excel, a department's month as ONE voucher naming the members, 收缴率, arrears."""

import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from ledger.errors import LedgerError
from ledger.models import Voucher
from plan import queries, services
from plan.models import DuesPayment, Member

from .conftest import d

ROSTER = [
    ["姓名", "部门", "月工资基数", "入会日期", "状态"],
    ["张伟", "内科", 6835.5, "2015-03-01", "在职"],
    ["王芳", "内科", "5,420.00", "2018/07/01", ""],
    ["李娜", "内科", 4988.88, "2025-03-10", "在职"],  # joins in March: due from March
    ["赵敏", "后勤", 3870, "2010-10-01", "在职"],
    ["孙丽", "后勤", 4500, "2001-01-01", "退休"],  # retired: nothing due
]


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def roster(book):
    assert services.import_roster(union=book.union, content=xlsx(ROSTER)) == (5, 0)
    return book


def test_the_roster_imports_and_updates_by_department_and_name(roster):
    assert Member.objects.filter(union=roster.union).count() == 5
    zhang = Member.objects.get(name="张伟")
    assert (zhang.wage_base, zhang.joined, zhang.status) == (D("6835.50"), d("2015-03-01"), "active")
    changed = [
        ROSTER[0],
        ["张伟", "内科", 7000, "2015-03-01", "在职"],
        ["新人", "外科", 3000, "2025-05-01", ""],
    ]
    assert services.import_roster(union=roster.union, content=xlsx(changed)) == (1, 1)
    assert Member.objects.get(name="张伟").wage_base == D("7000.00")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["某某", "内科", "abc", "2020-01-01", ""], "第2行金额不正确"),
        (["某某", "内科", 3000, "2020-13-01", ""], "第2行日期不正确"),
        (["某某", "", 3000, "2020-01-01", ""], "第2行：姓名和部门不能为空"),
        (["某某", "内科", 3000, "2020-01-01", "病休"], "第2行：状态只能是在职、退休或离开"),
    ],
)
def test_a_bad_roster_row_imports_nothing(book, row, message):
    with pytest.raises(LedgerError, match=message):
        services.import_roster(union=book.union, content=xlsx([ROSTER[0], row, ROSTER[1]]))
    assert not Member.objects.exists()


def test_a_departments_month_is_one_voucher_naming_each_member(roster, keeper):
    voucher = services.record_dues(
        union=roster.union, month=3, department="内科", date=d("2025-03-28"), into="bank", user=keeper
    )
    lines = [
        (line.account.name, line.debit.amount, line.credit.amount, line.memo) for line in voucher.lines.all()
    ]
    # 6830 × 5‰ = 34.15; 5420 × 5‰ = 27.10; 4980 × 5‰ = 24.90
    assert lines == [
        ("银行存款", D("86.15"), D("0.00"), "内科3月会费"),
        ("会费收入", D("0.00"), D("34.15"), "张伟 3月会费"),
        ("会费收入", D("0.00"), D("27.10"), "王芳 3月会费"),
        ("会费收入", D("0.00"), D("24.90"), "李娜 3月会费"),
    ]
    assert voucher.summary == "收内科2025年3月会费（3人）"
    assert DuesPayment.objects.filter(voucher=voucher).count() == 3
    with pytest.raises(LedgerError, match="内科2025年3月没有应缴未缴会费的会员"):
        services.record_dues(
            union=roster.union, month=3, department="内科", date=d("2025-03-29"), into="bank", user=keeper
        )


def test_the_collection_rate_by_month_and_year_and_the_arrears(roster, keeper):
    for month in (1, 2, 3):
        services.record_dues(
            union=roster.union,
            month=month,
            department="内科",
            date=d(f"2025-{month:02d}-28"),
            into="bank",
            user=keeper,
        )
    services.record_dues(
        union=roster.union, month=1, department="后勤", date=d("2025-01-28"), into="cash", user=keeper
    )
    summary = queries.dues_summary(roster.union, 2025, today=d("2025-03-31"))
    # due each month: 张伟 34.15 + 王芳 27.10 + 赵敏 19.35 (3870 × 5‰), and 李娜 24.90 from March
    assert [(m.month, m.due, m.collected, m.rate) for m in summary.months] == [
        (1, D("80.60"), D("80.60"), D("100.0")),
        (2, D("80.60"), D("61.25"), D("76.0")),
        (3, D("105.50"), D("86.15"), D("81.7")),
    ]
    assert (summary.due, summary.collected, summary.rate) == (D("266.70"), D("228.00"), D("85.5"))
    assert [(a.name, a.months, a.amount) for a in summary.arrears] == [("赵敏", (2, 3), D("38.70"))]


def test_the_unions_rounding_applies(roster, keeper):
    services.save_settings(union=roster.union, dues_rounding="yuan")
    voucher = services.record_dues(
        union=roster.union, month=1, department="后勤", date=d("2025-01-28"), into="bank", user=keeper
    )
    assert [line.credit.amount for line in voucher.lines.all()][1:] == [D("19.00")]  # 19.35 → 19


def test_a_reversed_dues_voucher_no_longer_counts(roster, keeper):
    from ledger import services as ledger  # noqa: PLC0415

    voucher = services.record_dues(
        union=roster.union, month=1, department="后勤", date=d("2025-01-28"), into="bank", user=keeper
    )
    ledger.reverse_voucher(voucher=voucher, user=keeper, reason="重复收取", date=d("2025-01-29"))
    summary = queries.dues_summary(roster.union, 2025, today=d("2025-01-31"))
    assert summary.collected == D("0.00")


def test_the_dues_pages_and_the_workbook(roster, keeper, keeper_client, django_assert_num_queries):
    url = reverse("plan:dues", args=[roster.union.slug, 2025])
    page = keeper_client.get(url)
    token = page.context["form"]["token"].value()
    response = keeper_client.post(
        url, {"token": token, "department": "内科", "month": "2", "date": "2025-02-27", "via": "bank"}
    )
    assert response.status_code == 302
    assert Voucher.objects.filter(summary="收内科2025年2月会费（2人）").count() == 1
    keeper_client.get(url)
    with django_assert_num_queries(12):
        assert keeper_client.get(url).status_code == 200
    services.record_dues(
        union=roster.union, month=3, department="内科", date=d("2025-03-28"), into="bank", user=keeper
    )
    with django_assert_num_queries(12):
        assert keeper_client.get(url).status_code == 200
    download = keeper_client.get(reverse("plan:dues_xlsx", args=[roster.union.slug, 2025]))
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet.title == "会费收缴情况表"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    assert rows[1][:3] == ["2月", 80.6, 61.25]
    assert [rows[12][0], rows[12][1]] == [
        "全年",
        1216.2,
    ]  # a past year: all twelve months due, 李娜 from March
    members_page = keeper_client.get(reverse("plan:members", args=[roster.union.slug, 2025]))
    assert "张伟" in members_page.content.decode()


def test_a_member_is_edited_in_the_browser(roster, keeper_client):
    zhao = Member.objects.get(name="赵敏")
    url = reverse("plan:member_edit", args=[roster.union.slug, 2025, zhao.pk])
    assert "3870.00" in keeper_client.get(url).content.decode()
    data = {
        "name": "赵敏",
        "department": "后勤",
        "wage_base": "3,900",
        "joined": "2010-10-01",
        "status": "retired",
    }
    assert keeper_client.post(url, data).status_code == 302
    zhao.refresh_from_db()
    assert (zhao.wage_base, zhao.status) == (D("3900.00"), "retired")
    clash = data | {"name": "张伟", "department": "内科"}
    response = keeper_client.post(url, clash)
    assert response.status_code == 200 and "内科已有会员张伟" in response.content.decode()
