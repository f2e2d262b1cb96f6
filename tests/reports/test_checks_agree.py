"""The auditor's checks in the report and the 结账 checks of the ledger are computed apart (the report from
its own trial balance, without extra queries); they must always reach the same verdicts on the same books."""

from decimal import Decimal

from ledger import queries, services
from reports.data import build_annual_report
from tests.conftest import d


def verdicts(year):
    report = build_annual_report(year)
    # The 结账 checks end with one the report does not show: cash and bank never below zero on any day.
    *ledger, never_negative = queries.year_end_checks(year=year)
    assert never_negative.ok is True
    return [check.ok for check in report.checks], [check.ok for check in ledger], report, ledger


def test_checks_agree_on_the_sample_year(demo):
    from_report, from_ledger, report, _ = verdicts(demo)
    assert from_report == from_ledger == [True, True, True, None]
    position = queries.year_position(year=demo)
    assert (report.opening_balance, report.total_income, report.total_expense, report.closing_balance) == (
        position.opening_net,
        position.income,
        position.expense,
        position.net_balance,
    )


def test_checks_agree_after_closing_and_with_a_payable(demo):
    treasurer = demo.vouchers.first().prepared_by
    following = services.close_year(year=demo, user=treasurer)
    services.record_voucher(
        year=following,
        posted_by=treasurer,
        date=d("2013-01-10"),
        summary="收到拨缴经费，其中应上缴上级部分",
        lines=[
            services.Line("102", debit="10000.00"),
            services.Line("402", credit="6000.00"),
            services.Line("221", credit="4000.00"),
        ],
    )
    from_report, from_ledger, report, _ = verdicts(following)
    # Money owed upward sits in the bank: cash and bank exceed the fund balance, a hint, not a failure.
    assert from_report == from_ledger == [True, False, True, True]
    assert report.closing_balance == Decimal("21562.90")
    from_report, from_ledger, _, _ = verdicts(demo)
    assert from_report == from_ledger == [True, True, True, None]


def test_checks_agree_when_last_year_does_not_continue(union, user):
    services.open_year(union=union, year=2014)
    services.record_opening_balances(
        year=services.get_year(union=union, year=2014), balances={"101": "5.00", "331": "5.00"}, user=user
    )
    later = services.open_year(union=union, year=2015)
    services.record_opening_balances(year=later, balances={"101": "7.00", "331": "7.00"}, user=user)
    from_report, from_ledger, _, _ = verdicts(later)
    assert from_report == from_ledger == [True, True, True, False]
