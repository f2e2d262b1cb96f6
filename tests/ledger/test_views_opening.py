from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from ledger import queries, roles, services
from ledger.models import Union, Voucher
from ledger.submissions import new_token
from tests.conftest import snapshot

URL = "/u/new-union/2024/opening/"


@pytest.fixture
def fresh(db, client):
    keeper = get_user_model().objects.create_user("keeper", password="pw-unionledger-1")
    keeper.groups.add(Group.objects.get(name=roles.TREASURER))
    union = Union.objects.create(name="新建工会", slug="new-union")
    union.members.add(keeper)
    year = services.open_year(union=union, year=2024)
    client.force_login(keeper)
    return client, year


def test_a_new_union_enters_its_opening_balances(fresh):
    client, year = fresh
    assert "录入期初余额" in client.get("/u/new-union/2024/").content.decode()
    response = client.post(
        URL,
        {"cash": "¥1,200.50", "bank": "30,000", "payable_upper": "1000", "token": new_token()},
        follow=True,
    )
    assert "已录入2024年度期初余额（2024年1月 记-0001）。" in response.content.decode()
    summary = queries.year_summary(year)
    assert summary.opening_funds == Decimal("30200.50")
    assert summary.cash_and_bank == Decimal("31200.50")
    rows = {row.account.code: row.opening for row in queries.trial_balance(year=year)}
    # 2024 is kept on the 2021 chart: 库存现金 1001, 银行存款 1002, 应付上级经费 2301, 工会资金结余 3202
    assert rows == {
        "1001": Decimal("1200.50"),
        "1002": Decimal("30000.00"),
        "2301": Decimal("1000.00"),
        "3202": Decimal("30200.50"),
    }
    assert "录入期初余额" not in client.get("/u/new-union/2024/").content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请至少填写库存现金或银行存款的期初余额"),
        ({"cash": "-5"}, "金额格式不正确"),
        ({"cash": "1.234"}, "金额格式不正确"),
        ({"bank": "abc"}, "金额格式不正确"),
        ({"cash": "0"}, "金额必须大于零"),
        ({"cash": "100", "payable_upper": "200"}, "期初经费余额（现金加银行存款减应付上级经费）不能为负数"),
    ],
)
def test_bad_opening_balances_are_refused(fresh, data, message):
    client, _ = fresh
    before = snapshot()
    response = client.post(URL, data | {"token": new_token()})
    assert message in response.content.decode()
    for value in data.values():
        assert f'value="{value}"' in response.content.decode()
    assert snapshot() == before


def test_opening_balances_only_once(fresh):
    client, _ = fresh
    client.post(URL, {"cash": "10", "token": new_token()})
    before = snapshot()
    response = client.post(URL, {"cash": "20", "token": new_token()})
    assert "2024年度已经录入期初余额" in response.content.decode()
    assert snapshot() == before
    assert Voucher.objects.filter(kind="opening").count() == 1
