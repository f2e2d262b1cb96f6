"""The life of a union-year as one state machine (``ledger.lifecycle``): every transition, every refusal, and
nothing that changes a figure or a word of a closed year."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from ledger import lifecycle, queries, services
from ledger.admin import AccountingYearForm
from ledger.errors import ClosedYear, NegativeBalance, YearStateError
from ledger.models import AccountingYear, Chart, Voucher
from reports.data import build_annual_report
from reports.models import ReportText
from reports.services import save_report_text
from tests.conftest import d, settle_year_end, snapshot

L = services.Line
TWO = [L("101", debit="1.00"), L("401", credit="1.00")]


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("siteadmin", "a@example.org", "pw-admin-1")


def receive(union, user, date, amount, into="cash"):
    return services.record_receipt(
        union=union, date=d(date), account="401", amount=amount, into=into, summary="会费", user=user
    )


def pay(union, user, date, amount, via="cash"):
    return services.record_payment(
        union=union, date=d(date), account="50102", amount=amount, via=via, summary="活动", user=user
    )


def kinds(year):
    return list(Voucher.objects.filter(year=year).order_by("number").values_list("number", "kind", "summary"))


def cash_and_bank(year):
    position = queries.year_summary(year)
    return position.cash, position.bank


def test_the_states_and_transitions_are_written_down(year):
    assert lifecycle.TRANSITIONS == {
        "open": (lifecycle.State.NOT_OPENED, lifecycle.State.OPEN),
        "close": (lifecycle.State.OPEN, lifecycle.State.CLOSED),
        "reopen": (lifecycle.State.CLOSED, lifecycle.State.OPEN),
    }
    assert [lifecycle.State(value).label for value in lifecycle.State.values] == ["未建账", "在用", "已结账"]
    assert lifecycle.state(None) == lifecycle.State.NOT_OPENED
    assert lifecycle.state(year) == lifecycle.State.OPEN
    year.is_closed = True
    assert lifecycle.state(year) == lifecycle.State.CLOSED


# --- 建账: not opened → open ------------------------------------------------------------------------------


def test_years_before_and_after_open_years_may_be_opened(year, union):
    assert services.open_year(union=union, year=2011).year == 2011
    assert services.open_year(union=union, year=2013).year == 2013
    assert services.open_year(union=union, year=2015).year == 2015  # a gap is allowed: it changes no report
    assert services.open_year(union=union, year=2012) == year  # opening an existing year finds it


def test_a_year_before_a_closed_year_cannot_be_opened(year, union, user):
    settle_year_end(year, user)
    services.close_year(year=year, user=user)
    before = snapshot()
    with pytest.raises(YearStateError) as refused:
        services.open_year(union=union, year=2011)
    assert refused.value.message == "2012年度已结账，不能再建立更早的2011年度（会改变已结账年度的报告）"
    with pytest.raises(YearStateError, match="2012年度已结账，不能再建立更早的2009年度"):
        services.open_year(union=union, year=2009)
    assert snapshot() == before
    assert services.open_year(union=union, year=2014).year == 2014


def test_the_closed_sample_report_cannot_be_changed_by_opening_the_year_before(demo):
    """The issue's case: opening 2011 after 2012 was closed changed 2012's "与2011年相比…" and broke its check."""
    treasurer = demo.vouchers.first().prepared_by
    settle_year_end(demo, treasurer)
    services.close_year(year=demo, user=treasurer)
    report = build_annual_report(demo)
    with pytest.raises(YearStateError, match="2012年度已结账，不能再建立更早的2011年度"):
        services.open_year(union=demo.union, year=2011)
    assert build_annual_report(demo) == report
    assert report.previous is None and [check.ok for check in report.checks] == [True, True, True, None]


def test_the_admin_cannot_add_a_year_before_a_closed_year(year, union, user):
    settle_year_end(year, user)
    services.close_year(year=year, user=user)
    chart = Chart.objects.get(code="2009")
    form = AccountingYearForm(data={"union": union.pk, "year": 2011, "chart": chart.pk})
    assert not form.is_valid()
    assert form.non_field_errors() == ["2012年度已结账，不能再建立更早的2011年度（会改变已结账年度的报告）"]
    form = AccountingYearForm(data={"union": union.pk, "year": 2014, "chart": chart.pk})
    assert form.is_valid(), form.errors


# --- 结账: open → closed ---------------------------------------------------------------------------------


def test_a_year_is_closed_only_after_the_years_before_it(year, union, user):
    earlier = services.open_year(union=union, year=2011)
    before = snapshot()
    with pytest.raises(YearStateError) as refused:
        settle_year_end(year, user)
        services.close_year(year=year, user=user)
    assert refused.value.message == "2011年度尚未结账，请先结账2011年度，再结账2012年度"
    assert snapshot() == before
    settle_year_end(earlier, user)
    services.close_year(year=earlier, user=user)
    # 2011 was empty: its closing carries nothing, and 2012 keeps the opening it had.
    assert kinds(year)[0] == (1, "opening", "期初余额")
    settle_year_end(year, user)
    services.close_year(year=year, user=user)
    with pytest.raises(ClosedYear, match="2012年度已经结账"):
        settle_year_end(year, user)
        services.close_year(year=year, user=user)


def test_closing_stays_possible_after_the_next_year_was_opened_with_its_own_opening(demo):
    """The issue's case: 2013 opened early, given opening balances by hand and used; then 2012 is closed."""
    treasurer = demo.vouchers.first().prepared_by
    following = services.open_year(union=demo.union, year=2013)
    services.record_opening_balances(
        year=following, balances={"101": "7000.00", "102": "8000.00", "331": "15000.00"}, user=treasurer
    )
    receive(demo.union, treasurer, "2013-01-10", "100.00")
    pay(demo.union, treasurer, "2013-01-20", "6000.00")

    settle_year_end(demo, treasurer)
    assert services.close_year(year=demo, user=treasurer) == following
    assert kinds(following) == [  # January's 凭证号, in the order posted
        (1, "opening", "期初余额"),
        (2, "normal", "会费"),
        (3, "normal", "活动"),
        (4, "opening", "期初余额"),
        (5, "reversal", "结账结转替换2013年度手工录入的期初余额"),
    ]
    # The opening that stays is 2012's closing: cash 7,898.40 and bank 7,664.50, not the guess.
    assert cash_and_bank(following) == (Decimal("1998.40"), Decimal("7664.50"))
    assert queries.year_summary(following).cash_and_bank_opening == Decimal("15562.90")
    checks = queries.year_checks(following)  # the ledger's own four, other apps' checks, then the last two
    assert [check.ok for check in (*checks[:4], *checks[-2:])] == [True, True, True, True, True, True]


def test_a_hand_opening_equal_to_the_closing_balances_is_kept(year, union, user):
    following = services.open_year(union=union, year=2013)
    services.record_opening_balances(
        year=following, balances={"101": "1000.00", "102": "9000.00", "331": "10000.00"}, user=user
    )
    settle_year_end(year, user)
    services.close_year(year=year, user=user)
    assert kinds(following) == [(1, "opening", "期初余额")]


def test_closing_is_refused_when_the_next_year_spent_more_than_is_carried_forward(demo):
    treasurer = demo.vouchers.first().prepared_by
    following = services.open_year(union=demo.union, year=2013)
    services.record_opening_balances(
        year=following, balances={"101": "20000.00", "331": "20000.00"}, user=treasurer
    )
    pay(demo.union, treasurer, "2013-02-01", "10000.00")
    before = snapshot()
    with pytest.raises(NegativeBalance) as refused:
        settle_year_end(demo, treasurer)
        services.close_year(year=demo, user=treasurer)
    assert refused.value.message == (
        "2013年度手工录入的期初余额须换成2012年度结账结转的余额，但换后库存现金余额不足："
        "2013-02-01余额10000.00元，本凭证减少12101.60元，记账后该日余额将为-2101.60元；"
        "库存现金在任何一天都不能为负数"
    )  # 7,898.40 carried forward − 10,000.00 spent
    assert snapshot() == before


# --- 反结账: closed → open ------------------------------------------------------------------------------


def test_reopening_goes_backwards_from_the_latest_closed_year(year, union, user, admin):
    settle_year_end(year, user)
    services.close_year(year=year, user=user)
    following = services.get_year(union=union, year=2013)
    settle_year_end(following, user)
    services.close_year(year=following, user=user)
    before = snapshot()
    with pytest.raises(ClosedYear, match="2013年度已结账，请先反结账2013年度"):
        services.reopen_year(year=year, user=admin, reason="补记")
    with pytest.raises(YearStateError, match="只有系统管理员可以反结账"):
        services.reopen_year(year=following, user=user, reason="补记")
    with pytest.raises(YearStateError, match="2014年度尚未结账"):
        services.reopen_year(year=services.get_year(union=union, year=2014), user=admin, reason="补记")
    assert snapshot() == before
    services.reopen_year(year=following, user=admin, reason="补记")
    services.reopen_year(year=year, user=admin, reason="补记")
    year.refresh_from_db()
    assert lifecycle.state(year) == lifecycle.State.OPEN
    assert cash_and_bank(services.get_year(union=union, year=2013)) == (Decimal("0.00"), Decimal("0.00"))


# --- inside a state: what an open year takes and a closed one refuses ----------------------------------


def test_a_closed_year_takes_no_draft_posting_opening_or_words(year, union, user):
    settle_year_end(year, user)
    services.close_year(year=year, user=user)
    before = snapshot()
    with pytest.raises(ClosedYear, match="2012年度已结账，不能再记账或修改"):
        receive(union, user, "2012-06-01", "1.00")
    with pytest.raises(ClosedYear, match="2012年度已结账，不能再记账或修改"):
        services.create_voucher(year=year, date=d("2012-06-01"), summary="x", prepared_by=user, lines=TWO)
    with pytest.raises(ClosedYear, match="2012年度已结账，不能再记账或修改"):
        services.record_opening_balances(year=year, balances={"101": "1.00", "331": "1.00"}, user=user)
    with pytest.raises(ClosedYear, match="2012年度已结账，不能再记账或修改"):
        save_report_text(
            year=year,
            current=build_annual_report(year).text,
            values={"opening": "结账后改写的概述"},
            user=user,
        )
    assert snapshot() == before
    assert not ReportText.objects.exists()


def test_a_year_before_a_closed_year_takes_nothing_even_if_old_books_left_it_open(year, union, user):
    """Books from before this rule may hold an open 2011 under a closed 2012: it is frozen too."""
    earlier = AccountingYear.objects.create(union=union, year=2011, chart=year.chart)
    draft = services.create_voucher(
        year=earlier, date=d("2011-06-01"), summary="草稿", prepared_by=user, lines=TWO
    )
    AccountingYear.objects.filter(pk=year.pk).update(is_closed=True)
    before = snapshot()
    message = "2011年度之后已有年度结账，2011年度不能再记账或修改"
    with pytest.raises(ClosedYear, match=message):
        services.create_voucher(year=earlier, date=d("2011-06-01"), summary="x", prepared_by=user, lines=TWO)
    with pytest.raises(ClosedYear, match=message):
        services.post_voucher(voucher=draft, posted_by=user)
    with pytest.raises(ClosedYear, match=message):
        services.delete_draft(voucher=draft, user=user)
    with pytest.raises(ClosedYear, match=message):
        services.record_opening_balances(year=earlier, balances={"101": "1.00", "331": "1.00"}, user=user)
    with pytest.raises(ClosedYear, match=message):
        save_report_text(
            year=earlier, current=build_annual_report(earlier).text, values={"opening": "改"}, user=user
        )
    assert snapshot() == before


def test_opening_balances_by_hand_only_while_the_previous_year_is_not_closed(union, user):
    empty = services.open_year(union=union, year=2012)
    settle_year_end(empty, user)
    following = services.close_year(year=empty, user=user)  # nothing to carry: 2013 has no opening
    before = snapshot()
    with pytest.raises(YearStateError) as refused:
        services.record_opening_balances(year=following, balances={"101": "5.00", "331": "5.00"}, user=user)
    assert refused.value.message == "2012年度已结账，2013年度的期初余额由结账结转，不能手工录入"
    assert snapshot() == before


def test_opening_balances_by_hand_once_per_year(year, user):
    before = snapshot()
    with pytest.raises(YearStateError, match="2012年度已经录入期初余额"):
        services.record_opening_balances(year=year, balances={"101": "5.00", "331": "5.00"}, user=user)
    assert snapshot() == before
