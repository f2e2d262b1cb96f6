"""Each rule fires on a payment that breaks it and stays silent on one that keeps it; provinces and dates
choose the rules. The rules are the ones the data migration installed from plan/rules/spending-rules.json."""

from decimal import Decimal as D

import pytest

from plan import compliance
from plan.models import GiftForm, Purpose, SpendingRule

from .conftest import d


def rules(province: str = "") -> list[SpendingRule]:
    return compliance.applicable(SpendingRule.objects.all(), province)


def fired(province: str, payment: compliance.Payment, tally=None) -> set[str]:
    return {f.rule_code for f in compliance.evaluate(rules(province), payment, tally)}


def gift(
    date="2025-01-20",
    amount="1600.00",
    purpose=Purpose.FESTIVAL,
    form=GiftForm.GOODS,
    headcount=8,
    cash=False,
):
    return compliance.Payment(
        date=d(date), amount=D(amount), paid_in_cash=cash, purpose=purpose, form=form, headcount=headcount
    )


pytestmark = pytest.mark.django_db


def test_the_data_migration_installed_every_rule_with_its_source():
    assert SpendingRule.objects.count() == 33
    assert not SpendingRule.objects.filter(source="").exists()
    nm = SpendingRule.objects.get(code="nm-2023-festival-2500")
    assert (nm.province, nm.limit, nm.valid_from) == ("内蒙古", D("2500.00"), d("2023-01-01"))
    assert "内工发〔2022〕38号" in nm.source


@pytest.mark.parametrize(
    ("payment", "rule"),
    [
        (gift(form=GiftForm.CASH), "cn-2017-festival-goods"),  # 过节费 in cash
        (gift(form=GiftForm.SHOPPING_CARD), "cn-2017-festival-goods"),
        (gift(form=GiftForm.SHOPPING_CARD), "cn-2014-no-cards"),
        (gift(purpose=Purpose.BIRTHDAY, form=GiftForm.CASH, amount="800.00"), "cn-2017-birthday-goods"),
        (gift(purpose=Purpose.WELFARE, form=GiftForm.CASH, amount="8000.00"), "cn-2014-no-cash-benefits"),
        (gift(purpose=Purpose.OUTING, form=GiftForm.CASH, amount="2800.00"), "cn-2014-no-cash-benefits"),
        (
            gift(purpose=Purpose.OTHER, form="", headcount=None, amount="1000.01", cash=True),
            "cn-cash-threshold-1000",
        ),
    ],
)
def test_a_national_rule_fires_on_a_payment_that_breaks_it(payment, rule):
    assert rule in fired("", payment)


@pytest.mark.parametrize(
    "payment",
    [
        gift(form=GiftForm.GOODS),
        gift(form=GiftForm.PICKUP_VOUCHER),  # a named merchant's pick-up voucher is not a shopping card
        gift(purpose=Purpose.BIRTHDAY, form=GiftForm.GOODS, amount="800.00"),
        gift(purpose=Purpose.OUTING, form=GiftForm.ORGANISED, amount="2800.00"),
        gift(purpose=Purpose.ILLNESS, form=GiftForm.CASH, amount="500.00", headcount=1),  # 慰问金 is allowed
        gift(purpose=Purpose.OTHER, form="", headcount=None, amount="1000.00", cash=True),  # at the threshold
        gift(purpose=Purpose.OTHER, form="", headcount=None, amount="5000.00", cash=False),  # by transfer
    ],
)
def test_the_national_rules_stay_silent_on_a_payment_that_keeps_them(payment):
    assert fired("", payment) == set()


def test_two_provinces_give_different_findings_for_the_same_payment():
    festival = gift(amount="14400.00", headcount=8)  # 1,800 each, as goods
    assert fired("内蒙古", festival) == set()  # ≤ 2,500 from 2023
    assert fired("福建", festival) == {"fj-2018-festival-1300"}
    assert fired("湖北", festival) == {"hb-2019-festival-1200"}
    assert fired("", festival) == set()  # no national cap


def test_a_rules_dates_are_respected():
    festival = gift(amount="17600.00", headcount=8)  # 2,200 each
    assert fired("内蒙古", gift(date="2022-09-10", amount="17600.00")) == {"nm-2022-festival-2000"}
    assert fired("内蒙古", festival) == set()
    birthday = gift(purpose=Purpose.BIRTHDAY, amount="400.00", headcount=1)
    assert fired("安徽", gift(date="2024-06-01", purpose=Purpose.BIRTHDAY, amount="400.00", headcount=1)) == {
        "ah-2018-birthday-300"
    }
    assert fired("安徽", birthday) == set()  # ≤ 500 from 2025
    assert (
        fired("安徽", gift(date="2013-01-20", form=GiftForm.CASH)) == set()
    )  # before the 2014 and 2017 rules


def test_per_head_caps_fire_above_the_limit_only():
    at = gift(purpose=Purpose.BIRTHDAY, amount="3000.00", headcount=10)  # 300 each
    above = gift(purpose=Purpose.BIRTHDAY, amount="3000.10", headcount=10)  # 300.01 each
    assert fired("福建", at) == set()
    assert fired("福建", above) == {"fj-2018-birthday-300"}
    entered = compliance.Payment(
        date=d("2025-03-01"),
        amount=D("600.00"),
        paid_in_cash=False,
        purpose=Purpose.BIRTHDAY,
        form=GiftForm.GOODS,
        headcount=2,
        per_head=D("350.00"),
    )
    assert fired("福建", entered) == {"fj-2018-birthday-300"}  # 人均 as entered wins over 600 ÷ 2


def test_the_annual_cap_adds_the_years_festivals_per_member():
    spring = gift(date="2025-01-20", amount="8000.00", headcount=8)  # 1,000 each
    autumn = gift(date="2025-09-20", amount="3200.00", headcount=8)  # 400 more: 1,400 this year
    found = compliance.evaluate_year(rules("福建"), [autumn, spring])
    assert [(f.date, f.rule_code, f.message) for f in found] == [
        (d("2025-09-20"), "fj-2018-festival-1300", "节日慰问本年人均累计1400.00元，超过每人每年1300.00元")
    ]
    assert compliance.evaluate_year(rules("内蒙古"), [autumn, spring]) == []


def test_an_inactive_rule_and_another_provinces_rule_do_not_apply():
    SpendingRule.objects.filter(code="cn-2017-festival-goods").update(is_active=False)
    assert fired("", gift(form=GiftForm.CASH)) == set()
    assert {r.province for r in rules("内蒙古")} == {"", "内蒙古"}


def test_each_finding_names_its_rule_and_source():
    (finding,) = compliance.evaluate(rules("内蒙古"), gift(form=GiftForm.CASH))
    assert finding.rule == "节日慰问品应为实物，不得发放现金过节费或购物卡"
    assert finding.source == "《基层工会经费收支管理办法》（总工办发〔2017〕32号）"
    assert finding.province == "全国"
    assert finding.message == "节日慰问以现金发放"
