"""A union of its own for the plan's tests: 2025 books on the chart in force, a treasurer and an auditor."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from ledger import roles, services
from ledger.models import AccountingYear, Union
from plan.demo import spending_account


@pytest.fixture
def keeper(db):
    user = get_user_model().objects.create_user("plan-keeper", password="pw-unionledger-1", first_name="出纳")
    user.groups.add(Group.objects.get(name=roles.TREASURER))
    return user


@pytest.fixture
def checker(db):
    user = get_user_model().objects.create_user(
        "plan-auditor", password="pw-unionledger-1", first_name="审查"
    )
    user.groups.add(Group.objects.get(name=roles.AUDITOR))
    return user


@pytest.fixture
def book(keeper, checker) -> AccountingYear:
    """2025, opened with cash 5,000.00 and bank 200,000.00."""
    union = Union.objects.create(name="呼和浩特测试医院工会", slug="plan-hospital", review_required=False)
    union.members.add(keeper, checker)
    year = services.open_year(union=union, year=2025)
    chart = year.chart
    services.record_opening_balances(
        year=year,
        balances={chart.cash_code: "5000.00", chart.bank_code: "200000.00", chart.surplus_code: "205000.00"},
        user=keeper,
    )
    return AccountingYear.objects.select_related("union", "chart").get(pk=year.pk)


@pytest.fixture
def activities(book):
    return spending_account(book, "职工活动支出")


@pytest.fixture
def keeper_client(keeper) -> Client:
    client = Client()
    client.force_login(keeper)
    return client


@pytest.fixture
def checker_client(checker) -> Client:
    client = Client()
    client.force_login(checker)
    return client


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture
def festival(book, keeper, activities):
    """The union's own 明细科目 under 职工活动支出: what the entry forms post to."""
    return services.add_sub_account(union=book.union, parent=activities, name="节日慰问品", user=keeper)
