"""Books for the branch and federation tests, written through the services.

``hospital``: 第一医院工会, 2025 on the 2021 chart, bank 100,000.00 at the opening, with two 分工会 that keep books
(内科分会, 外科分会: bank 1,000.00 and 500.00) and one that does not (药剂科分会, a dimension of the hospital's
lines). ``federation``: 市总工会 above the hospital, and another union outside it (``outside``). Users:
``keeper`` (the hospital's treasurer), ``branch_keeper`` (内科分会's own treasurer), ``fed_user`` (总工会 role,
member of the federation), ``outside_keeper``.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from ledger import roles, services
from ledger.models import AccountingYear, Union
from tests.reports.conftest import report_cache  # noqa: F401 - each test renders into its own cache


def person(username: str, role: str, *unions: Union):
    user = get_user_model().objects.create_user(username, password="pw-unionledger-1")
    user.groups.add(Group.objects.get(name=role))
    for union in unions:
        union.members.add(user)
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def opened(union: Union, bank: str, user) -> AccountingYear:
    Union.objects.filter(pk=union.pk).update(review_required=False)
    union.refresh_from_db()
    year = services.open_year(union=union, year=2025)
    services.record_opening_balances(year=year, balances={"1002": bank, "3202": bank}, user=user)
    return AccountingYear.objects.select_related("union", "chart").get(pk=year.pk)


def on(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture
def federation(db) -> Union:
    return services.create_union(name="市总工会", slug="city-federation", province="内蒙古")


@pytest.fixture
def hospital(federation) -> Union:
    return services.create_union(
        name="第一医院工会", slug="first-hospital", parent=federation, province="内蒙古"
    )


@pytest.fixture
def keeper(hospital):
    return person("keeper", roles.TREASURER, hospital)


@pytest.fixture
def hospital_year(hospital, keeper) -> AccountingYear:
    return opened(hospital, "100000.00", keeper)


@pytest.fixture
def neike(hospital) -> Union:
    return services.create_union(name="内科分会", slug="first-neike", parent=hospital)


@pytest.fixture
def waike(hospital) -> Union:
    return services.create_union(name="外科分会", slug="first-waike", parent=hospital)


@pytest.fixture
def yaoji(hospital) -> Union:
    return services.create_union(name="药剂科分会", slug="first-yaoji", parent=hospital, keeps_books=False)


@pytest.fixture
def branch_keeper(neike):
    return person("branch-keeper", roles.TREASURER, neike)


@pytest.fixture
def neike_year(neike, keeper) -> AccountingYear:
    return opened(neike, "1000.00", keeper)


@pytest.fixture
def waike_year(waike, keeper) -> AccountingYear:
    return opened(waike, "500.00", keeper)


@pytest.fixture
def fed_user(federation):
    return person("fed-user", roles.FEDERATION, federation)


@pytest.fixture
def outside(db) -> Union:
    return services.create_union(name="外区医院工会", slug="other-hospital", province="内蒙古")


@pytest.fixture
def outside_keeper(outside):
    return person("outside-keeper", roles.TREASURER, outside)


@pytest.fixture
def outside_year(outside, outside_keeper) -> AccountingYear:
    return opened(outside, "3000.00", outside_keeper)


@pytest.fixture
def books(hospital_year, neike_year, waike_year, yaoji, keeper):
    """A year of the three books: receipts and payments in odd cents, one allocation to each branch with books
    (12,345.67 to 内科, 800.01 to 外科), and lines of the hospital marked for 药剂科分会."""
    services.record_receipt(
        union=hospital_year.union,
        date=on("2025-01-10"),
        account="4401",
        amount="50000.33",
        into="bank",
        summary="行政补助",
        user=keeper,
    )
    services.record_payment(
        union=hospital_year.union,
        date=on("2025-02-10"),
        account="5101",
        amount="7000.10",
        via="bank",
        summary="春节活动",
        user=keeper,
    )
    services.record_voucher(
        year=hospital_year,
        posted_by=keeper,
        date=on("2025-03-05"),
        summary="药剂科分会活动",
        lines=[
            services.Line("5101", debit="321.09", branch=yaoji.pk),
            services.Line(services.Via("bank"), credit="321.09"),
        ],
    )
    services.allocate_to_branch(
        year=hospital_year,
        branch=neike_year.union,
        date=on("2025-04-01"),
        amount="12345.67",
        summary="下拨内科分会活动经费",
        user=keeper,
    )
    services.allocate_to_branch(
        year=hospital_year,
        branch=waike_year.union,
        date=on("2025-05-01"),
        amount="800.01",
        summary="下拨外科分会活动经费",
        user=keeper,
    )
    services.record_receipt(
        union=neike_year.union,
        date=on("2025-04-02"),
        account="4001",
        amount="1234.56",
        into="bank",
        summary="内科会费",
        user=keeper,
    )
    services.record_payment(
        union=neike_year.union,
        date=on("2025-04-20"),
        account="5101",
        amount="9999.99",
        via="bank",
        summary="内科运动会",
        user=keeper,
    )
    services.record_payment(
        union=waike_year.union,
        date=on("2025-05-20"),
        account="5101",
        amount="1000.02",
        via="bank",
        summary="外科登山",
        user=keeper,
    )
    return hospital_year
