import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ledger.models import Union, Voucher


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_trial_balance_json(demo):
    rows = json.loads(run("trial_balance", "--union", "blzq-hospital", "--year", "2012", "--format", "json"))
    by_code = {row["code"]: row for row in rows}
    assert by_code["101"] == {
        "code": "101",
        "name": "库存现金",
        "opening": "1521.40",
        "debit": "8200.00",
        "credit": "1823.00",
        "closing": "7898.40",
    }
    assert by_code["102"]["closing"] == "7664.50"
    assert by_code["331"]["opening"] == "8721.40"
    assert by_code["401"]["closing"] == "6200.00"
    assert by_code["405"]["closing"] == "30000.00"
    assert by_code["5010401"] == {
        "code": "5010401",
        "name": "三八妇女节活动",
        "opening": "0.00",
        "debit": "723.00",
        "credit": "0.00",
        "closing": "723.00",
    }
    assert set(rows[0]) == {"code", "name", "opening", "debit", "credit", "closing"}


def test_trial_balance_text(demo):
    text = run("trial_balance", "--union", "blzq-hospital", "--year", "2012")
    assert "巴林左旗医院工会 2012年度 科目余额表（单位：元）" in text
    assert "7,898.40" in text and "试算平衡" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--union", "nobody", "--year", "2012"], "没有简称为“nobody”的工会"),
        (["--union", "blzq-hospital", "--year", "2030"], "尚未建立2030年度的账套"),
    ],
)
def test_trial_balance_errors(demo, args, message):
    with pytest.raises(CommandError, match=message):
        run("trial_balance", *args)


def test_load_demo_is_idempotent_and_refuses_production(demo, settings):
    run("load_demo", "--force")  # the other apps' demo data join the books the fixture loaded
    count = Voucher.objects.count()
    assert "演示数据已存在" in run("load_demo", "--force")
    # 2012 of blzq-hospital; 2025 of city-hospital: 20 of its books and 44 of the plan's demo (budget, dues,
    # the levy and its remittance, a payment a rule flags), and its two 分工会: an opening, a receipt, a payment
    # and the allocation received in each, and the two allocations in the city union's books
    assert Voucher.objects.count() == count == 17 + 20 + 44 + 2 * 4 + 2
    city = Union.objects.get(slug="city-hospital")
    assert list(city.branches.values_list("slug", flat=True)) == [
        "city-hospital-neike",
        "city-hospital-waike",
    ]
    assert city.parent.slug == "huhhot-federation"
    assert list(city.parent.members.values_list("username", flat=True)) == ["fed-viewer"]
    # blzq-hospital: 15 of the sample, a mistyped receipt and its 红字冲销
    assert Voucher.objects.filter(year__union__slug="blzq-hospital").count() == 17
    assert Union.objects.filter(slug="blzq-hospital").count() == 1
    city = Union.objects.get(slug="city-hospital")
    assert sorted(city.members.values_list("username", flat=True)) == [
        "city-auditor",
        "city-committee",
        "city-treasurer",
    ]
    settings.DEBUG = False
    with pytest.raises(CommandError, match="只在开发环境"):
        run("load_demo")


def test_load_demo_leaves_one_voucher_unreviewed_and_one_reviewed(db):
    from ledger import queries, services

    run("load_demo", "--force")
    year = services.find_year(slug="blzq-hospital", year=2012)
    assert year.union.review_required
    waiting = list(
        Voucher.objects.filter(year=year)
        .exclude(state=Voucher.State.POSTED)
        .order_by("id")
        .values_list("state", "summary")
    )
    assert waiting == [("draft", "元旦联欢会茶点"), ("reviewed", "扶贫点困难户年末慰问金")]
    posted = Voucher.objects.filter(year=year, state=Voucher.State.POSTED)
    assert posted.count() == 17
    assert set(
        posted.exclude(kind="opening").values_list(
            "prepared_by__username", "reviewed_by__username", "posted_by__username"
        )
    ) == {("treasurer", "reviewer", "reviewer")}
    summary = queries.year_summary(year)  # the waiting vouchers count nowhere: the sample's figures
    assert (summary.opening_funds, summary.income, summary.expense, summary.closing_funds) == (
        Decimal("8721.40"),
        Decimal("36200.00"),
        Decimal("29358.50"),
        Decimal("15562.90"),
    )
    check = next(c for c in queries.year_checks(year) if c.title == "本年度的凭证都已审核并记账")
    assert check.ok is False
