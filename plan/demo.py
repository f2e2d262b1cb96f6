"""The plan's part of a demo union-year, written through the services: an approved budget, a roster with a
year of dues, the levy received and partly remitted, and one payment a rule flags.

``load_plan_demo(year=..., user=...)`` is called by ``load_demo`` after the union and its year exist (the
city-hospital 2025 books); the tests build their own union and call it the same way.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from ledger import queries as books
from ledger import services as ledger
from ledger.models import AccountingYear, AccountType
from plan import services
from plan.models import GiftForm, MemberStatus, Purpose

ROSTER = [  # (department, name, monthly wage base, joined)
    ("内科", "张伟", "6835.50", "2015-03-01"),
    ("内科", "王芳", "5420.00", "2018-07-01"),
    ("内科", "李娜", "4988.88", "2021-09-01"),
    ("外科", "刘洋", "7210.00", "2012-01-01"),
    ("外科", "陈静", "5006.00", "2019-05-01"),
    ("外科", "杨磊", "6125.40", "2025-04-01"),
    ("后勤", "赵敏", "3870.00", "2010-10-01"),
    ("后勤", "黄强", "4102.60", "2016-02-01"),
]


def spending_account(year: AccountingYear, name: str):
    """A first-level spending account of the year's chart, by name (codes differ between charts)."""
    found = books.year_accounts(year).filter(
        name=name, type=AccountType.EXPENSE, union__isnull=True, parent__isnull=True
    )
    return found.first()


@transaction.atomic
def load_plan_demo(*, year: AccountingYear, user, province: str = "内蒙古") -> dict:
    union = year.union
    d = datetime.date
    services.save_settings(union=union, province=province)
    activities = spending_account(year, "职工活动支出")
    festival = books.year_accounts(year).filter(parent=activities, name="节日慰问品").first()
    if festival is None:
        festival = ledger.add_sub_account(union=union, parent=activities, name="节日慰问品", user=user)
    for department, name, wage, joined in ROSTER:
        services.save_member(
            union=union,
            name=name,
            department=department,
            wage_base=Decimal(wage),
            joined=datetime.date.fromisoformat(joined),
            status=MemberStatus.ACTIVE,
        )
    services.set_budget(
        year=year,
        amounts={
            activities.code: "60000.00",
            festival.code: "20000.00",
            services.queries.income_account(year, services.queries.LEVY_INCOME).code: "96000.00",
            services.queries.income_account(year, services.queries.DUES_INCOME).code: "3000.00",
        },
        approved_on=d(year.year, 1, 20),
        user=user,
    )
    for quarter in range(4):
        services.record_levy(
            union=union,
            date=d(year.year, 3 * quarter + 1, 15),
            amount="40000.00",
            into="bank",
            user=user,
            summary=f"收到{year.year}年第{quarter + 1}季度拨缴经费",
        )
    for quarter in range(3):
        services.remit_levy(
            union=union,
            date=d(year.year, 3 * quarter + 1, 25),
            amount="16000.00",
            via="bank",
            user=user,
            summary=f"上缴{year.year}年第{quarter + 1}季度上级经费",
        )
    for month in range(1, 13):
        for department in ("内科", "外科", "后勤"):
            if department == "后勤" and month == 12:
                continue  # 后勤's December is still owed: the arrears list shows it
            services.record_dues(
                union=union,
                month=month,
                department=department,
                date=d(year.year, month, 28),
                into="bank",
                user=user,
            )
    flagged = ledger.record_payment(
        union=union,
        date=d(year.year, 1, 26),
        account=festival,
        amount="2400.00",
        via="bank",
        summary="春节过节费（提现发放）",
        user=user,
    )
    services.record_payment_facts(
        voucher=flagged,
        via="bank",
        facts={"purpose": Purpose.FESTIVAL, "form": GiftForm.CASH, "headcount": 8, "reason": "委员会决定"},
        warnings=["节日慰问品应为实物，不得发放现金过节费或购物卡"],
    )
    goods = ledger.record_payment(
        union=union,
        date=d(year.year, 9, 20),
        account=festival,
        amount="3200.00",
        via="bank",
        summary="中秋节慰问品（月饼）",
        user=user,
    )
    services.record_payment_facts(
        voucher=goods,
        via="bank",
        facts={"purpose": Purpose.FESTIVAL, "form": GiftForm.GOODS, "headcount": 8},
        warnings=[],
    )
    return {"festival": festival, "activities": activities, "flagged": flagged}
