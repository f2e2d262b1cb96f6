"""The general 记账凭证 form: free 借/贷 lines for what the 收入/支出 forms do not cover, working without
JavaScript (six blank rows), refusing every bad line in Chinese and changing nothing."""

import html
from decimal import Decimal

import pytest
from django.urls import reverse

from ledger import queries, services
from ledger.models import AuditEvent, Voucher
from ledger.submissions import new_token
from tests.conftest import nth, settle_year_end, snapshot

SLUG, YEAR = "blzq-hospital", 2012
URL = reverse("ledger:voucher_new", args=[SLUG, YEAR])


def pk(demo, code: str) -> int:
    return services.resolve_account(demo, code).pk


def voucher_data(head: dict | None = None, lines: list[tuple] = (), total: int = 6) -> dict:
    data = {
        "date": "2012-11-05",
        "summary": "从银行提取备用金",
        "counterparty": "",
        "attachment_count": "1",
        "token": new_token(),
        "lines-TOTAL_FORMS": str(total),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "30",
        **(head or {}),
    }
    for index in range(total):
        account, debit, credit, memo = (
            (list(lines[index]) + ["", "", "", ""])[:4] if index < len(lines) else [""] * 4
        )
        data.update(
            {
                f"lines-{index}-account": account,
                f"lines-{index}-debit": debit,
                f"lines-{index}-credit": credit,
                f"lines-{index}-memo": memo,
            }
        )
    return data


@pytest.fixture
def client(client_for):
    return client_for("treasurer")


def test_the_blank_form_has_six_rows_and_works_without_javascript(demo, client):
    response = client.get(URL)
    text = response.content.decode()
    assert response.status_code == 200
    assert text.count('name="lines-5-account"') == 1 and 'name="lines-6-account"' not in text
    assert 'src="/static/js/voucher-lines.js"' in text and "<script>" not in text and "style=" not in text


def test_a_transfer_from_bank_to_cash(demo, treasurer, client):
    cash, bank = services.resolve_account(demo, "101"), services.resolve_account(demo, "102")
    cash_before = queries.account_movement(year=demo, account=cash).closing
    data = voucher_data(lines=[(pk(demo, "101"), "2,000.00", "", "提现"), (pk(demo, "102"), "", "¥2000")])
    response = client.post(URL, data)
    assert response.status_code == 302
    voucher = nth(demo, 18)
    assert response["Location"] == reverse("ledger:voucher", args=[SLUG, YEAR, voucher.pk])
    assert voucher.is_posted and voucher.posted_by == treasurer and voucher.attachment_count == 1
    assert [
        (line.account.code, line.debit.amount, line.credit.amount, line.memo) for line in voucher.lines.all()
    ] == [
        ("101", Decimal("2000.00"), Decimal("0.00"), "提现"),
        ("102", Decimal("0.00"), Decimal("2000.00"), ""),
    ]
    assert queries.account_movement(year=demo, account=cash).closing == cash_before + Decimal("2000.00")
    assert queries.account_movement(year=demo, account=bank).closing == Decimal("5664.50")


def test_remitting_funds_to_the_higher_level_union_with_blank_rows_between(demo, client):
    data = voucher_data(
        {"summary": "上缴上级工会经费", "counterparty": "巴林左旗总工会"},
        lines=[(pk(demo, "221"), "600.00", ""), ("", "", ""), (pk(demo, "102"), "", "600.00")],
    )
    # first record the liability, so the remittance settles it
    services.record_voucher(
        year=demo,
        posted_by=demo.vouchers.first().prepared_by,
        date=demo.start.replace(month=11, day=1),
        summary="应上缴经费",
        lines=[services.Line("102", debit="600.00"), services.Line("221", credit="600.00")],
    )
    assert client.post(URL, data).status_code == 302
    voucher = Voucher.objects.get(year=demo, summary="上缴上级工会经费")
    assert voucher.counterparty == "巴林左旗总工会"
    assert [line.account.code for line in voucher.lines.all()] == ["221", "102"]


def test_more_rows_than_six_are_accepted(demo, client):
    lines = [(pk(demo, "50101"), "1.00", "")] * 7 + [(pk(demo, "101"), "", "7.00")]
    assert client.post(URL, voucher_data(lines=lines, total=8)).status_code == 302
    assert nth(demo, 18).lines.count() == 8


def refused(client, data: dict, message: str) -> str:
    before = snapshot()
    events = AuditEvent.objects.count()
    response = client.post(URL, data)
    assert response.status_code == 200
    assert snapshot() == before and AuditEvent.objects.count() == events
    text = html.unescape(response.content.decode())
    assert message in text, text
    for name, value in data.items():
        if name.endswith(("-debit", "-credit", "-memo")) or name in ("summary", "counterparty"):
            if value:
                assert f'value="{value}"' in text, f"{name}={value!r} not kept"
    return text


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "一张记账凭证至少要有两行分录"),
        ([("101", "5.00", "")], "一张记账凭证至少要有两行分录"),
        ([("101", "5.00", ""), ("102", "", "4.00")], "借贷不平衡：借方合计5.00，贷方合计4.00"),
        ([("101", "5.00", "5.00"), ("102", "", "5.00")], "一行只能填借方或贷方"),
        ([("101", "", "", "只有摘要"), ("102", "", "5.00")], "请填写这一行的借方或贷方金额"),
        ([("", "5.00", ""), ("102", "", "5.00")], "请为这一行选择会计科目"),
        ([("101", "-5.00", ""), ("102", "", "5.00")], "金额格式不正确"),
        ([("101", "0", ""), ("102", "", "0")], "金额必须大于零"),
        ([("101", "5.001", ""), ("102", "", "5.001")], "金额格式不正确"),
        ([("101", "五元", ""), ("102", "", "5.00")], "金额格式不正确"),
        ([("501", "5.00", ""), ("102", "", "5.00")], "请从列表中选择科目"),  # a parent with 明细科目
        ([("999999", "5.00", ""), ("102", "", "5.00")], "请从列表中选择科目"),
    ],
)
def test_bad_lines_are_refused(demo, client, lines, message):
    lines = [(pk(demo, line[0]) if line[0] not in ("", "999999") else line[0], *line[1:]) for line in lines]
    refused(client, voucher_data(lines=lines), message)


def test_another_unions_account_is_refused(demo, client, other_year):
    own = other_year[1]
    lines = [(own.pk, "5.00", ""), (pk(demo, "101"), "", "5.00")]
    refused(client, voucher_data(lines=lines), "请从列表中选择科目")


@pytest.mark.parametrize(
    ("head", "message"),
    [
        ({"date": ""}, "请填写日期"),
        ({"date": "2013-01-02"}, "日期2013年1月2日不在2012年度内"),
        ({"date": "yesterday"}, "日期格式不正确"),
        ({"summary": ""}, "请填写摘要"),
        ({"attachment_count": "-2"}, "附单据数不能是负数"),
    ],
)
def test_bad_heads_are_refused(demo, client, head, message):
    lines = [(pk(demo, "101"), "5.00", ""), (pk(demo, "102"), "", "5.00")]
    refused(client, voucher_data(head, lines=lines), message)


def test_a_closed_year_refuses(demo, treasurer, client):
    settle_year_end(demo, treasurer)
    services.close_year(year=demo, user=treasurer)
    lines = [(pk(demo, "101"), "5.00", ""), (pk(demo, "102"), "", "5.00")]
    refused(client, voucher_data(lines=lines), "2012年度已结账，不能再记账")


def test_a_forged_row_count_is_refused(demo, client):
    lines = [(pk(demo, "101"), "5.00", ""), (pk(demo, "102"), "", "5.00")]
    data = voucher_data(lines=lines)
    data["lines-TOTAL_FORMS"] = "1000"
    refused(client, data, "请最多提交 30 个表单")


def test_a_missing_management_form_is_refused(demo, client):
    before = snapshot()
    response = client.post(URL, {"date": "2012-11-05", "summary": "x"})
    assert response.status_code == 200 and snapshot() == before
    assert "一张记账凭证至少要有两行分录" in response.content.decode()


def test_readers_and_other_unions_cannot_post(demo, client_for, other_year):
    lines = [(pk(demo, "101"), "5.00", ""), (pk(demo, "102"), "", "5.00")]
    before = snapshot()
    assert client_for("auditor").post(URL, voucher_data(lines=lines)).status_code == 403
    assert client_for("committee").post(URL, voucher_data(lines=lines)).status_code == 403
    assert client_for("outsider").post(URL, voucher_data(lines=lines)).status_code == 404
    assert snapshot() == before
