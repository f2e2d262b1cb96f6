"""The 收入 and 支出 forms: what they record, and every bad input they refuse — in Chinese, keeping what
the user typed, changing nothing."""

import html
from decimal import Decimal

import pytest
from django.urls import reverse

from ledger import queries, services
from ledger.models import Account, AuditEvent, Voucher
from ledger.submissions import new_token
from tests.conftest import d, nth, settle_year_end, snapshot

SLUG, YEAR = "blzq-hospital", 2012


def url(name: str, slug: str = SLUG, year: int = YEAR) -> str:
    return reverse(f"ledger:{name}", args=[slug, year])


def account(demo, code: str) -> Account:
    return services.resolve_account(demo, code)


def receipt_data(demo, **changes) -> dict:
    data = {
        "category": account(demo, "401").pk,
        "amount": "1,234.50",
        "date": "2012-10-08",
        "via": "cash",
        "summary": "收十月会员会费",
        "payer": "内科",
        "attachment_count": "1",
        "token": new_token(),
    }
    return {**data, **changes}


def payment_data(demo, **changes) -> dict:
    data = {
        "category": account(demo, "5010401").pk,  # 其他活动支出 › 三八妇女节活动 (the demo's own)
        "amount": "¥1,000.00",
        "date": "2012-10-09",
        "via": "bank",
        "summary": "女职工活动用品",
        "payee": "林东镇百货商店",
        "attachment_count": "",
        "token": new_token(),
    }
    return {**data, **changes}


@pytest.fixture
def treasurer_client(client_for):
    return client_for("treasurer")


def page_text(response) -> str:
    return html.unescape(response.content.decode())


# --- what the forms record -----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["1234.5", "1,234.50", "¥1,234.50"])
def test_a_receipt_is_a_posted_balanced_voucher(demo, treasurer, treasurer_client, typed):
    cash = account(demo, "101")
    before = queries.account_movement(year=demo, account=cash).closing
    response = treasurer_client.post(url("receipt"), receipt_data(demo, amount=typed))
    voucher = nth(demo, 18)
    assert response.status_code == 302
    assert response["Location"] == reverse("ledger:voucher", args=[SLUG, YEAR, voucher.pk])
    assert voucher.state == Voucher.State.POSTED and voucher.posted_by == treasurer
    assert voucher.summary == "收十月会员会费" and voucher.counterparty == "内科"
    assert voucher.date == d("2012-10-08") and voucher.attachment_count == 1
    lines = [(line.account.code, line.debit.amount, line.credit.amount) for line in voucher.lines.all()]
    assert lines == [
        ("101", Decimal("1234.50"), Decimal("0.00")),
        ("401", Decimal("0.00"), Decimal("1234.50")),
    ]
    assert queries.account_movement(year=demo, account=cash).closing == before + Decimal("1234.50")
    page = page_text(treasurer_client.get(response["Location"]))
    assert "已记账：2012年10月 记-0001 收入 1,234.50元" in page
    assert "壹仟贰佰叁拾肆元伍角整" in page


def test_a_payment_is_a_posted_balanced_voucher(demo, treasurer_client):
    bank = account(demo, "102")
    before = queries.account_movement(year=demo, account=bank).closing
    response = treasurer_client.post(url("payment"), payment_data(demo))
    assert response.status_code == 302
    voucher = nth(demo, 18)
    lines = [(line.account.code, line.debit.amount, line.credit.amount) for line in voucher.lines.all()]
    assert lines == [
        ("5010401", Decimal("1000.00"), Decimal("0.00")),
        ("102", Decimal("0.00"), Decimal("1000.00")),
    ]
    assert voucher.attachment_count == 0 and voucher.counterparty == "林东镇百货商店"
    assert queries.account_movement(year=demo, account=bank).closing == before - Decimal("1000.00")
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VOUCHER_POSTED, object_id=str(voucher.pk)
    ).exists()


def test_forms_offer_the_years_leaf_income_and_spending_accounts(demo, treasurer_client, other_year):
    receipt = treasurer_client.get(url("receipt")).context["form"]
    payment = treasurer_client.get(url("payment")).context["form"]
    income = {a.code for a in receipt.fields["category"].accounts.values()}
    spending = {a.code for a in payment.fields["category"].accounts.values()}
    assert {"401", "402", "405", "408", "40301"} <= income and "403" not in income  # 403 has 明细
    assert {"5010401", "5010402", "5010201", "50801", "50101", "504"} <= spending
    assert "50104" not in spending and "501" not in spending  # parents with 明细科目
    assert "508" not in spending  # the demo has its own 明细 under 其他支出
    offered = [*receipt.fields["category"].accounts.values(), *payment.fields["category"].accounts.values()]
    assert other_year[1] not in offered and {a.union_id for a in offered} == {None, demo.union_id}
    assert not {"101", "102", "331"} & (income | spending)
    labels = dict(payment.fields["category"].choices)
    assert labels[str(account(demo, "5010401").pk)] == "5010401 其他活动支出 › 三八妇女节活动"


# --- every bad input: Chinese message, typed values kept, nothing changed --------------------------------


def refused(client, target: str, data: dict, message: str, field: str | None = None) -> str:
    before = snapshot()
    events = list(AuditEvent.objects.values_list("pk", flat=True))
    response = client.post(target, data)
    assert response.status_code == 200
    assert snapshot() == before
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == events
    form = response.context["form"]
    errors = form.errors.get(field or "__all__", [])
    assert any(message in error for error in errors), form.errors
    page = page_text(response)
    assert message in page
    for name, value in data.items():
        if name in ("category", "via") or value in ("", None):
            continue
        assert f'value="{value}"' in page, f"{name}={value!r} not kept"
    return page


BAD_AMOUNTS = [
    ("", "请输入金额"),
    ("-5", "金额格式不正确"),
    ("-5.00", "金额格式不正确"),
    ("0", "金额必须大于零"),
    ("0.00", "金额必须大于零"),
    ("12.345", "金额格式不正确"),
    ("abc", "金额格式不正确"),
    ("12元", "金额格式不正确"),
    ("1e3", "金额格式不正确"),
    ("1,23.00", "金额格式不正确"),
    ("１２３", "金额格式不正确"),
]


@pytest.mark.parametrize(("amount", "message"), BAD_AMOUNTS)
@pytest.mark.parametrize("kind", ["receipt", "payment"])
def test_bad_amounts_are_refused(demo, treasurer_client, kind, amount, message):
    data = (receipt_data if kind == "receipt" else payment_data)(demo, amount=amount)
    refused(treasurer_client, url(kind), data, message, "amount")


@pytest.mark.parametrize("kind", ["receipt", "payment"])
def test_an_empty_form_names_every_missing_field(demo, treasurer_client, kind):
    before = snapshot()
    response = treasurer_client.post(url(kind), {})
    assert response.status_code == 200 and snapshot() == before
    errors = response.context["form"].errors
    assert errors["category"] == ["请选择科目"]
    assert errors["amount"] == ["请输入金额"]
    assert errors["date"] == ["请填写日期"]
    assert errors["via"] == ["请选择现金或银行存款"]
    assert errors["summary"] == ["请填写摘要"]


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2013-01-05", "日期2013年1月5日不在2012年度内"),
        ("2011-12-31", "日期2011年12月31日不在2012年度内"),
        ("2012-02-30", "日期格式不正确"),
        ("8 March", "日期格式不正确"),
    ],
)
@pytest.mark.parametrize("kind", ["receipt", "payment"])
def test_dates_outside_the_year_or_not_dates_are_refused(demo, treasurer_client, kind, date, message):
    data = (receipt_data if kind == "receipt" else payment_data)(demo, date=date)
    refused(treasurer_client, url(kind), data, message, "date")


def test_a_date_in_a_year_that_is_open_elsewhere_is_still_refused(demo, treasurer_client):
    services.open_year(union=demo.union, year=2013)
    refused(treasurer_client, url("receipt"), receipt_data(demo, date="2013-01-05"), "不在2012年度内", "date")
    assert not Voucher.objects.filter(year__year=2013).exists()


@pytest.mark.parametrize("kind", ["receipt", "payment"])
def test_a_closed_year_refuses(demo, treasurer, treasurer_client, kind):
    settle_year_end(demo, treasurer)
    services.close_year(year=demo, user=treasurer)
    data = (receipt_data if kind == "receipt" else payment_data)(demo)
    page = refused(treasurer_client, url(kind), data, "2012年度已结账，不能再记账")
    assert "已结账" in page


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("receipt", "101"),  # cash is not an income category
        ("receipt", "5010401"),  # spending is not income
        ("receipt", "403"),  # a parent with 明细科目
        ("payment", "401"),  # income is not spending
        ("payment", "102"),
        ("payment", "50104"),
    ],
)
def test_an_account_not_in_the_list_is_refused(demo, treasurer_client, kind, code):
    data = (receipt_data if kind == "receipt" else payment_data)(demo, category=account(demo, code).pk)
    refused(treasurer_client, url(kind), data, "请从列表中选择科目", "category")


@pytest.mark.parametrize("category", ["999999", "abc", "-1"])
@pytest.mark.parametrize("kind", ["receipt", "payment"])
def test_an_unknown_category_is_refused(demo, treasurer_client, kind, category):
    data = (receipt_data if kind == "receipt" else payment_data)(demo, category=category)
    refused(treasurer_client, url(kind), data, "请从列表中选择科目", "category")


@pytest.mark.parametrize("kind", ["receipt", "payment"])
def test_another_unions_account_id_is_refused(demo, treasurer_client, other_year, kind):
    own = other_year[1]  # another union's 明细科目 under 50104
    income = services.add_sub_account(
        union=own.union, parent=account(other_year[0], "401"), name="外会会费", user=other_year[3]
    )
    forged = own if kind == "payment" else income
    data = (receipt_data if kind == "receipt" else payment_data)(demo, category=forged.pk)
    refused(treasurer_client, url(kind), data, "请从列表中选择科目", "category")


@pytest.mark.parametrize("via", ["", "wallet", "现金"])
def test_cash_or_bank_only(demo, treasurer_client, via):
    message = "请选择现金或银行存款"
    refused(treasurer_client, url("payment"), payment_data(demo, via=via), message, "via")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("summary", "", "请填写摘要"),
        ("summary", "   ", "请填写摘要"),
        ("summary", "长" * 201, "摘要不能超过200字"),
        ("payer", "人" * 101, "不能超过100字"),
        ("attachment_count", "-1", "附单据数不能是负数"),
        ("attachment_count", "two", "附单据数须是整数"),
        ("attachment_count", "1000", "附单据数不能超过999"),
    ],
)
def test_other_fields_are_checked(demo, treasurer_client, field, value, message):
    refused(treasurer_client, url("receipt"), receipt_data(demo, **{field: value}), message, field)


def test_a_payment_larger_than_the_cash_in_hand_is_refused_by_the_service(demo, treasurer_client):
    # cash on 2012-03-08 (after the 三八 payment): 1,521.40 − 723.00 = 798.40
    data = payment_data(demo, via="cash", date="2012-03-08", amount="800.00")
    refused(
        treasurer_client,
        url("payment"),
        data,
        "库存现金余额不足：2012-03-08余额798.40元，本凭证减少800.00元，记账后该日余额将为-1.60元",
    )


def test_a_forged_union_in_the_url_is_404_and_changes_nothing(demo, client_for, other_year):
    client = client_for("treasurer")
    before = snapshot()
    other = other_year[0]
    data = receipt_data(other, category=account(other, "401").pk)
    response = client.post(url("receipt", slug="other-hospital"), data)
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    assert snapshot() == before


def test_readers_cannot_post_a_receipt(demo, client_for):
    before = snapshot()
    for role in ("committee", "auditor", "norole"):
        assert client_for(role).post(url("receipt"), receipt_data(demo)).status_code == 403
    assert client_for("anonymous").post(url("receipt"), receipt_data(demo)).status_code == 302
    assert snapshot() == before
