"""Shared fixtures: named users and the books of a small union, built through the services."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from ledger import services
from ledger.charts import install_chart, load_chart_file
from ledger.models import Account, AccountingYear, Chart, Union, Voucher, VoucherLine


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or bool(marker and marker.kwargs.get("transaction"))
    )


@pytest.fixture(autouse=True)
def _reference_data(request):
    """A flush between transactional tests also empties what data migrations installed: put it back."""
    if _transactional(request):
        request.getfixturevalue("transactional_db")
        if not Chart.objects.exists():
            install_chart(Chart, Account, load_chart_file("gonghui-2009.json"))
            importlib.import_module("ledger.migrations.0005_roles_and_audit_guard").create_roles(apps, None)
    yield


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
