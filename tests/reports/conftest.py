"""Fixtures of the report tests: named role users of the demo union, and small books built through services."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from ledger import roles, services
from ledger.models import AccountingYear, Union
from reports import fonts

PASSWORD = "pw-reports-1"


@pytest.fixture(autouse=True)
def report_cache(settings, tmp_path):
    """Each test renders into its own cache directory."""
    settings.REPORT_CACHE_DIR = tmp_path / "report-cache"


@pytest.fixture(scope="session")
def prepared_fonts():
    """The report fonts as ``make install`` prepares them (a no-op when they are already prepared)."""
    fonts.prepare()
    assert fonts.status().fully_prepared, fonts.status().problems


def make_user(username: str, union: Union | None, role: str | None, name: str = ""):
    user = get_user_model().objects.create_user(username, password=PASSWORD, first_name=name)
    if role:
        user.groups.add(Group.objects.get(name=role))
    if union:
        union.members.add(user)
    return user


@pytest.fixture
def treasurer(demo):
    return make_user("r-treasurer", demo.union, roles.TREASURER, "王出纳")


@pytest.fixture
def committee(demo):
    return make_user("r-committee", demo.union, roles.COMMITTEE, "李委员")


@pytest.fixture
def auditor(demo):
    return make_user("r-auditor", demo.union, roles.AUDITOR, "张审查")


@pytest.fixture
def roleless(demo):
    """A member of the demo union with no role."""
    return make_user("r-roleless", demo.union, None)


@pytest.fixture
def outsider(db):
    """The treasurer of another union: the demo union does not exist for them."""
    other = Union.objects.create(name="另一家医院工会", slug="other-hospital")
    return make_user("r-outsider", other, roles.TREASURER)


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def receipt(
    year: AccountingYear, user, date: str, account: str, amount: str, into: str = "bank", summary="收入"
):
    return services.record_receipt(
        union=year.union, date=d(date), account=account, amount=amount, into=into, summary=summary, user=user
    )


def payment(year: AccountingYear, user, date: str, account, amount: str, via: str = "bank", summary="支出"):
    return services.record_payment(
        union=year.union, date=d(date), account=account, amount=amount, via=via, summary=summary, user=user
    )


def voucher(year: AccountingYear, user, date: str, summary: str, *lines):
    """``lines``: (account code, debit, credit) with amounts as strings ("" for none)."""
    return services.record_voucher(
        year=year,
        posted_by=user,
        date=d(date),
        summary=summary,
        lines=[
            services.Line(code, debit=debit or "0", credit=credit or "0") for code, debit, credit in lines
        ],
    )
