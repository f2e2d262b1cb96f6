"""结账 and 反结账: balances carried forward, the year locked, reopening undone by reversals only."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from ledger import queries, services
from ledger.errors import ClosedYear, LedgerError
from ledger.models import AuditEvent, Voucher
from tests.conftest import d, settle_year_end, snapshot


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("siteadmin", "a@example.org", "pw-admin-1")


def closing(year, code, **kwargs) -> Decimal:
    return queries.account_movement(
        year=year, account=queries.year_accounts(year).get(code=code), **kwargs
    ).closing


def test_year_end_checks_of_the_sample_year(demo):
    checks = queries.year_checks(demo)
    assert [(check.title, check.ok, check.required) for check in checks] == [
        ("科目余额表试算平衡", True, True),
        ("库存现金＋银行存款＝年末经费余额", True, False),
        ("年末经费余额＝年初经费余额＋本年收入－本年支出", True, True),
        ("上年年末经费余额＝本年年初经费余额", None, True),
        # Registered by the auditor's seat (a hint) and the bank (required: the demo has neither yet).
        ("经费审查疑点均已关闭", True, False),
        ("12月银行存款余额调节表平衡", False, True),
        ("年末月份已盘点库存现金", False, True),
        # Registered by the plan: warnings only.
        ("应付上级经费已足额上缴", None, False),  # no 拨缴经费 received in 2012
        ("支出符合经费使用规定", True, False),
        ("库存现金和银行存款在年内任何一天都不为负数", True, True),
        ("本年度的凭证都已审核并记账", True, True),
    ]
    assert checks[2].detail == "年末经费余额 15562.90，年初经费余额＋本年收入－本年支出 15562.90"
    summary = queries.year_summary(demo)
    assert (summary.opening_funds, summary.income, summary.expense) == (
        Decimal("8721.40"),
        Decimal("36200.00"),
        Decimal("29358.50"),
    )
    assert summary.closing_funds == summary.cash_and_bank == Decimal("15562.90")


def test_checks_take_at_most_ten_queries(demo, django_assert_max_num_queries, monkeypatch):
    from ledger import hooks

    monkeypatch.setattr(hooks, "year_checks", [])
    with django_assert_max_num_queries(10):
        queries.year_checks(demo)


def test_registered_checks_keep_the_count_bounded(demo, django_assert_max_num_queries):
    # review: 1; bank: the December 调节表 and the cash count; plan: the year's figures, settings, findings
    with django_assert_max_num_queries(10 + 10 + 8):
        queries.year_checks(demo)


def test_closing_then_next_year_checks_continuity(demo):
    treasurer = demo.vouchers.first().prepared_by
    settle_year_end(demo, treasurer)
    following = services.close_year(year=demo, user=treasurer)
    checks = queries.year_checks(following)
    assert checks[3].ok is True
    assert checks[3].detail == "上年年末经费余额 15562.90，本年年初经费余额 15562.90"
    assert queries.year_summary(demo).closing_funds == Decimal("15562.90")  # still readable after closing


def test_close_is_refused_when_the_opening_does_not_continue_last_year(year, user, union):
    settle_year_end(year, user)
    services.close_year(year=year, user=user)
    other = services.open_year(union=union, year=2014)
    services.record_opening_balances(year=other, balances={"101": "5.00", "331": "5.00"}, user=user)
    services.open_year(union=union, year=2015)
    # 2013 was opened by closing 2012 with 10,000.00; add a mismatching year pair 2014/2015 by hand:
    year_2015 = services.get_year(union=union, year=2015)
    services.record_opening_balances(year=year_2015, balances={"101": "7.00", "331": "7.00"}, user=user)
    check = queries.year_checks(year_2015)[3]
    assert (check.ok, check.detail) == (False, "上年年末经费余额 5.00，本年年初经费余额 7.00")
    before = snapshot()
    # Years close in order, and closing 2014 would carry its own balances into 2015 (ledger.lifecycle).
    with pytest.raises(LedgerError, match="2013年度尚未结账，请先结账2013年度，再结账2015年度"):
        settle_year_end(year_2015, user)
        services.close_year(year=year_2015, user=user)
    assert snapshot() == before


def test_reopen_reverses_closing_and_next_opening_then_close_again(demo, admin):
    treasurer = demo.vouchers.first().prepared_by
    settle_year_end(demo, treasurer)
    following = services.close_year(year=demo, user=treasurer)
    assert closing(demo, "405") == Decimal("0.00")

    services.reopen_year(year=demo, user=admin, reason="补记漏记的会费")
    demo.refresh_from_db()
    assert not demo.is_closed and demo.closed_by is None
    assert closing(demo, "405") == Decimal("30000.00")
    assert closing(demo, "331") == Decimal("8721.40")
    assert closing(following, "101") == Decimal("0.00")
    rows = {row.account.code: row for row in queries.trial_balance(year=following)}
    assert rows == {}  # opening and its reversal cancel, and neither is activity of the year
    event = AuditEvent.objects.get(action="year_reopened")
    assert (event.username, event.summary) == ("siteadmin", "2012年度反结账：补记漏记的会费")

    services.record_receipt(
        union=demo.union,
        date=d("2012-12-30"),
        account="401",
        amount="100.00",
        into="cash",
        summary="补记会费",
        user=treasurer,
    )
    settle_year_end(demo, treasurer)
    services.close_year(year=demo, user=treasurer)
    assert closing(following, "101") + closing(following, "102") == Decimal("15662.90")
    assert list(Voucher.objects.filter(year=following).order_by("number").values_list("number", "kind")) == [
        (1, "opening"),
        (2, "reversal"),
        (3, "opening"),
    ]
    assert queries.year_checks(following)[3].ok is True


def test_reopen_refusals_change_nothing(demo, admin):
    treasurer = demo.vouchers.first().prepared_by
    with pytest.raises(LedgerError, match="尚未结账"):
        services.reopen_year(year=demo, user=admin, reason="x")
    settle_year_end(demo, treasurer)
    following = services.close_year(year=demo, user=treasurer)
    before = snapshot()
    with pytest.raises(LedgerError, match="只有系统管理员可以反结账"):
        services.reopen_year(year=demo, user=treasurer, reason="x")
    with pytest.raises(LedgerError, match="请填写反结账原因"):
        services.reopen_year(year=demo, user=admin, reason="  ")
    assert snapshot() == before
    services.record_receipt(
        union=demo.union,
        date=d("2013-01-05"),
        account="401",
        amount="1.00",
        into="cash",
        summary="x",
        user=treasurer,
    )
    before = snapshot()
    with pytest.raises(LedgerError, match="2013年度已有凭证"):
        services.reopen_year(year=demo, user=admin, reason="x")
    assert snapshot() == before
    with pytest.raises(ClosedYear):
        services.record_receipt(
            union=demo.union,
            date=d("2012-12-31"),
            account="401",
            amount="1.00",
            into="cash",
            summary="x",
            user=treasurer,
        )
    assert following.year == 2013


def test_home_page_figures_survive_close_and_reopen(demo, admin):
    """The year's figures read 结转, 期初 and their 反结账 reversals by one rule: income is not doubled."""
    treasurer = demo.vouchers.first().prepared_by

    def figures(year):
        summary = queries.year_summary(year)
        return (
            summary.categories("income"),
            summary.categories("expense"),
            summary.income,
            summary.expense,
            summary.cash_and_bank_opening,
            summary.cash,
            summary.bank,
        )

    before = figures(demo)
    assert before[2:4] == (Decimal("36200.00"), Decimal("29358.50"))
    settle_year_end(demo, treasurer)
    following = services.close_year(year=demo, user=treasurer)
    opening_after_close = queries.year_summary(following)
    assert (opening_after_close.cash_opening, opening_after_close.bank_opening) == (
        Decimal("7898.40"),
        Decimal("7664.50"),
    )
    services.reopen_year(year=demo, user=admin, reason="补记")
    assert figures(demo) == before
    reopened = queries.year_summary(following)
    assert (reopened.cash_opening, reopened.bank_opening, reopened.cash, reopened.bank) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert reopened.categories("income") == []
