"""Every form that posts a voucher posts it once: the same form sent twice shows the first voucher."""

import re

import pytest
from django.urls import reverse

from ledger import services
from ledger.models import Account, AuditEvent, Submission, Voucher
from ledger.submissions import new_token
from tests.conftest import nth, snapshot

SLUG, YEAR = "blzq-hospital", 2012
BOOK = f"/u/{SLUG}/{YEAR}/"
TOKEN = re.compile(r'<input type="hidden" name="token" value="([0-9a-f]{32})"')


def token_on(client, path: str) -> str:
    tokens = TOKEN.findall(client.get(path).content.decode())
    assert len(tokens) == 1, path
    return tokens[0]


def voucher_page(voucher: Voucher) -> str:
    return reverse("ledger:voucher", args=[SLUG, voucher.year.year, voucher.pk])


def receipt_form(demo) -> dict:
    return {
        "category": demo.chart.accounts.get(code="401").pk,
        "amount": "100.00",
        "date": "2012-10-08",
        "via": "cash",
        "summary": "收会费",
        "payer": "",
        "attachment_count": "0",
    }


def payment_form(demo) -> dict:
    festival = Account.objects.get(code="5010401", union=demo.union)  # the demo's own 三八妇女节活动
    return receipt_form(demo) | {"category": festival.pk, "payee": ""}


def voucher_form(demo) -> dict:
    data = {
        "date": "2012-11-05",
        "summary": "提取备用金",
        "counterparty": "",
        "attachment_count": "0",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "30",
    }
    for index, (code, debit, credit) in enumerate([("101", "500.00", ""), ("102", "", "500.00")]):
        data |= {
            f"lines-{index}-account": demo.chart.accounts.get(code=code).pk,
            f"lines-{index}-debit": debit,
            f"lines-{index}-credit": credit,
            f"lines-{index}-memo": "",
        }
    return data


FORMS = {
    "receipt/": receipt_form,
    "payment/": payment_form,
    "vouchers/new/": voucher_form,
}


@pytest.mark.parametrize("page", FORMS)
def test_the_same_entry_form_posted_twice_makes_one_voucher(demo, client_for, page):
    client = client_for("treasurer")
    data = FORMS[page](demo) | {"token": token_on(client, BOOK + page)}
    first = client.post(BOOK + page, data)
    voucher = nth(demo, 18)
    assert first.status_code == 302 and first["Location"] == voucher_page(voucher)
    before = snapshot(), AuditEvent.objects.count()

    again = client.post(BOOK + page, data, follow=True)
    assert again.redirect_chain == [(voucher_page(voucher), 302)]
    assert (
        f"这张表单已经提交过，没有重复记账：{voucher.full_no} {voucher.summary}。" in again.content.decode()
    )
    assert (snapshot(), AuditEvent.objects.count()) == before
    assert Submission.objects.get().voucher == voucher

    # A fresh rendering of the form has a fresh token and records again.
    fresh = FORMS[page](demo) | {"token": token_on(client, BOOK + page)}
    assert fresh["token"] != data["token"]
    assert client.post(BOOK + page, fresh).status_code == 302
    assert Voucher.objects.filter(year=demo, state=Voucher.State.POSTED).count() == 19


def test_the_reversal_form_posted_twice_reverses_once(demo, client_for):
    client = client_for("treasurer")
    largest = nth(demo, 15)
    page = voucher_page(largest)
    data = {"reason": "重复记账", "token": token_on(client, page)}
    first = client.post(page + "reverse/", data)
    reversal = Voucher.objects.get(reverses=largest)
    assert first["Location"] == voucher_page(reversal)
    before = snapshot()
    again = client.post(page + "reverse/", data, follow=True)
    assert again.redirect_chain == [(voucher_page(reversal), 302)]
    assert f"这张表单已经提交过，没有重复记账：{reversal.full_no}" in again.content.decode()
    assert snapshot() == before


def test_the_opening_form_posted_twice_records_once(demo, client_for):
    union = demo.union
    year = services.open_year(union=union, year=2011)
    client = client_for("treasurer")
    page = reverse("ledger:opening_balances", args=[SLUG, 2011])
    data = {"cash": "100.00", "bank": "200.00", "payable_upper": "", "token": token_on(client, page)}
    assert client.post(page, data).status_code == 302
    opening = Voucher.objects.get(year=year)
    before = snapshot()
    again = client.post(page, data, follow=True)
    assert again.redirect_chain == [(voucher_page(opening), 302)]
    assert "这张表单已经提交过，没有重复记账：2011年1月 记-0001 期初余额。" in again.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("token", [None, "", "x" * 32, "A" * 32, "0" * 31, "0" * 33, "<script>"])
def test_a_missing_or_forged_token_is_refused_and_changes_nothing(demo, client_for, token):
    client = client_for("treasurer")
    data = receipt_form(demo) | ({} if token is None else {"token": token})
    before = snapshot()
    response = client.post(BOOK + "receipt/", data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"token": ["表单已失效，请刷新页面后重新填写"]}
    assert "表单已失效，请刷新页面后重新填写" in response.content.decode()
    assert snapshot() == before


def test_a_token_taken_by_another_union_is_refused(demo, client_for, other_year):
    client = client_for("treasurer")
    _, _, foreign, _ = other_year
    taken = new_token()
    Submission.objects.create(token=taken, voucher=foreign)
    before = snapshot()
    response = client.post(BOOK + "receipt/", receipt_form(demo) | {"token": taken})
    assert response.status_code == 200
    assert "表单已失效，请刷新页面后重新填写" in response.content.decode()
    assert "外会支出" not in response.content.decode()
    assert snapshot() == before


def test_a_refused_post_keeps_its_token_for_the_corrected_resubmit(demo, client_for):
    client = client_for("treasurer")
    token = token_on(client, BOOK + "payment/")
    data = payment_form(demo) | {"token": token, "amount": "99999.00"}
    response = client.post(BOOK + "payment/", data)
    assert "余额不足" in response.content.decode()
    assert f'name="token" value="{token}"' in response.content.decode()
    assert client.post(BOOK + "payment/", data | {"amount": "10.00"}).status_code == 302
    assert Submission.objects.get(token=token).voucher == nth(demo, 18)
