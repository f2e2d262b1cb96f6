"""Shared fixtures: named users and the books of a small union, built through the services."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from ledger import services
from ledger.models import AccountingYear, Union, Voucher, VoucherLine


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("cashier", password="pw-unionledger-1")


@pytest.fixture
def union(db, user):
    union = Union.objects.create(name="测试医院工会", slug="test-hospital")
    union.members.add(user)
    return union


@pytest.fixture
def year(union, user) -> AccountingYear:
    """2012, opened with cash 1,000.00 and bank 9,000.00 against 结余 10,000.00."""
    year = services.open_year(union=union, year=2012)
    services.record_opening_balances(
        year=year, balances={"101": "1000.00", "102": "9000.00", "331": "10000.00"}, user=user
    )
    return year


@pytest.fixture
def demo(db):
    """The 巴林左旗医院工会 2012 books of the sample report, loaded as `make run` loads them."""
    call_command("load_demo", force=True, stdout=open("/dev/null", "w"))
    union = Union.objects.get(slug="blzq-hospital")
    return AccountingYear.objects.select_related("union", "chart").get(union=union, year=2012)


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def snapshot() -> tuple:
    """What a refused write must leave unchanged: every voucher and line, as rows."""
    return (
        list(Voucher.objects.order_by("pk").values_list()),
        list(VoucherLine.objects.order_by("pk").values_list()),
        list(AccountingYear.objects.order_by("pk").values_list()),
    )


ZERO = Decimal("0.00")
