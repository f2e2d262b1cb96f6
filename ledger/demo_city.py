"""The second demo union: a city hospital's union in 内蒙古 with its 2025 books on the 2021 chart.

Loaded by ``load_demo`` through the same public services as the first (``ledger.demo.load_year_file``);
its year is described in ``fixtures/city-hospital-2025.json``.
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from ledger import roles, services
from ledger.demo import load_year_file
from ledger.models import Union

CITY_FILE = settings.BASE_DIR / "fixtures" / "city-hospital-2025.json"
CITY_SLUG = "city-hospital"
# (username, first name, role group): the city union's own demo users, one per role, like the first union's.
CITY_USERS = [
    ("city-treasurer", "赵敏", roles.TREASURER),
    ("city-committee", "孙志强", roles.COMMITTEE),
    ("city-auditor", "周红梅", roles.AUDITOR),
]


def load_city_hospital(*, user: AbstractBaseUser) -> tuple[Union, bool]:
    """The city hospital's union, loaded now (True) or found already there (False)."""
    found = Union.objects.filter(slug=CITY_SLUG).first()
    if found is not None:
        return found, False
    return load_year_file(CITY_FILE, user=user), True


# The city union's two 分工会, each with its own 2025 books, and one 补助下级 (下拨) to each; and a 总工会 above
# the city union with its demo user. Loaded by ``load_demo`` after the other apps' demo data (never with
# ``--books-only``, whose figures the tests pin): the allocations are spending in the city union's books.
FEDERATION_SLUG = "huhhot-federation"
FEDERATION_USER = ("fed-viewer", "高建华", roles.FEDERATION)
BRANCHES = [
    # (slug, name, opening bank, [(date, kind, account, amount, summary)], allocation (date, amount, summary))
    (
        "city-hospital-neike",
        "呼和浩特市第一医院工会内科分会",
        "6000.00",
        [
            ("2025-03-20", "receipt", "4001", "2400.00", "收到内科会员一季度会费"),
            ("2025-06-28", "payment", "5101", "12000.00", "内科职工趣味运动会"),
        ],
        ("2025-06-10", "20000.00", "下拨内科分会2025年活动经费"),
    ),
    (
        "city-hospital-waike",
        "呼和浩特市第一医院工会外科分会",
        "4500.00",
        [
            ("2025-04-15", "receipt", "4001", "1800.00", "收到外科会员一季度会费"),
            ("2025-09-12", "payment", "5101", "9000.00", "外科职工登山活动"),
        ],
        ("2025-09-01", "15000.00", "下拨外科分会2025年活动经费"),
    ),
]


def load_city_branches(*, user: AbstractBaseUser) -> str:
    """The city union's 分工会 with their books and allocations, and the 总工会 above it: once ("" after). Each
    branch's receipts, allocation and payments are entered in date order (cash and bank never below zero)."""
    city = Union.objects.filter(slug=CITY_SLUG).first()
    if city is None or Union.objects.filter(parent=city).exists():
        return ""
    city_year = services.get_year(union=city, year=2025)
    for slug, name, opening, entries, allocation in BRANCHES:
        branch = services.create_union(name=name, slug=slug, parent=city, province=city.province)
        Union.objects.filter(pk=branch.pk).update(
            review_required=False
        )  # a one-person 分工会 posts in one step
        branch.refresh_from_db()
        year = services.open_year(union=branch, year=2025)
        services.record_opening_balances(year=year, balances={"1002": opening, "3202": opening}, user=user)
        events = [*entries, (allocation[0], "allocation", "", allocation[1], allocation[2])]
        for date, kind, account, amount, summary in sorted(events):
            on = datetime.date.fromisoformat(date)
            if kind == "allocation":
                services.allocate_to_branch(
                    year=city_year,
                    branch=branch,
                    date=on,
                    amount=amount,
                    summary=summary,
                    user=user,
                    history=True,
                )
            elif kind == "receipt":
                services.record_receipt(
                    union=branch,
                    date=on,
                    account=account,
                    amount=amount,
                    into="bank",
                    summary=summary,
                    user=user,
                )
            else:
                services.record_payment(
                    union=branch,
                    date=on,
                    account=account,
                    amount=amount,
                    via="bank",
                    summary=summary,
                    user=user,
                )
    federation = services.create_union(name="呼和浩特市总工会", slug=FEDERATION_SLUG, province=city.province)
    Union.objects.filter(pk=city.pk).update(parent=federation)
    return (
        "已载入演示数据：呼和浩特市第一医院工会的内科分会、外科分会（各自建账，2025年度，各有一笔补助下级），"
        "及其上级呼和浩特市总工会"
    )
