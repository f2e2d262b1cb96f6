"""Fast entry without JavaScript: the forms start filled in (date, cash or bank, kept values after 保存并新增),
the account chooser's list (recent first, searchable by pinyin), 复制凭证, and what each costs in queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from ledger import queries
from ledger.models import Voucher

BOOK = "/u/blzq-hospital/2012/"


def token(response) -> str:
    return response.context["form"]["token"].value()


@pytest.fixture
def treasurer_client(client_for):
    return client_for("treasurer")


def test_the_receipt_form_starts_from_her_last_entry_and_the_accounts_cash_or_bank(treasurer_client, demo):
    response = treasurer_client.get(BOOK + "receipt/")
    form = response.context["form"]
    last = Voucher.objects.filter(year=demo, kind="normal").order_by("-id").first()
    assert form.initial["date"] == last.date  # today is not in 2012: the last date she entered
    assert "autofocus" in str(form["category"])
    assert response.context["again"] is False
    page = response.content.decode()
    assert 'list="summary-suggestions"' in page and '<datalist id="summary-suggestions">' in page
    assert "保存并新增" in page


def test_save_and_new_keeps_date_account_cash_payer_and_its_kind_and_becomes_the_default(
    treasurer_client, demo
):
    dues = queries.postable_accounts(year=demo).get(code="401")
    response = treasurer_client.get(BOOK + "receipt/")
    posted = {
        "token": token(response),
        "category": dues.pk,
        "amount": "620",
        "date": "2012-12-03",
        "via": "cash",
        "summary": "收12月会费",
        "payer": "检验科",
        "payer_kind": "unit",
        "attachment_count": "0",
        "then": "new",
    }
    response = treasurer_client.post(BOOK + "receipt/", posted)
    assert response.status_code == 302
    assert response["Location"] == (
        BOOK + f"receipt/?date=2012-12-03&category={dues.pk}&via=cash&payer=%E6%A3%80%E9%AA%8C%E7%A7%91"
        "&payer_kind=unit"
    )
    response = treasurer_client.get(response["Location"])
    form = response.context["form"]
    assert (
        form.initial["date"],
        form.initial["category"],
        form.initial["via"],
        form.initial["payer"],
        form.initial["payer_kind"],
    ) == (datetime.date(2012, 12, 3), str(dues.pk), "cash", "检验科", "unit")
    assert 'value="unit" id="id_payer_kind_0" checked' in str(form["payer_kind"])
    assert "autofocus" in str(form["amount"]) and "autofocus" not in str(form["category"])
    assert response.context["again"] is True  # 保存并新增 is now the default button
    # December already holds six posted vouchers: numbers run per month, given at 记账
    assert "已记账：2012年12月 记-0007 收入 620.00元 收12月会费" in response.content.decode()
    assert "收12月会费" in response.context["summary_suggestions"]
    saved = Voucher.objects.get(year=demo, month=12, number=7)
    assert (saved.counterparty, saved.counterparty_kind) == ("检验科", "unit")
    page = treasurer_client.get(BOOK + f"vouchers/{saved.pk}/").content.decode()
    assert '<span class="muted" id="counterparty">（对方单位：检验科）</span>' in page


def test_the_payee_kind_is_kept_and_a_kind_that_is_neither_is_refused(treasurer_client, demo):
    gifts = queries.postable_accounts(year=demo).filter(type="expense").order_by("code").first()
    response = treasurer_client.get(BOOK + "payment/")
    posted = {
        "token": token(response),
        "category": gifts.pk,
        "amount": "50",
        "date": "2012-12-05",
        "via": "cash",
        "summary": "慰问",
        "payee": "张三",
        "payee_kind": "person",
        "attachment_count": "0",
        "then": "new",
    }
    response = treasurer_client.post(BOOK + "payment/", {**posted, "payee_kind": "家属"})
    assert response.status_code == 200
    assert response.context["form"].errors["payee_kind"] == ["对方类型只能是“单位”或“个人”"]
    response = treasurer_client.post(BOOK + "payment/", posted)
    assert response.status_code == 302 and response["Location"].endswith("&payee_kind=person")
    form = treasurer_client.get(response["Location"]).context["form"]
    assert form.initial["payee_kind"] == "person"
    saved = Voucher.objects.filter(year=demo, summary="慰问").get()
    assert (saved.counterparty, saved.counterparty_kind, saved.get_counterparty_kind_display()) == (
        "张三",
        "person",
        "个人",
    )


def test_cash_or_bank_defaults_to_what_the_account_was_last_used_with(treasurer_client, demo):
    response = treasurer_client.get(BOOK + "payment/")
    hints = queries.entry_hints(year=demo, user=response.wsgi_request.user, types=["expense"])
    used = [hint for hint in hints.accounts if hint.via]
    assert used, "the demo's spending accounts were used with cash or bank"
    for hint in used:
        response = treasurer_client.get(BOOK + f"payment/?category={hint.pk}")
        assert response.context["form"].initial["via"] == hint.via


def test_the_account_chooser_lists_recent_accounts_first_searchable_by_pinyin(
    treasurer_client, demo, django_assert_num_queries
):
    url = reverse("ledger:entry_accounts", args=["blzq-hospital", 2012]) + "?kind=receipt"
    treasurer_client.get(url)
    # session, user, union, roles, year; the accounts, the recent lines, the last date: however big the year
    with django_assert_num_queries(10):
        data = treasurer_client.get(url).json()["accounts"]
    by_code = {item["code"]: item for item in data}
    assert {"401", "405"} <= set(by_code) and "501" not in by_code  # income only
    assert "hf" in by_code["401"]["search"] and "huifei" in by_code["401"]["search"]
    assert by_code["401"]["label"] == "401 会费收入"
    recent = [item["recent"] for item in data]
    assert recent == sorted(recent)
    last_income = (
        Voucher.objects.filter(year=demo, kind="normal", lines__account__type="income")
        .order_by("-id")
        .first()
    )
    newest = last_income.lines.get(account__type="income").account.code
    assert data[0]["code"] == newest


def test_copy_voucher_starts_a_voucher_with_its_lines(treasurer_client, demo):
    original = Voucher.objects.filter(year=demo, kind="normal").order_by("number").first()
    response = treasurer_client.get(BOOK + f"vouchers/new/?copy={original.pk}")
    lines = response.context["lines"]
    copied = [
        (form.initial["account"], form.initial["debit"], form.initial["credit"]) for form in lines.forms[:2]
    ]
    expected = [
        (
            str(line.account_id),
            f"{line.debit.amount:.2f}" if line.debit.amount else "",
            f"{line.credit.amount:.2f}" if line.credit.amount else "",
        )
        for line in original.lines.order_by("position")
    ]
    assert copied == expected[:2]
    detail = treasurer_client.get(BOOK + f"vouchers/{original.pk}/").content.decode()
    assert f"vouchers/new/?copy={original.pk}" in detail
    # Another union's voucher is not copied.
    assert treasurer_client.get(BOOK + "vouchers/new/?copy=999999").status_code == 200


def test_the_voucher_form_saves_and_comes_back_for_the_next(treasurer_client, demo):
    response = treasurer_client.get(BOOK + "vouchers/new/")
    cash = queries.postable_accounts(year=demo).get(code="101")
    bank = queries.postable_accounts(year=demo).get(code="102")
    response = treasurer_client.post(
        BOOK + "vouchers/new/",
        {
            "token": token(response),
            "date": "2012-12-14",
            "summary": "提取现金",
            "counterparty": "",
            "attachment_count": "",
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "30",
            "lines-0-account": cash.pk,
            "lines-0-debit": "1000",
            "lines-1-account": bank.pk,
            "lines-1-credit": "1000",
            "then": "new",
        },
    )
    assert response.status_code == 302 and response["Location"] == BOOK + "vouchers/new/?date=2012-12-14"
    made = Voucher.objects.get(year=demo, month=12, number=7)
    assert [(line.account.code, line.debit.amount) for line in made.lines.all()] == [
        ("101", Decimal("1000.00")),
        ("102", Decimal("0.00")),
    ]


def test_a_voucher_saved_as_a_template_starts_the_next_voucher(treasurer_client, demo, client_for):
    original = Voucher.objects.filter(year=demo, kind="normal").order_by("number").first()
    response = treasurer_client.post(BOOK + f"vouchers/{original.pk}/template/", {"name": "收会费"})
    assert response.status_code == 302
    page = treasurer_client.get(response["Location"]).content.decode()
    assert "已存为常用凭证“收会费”" in page
    response = treasurer_client.get(BOOK + "vouchers/new/")
    assert "常用凭证：" in response.content.decode() and ">收会费</a>" in response.content.decode()
    template = response.context["voucher_templates"][0]
    response = treasurer_client.get(BOOK + f"vouchers/new/?template={template.pk}")
    assert response.context["form"].initial["summary"] == original.summary
    rows = [
        (form.initial["account"], form.initial["debit"], form.initial["credit"])
        for form in response.context["lines"].forms[:2]
    ]
    assert (
        rows
        == [
            (
                str(line.account_id),
                f"{line.debit.amount:.2f}" if line.debit.amount else "",
                f"{line.credit.amount:.2f}" if line.credit.amount else "",
            )
            for line in original.lines.order_by("position")
        ][:2]
    )
    # a name is required; the committee (read-only) cannot save one
    response = treasurer_client.post(BOOK + f"vouchers/{original.pk}/template/", {"name": ""}, follow=True)
    assert "请填写常用凭证的名称" in response.content.decode()
    assert (
        client_for("committee").post(BOOK + f"vouchers/{original.pk}/template/", {"name": "x"}).status_code
        == 403
    )
