"""Shared fixtures: named users and the books of a small union, built through the services."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from ledger import roles, services
from ledger.charts import install_chart, load_chart_file
from ledger.models import Account, AccountingYear, Chart, Union, Voucher, VoucherLine


def _database_fixture(request) -> str | None:
    """The database fixture a test runs with, if any: "transactional_db", "db" or None."""
    marker = request.node.get_closest_marker("django_db")
    if (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker and marker.kwargs.get("transaction"))
    ):
        return "transactional_db"
    if marker or "db" in request.fixturenames:
        return "db"
    return None


@pytest.fixture(autouse=True)
def _reference_data(request):
    """A flush after a transactional test also empties what data migrations installed: put it back.

    The chart of accounts (migration 0002) and the role groups (migration 0005), before any test that uses
    the database, whatever order the tests run in.
    """
    fixture = _database_fixture(request)
    if fixture:
        request.getfixturevalue(fixture)
        if not Chart.objects.exists():
            install_chart(Chart, Account, load_chart_file("gonghui-2009.json"))
        for name, codenames in roles.ROLE_PERMISSIONS.items():
            group, created = Group.objects.get_or_create(name=name)
            if created:
                group.permissions.add(
                    *Permission.objects.filter(content_type__app_label="ledger", codename__in=codenames)
                )
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
