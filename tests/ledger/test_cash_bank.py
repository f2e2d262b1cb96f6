"""库存现金 and 银行存款 never below zero, on any day of the year, whatever kind of voucher is posted."""

from decimal import Decimal

import pytest
from django.db.models import Max
from django.utils import timezone

from ledger import cash_bank, queries, services
from ledger.errors import NegativeBalance
from ledger.models import Account, Voucher, VoucherLine
from ledger.money import money
from tests.conftest import d, settle_year_end, snapshot

L = services.Line


def pay(union, user, date, amount, via="cash", account="50102"):
    return services.record_payment(
        union=union, date=d(date), account=account, amount=amount, via=via, summary="支出", user=user
    )


def receive(union, user, date, amount, into="cash"):
    return services.record_receipt(
        union=union, date=d(date), account="401", amount=amount, into=into, summary="会费", user=user
    )


def message(name, day, balance, taken, after):
    return (
        f"{name}余额不足：{day}余额{balance}元，本凭证减少{taken}元，记账后该日余额将为{after}元；"
        f"{name}在任何一天都不能为负数"
    )


def test_a_back_dated_payment_may_not_spend_what_a_later_payment_already_spent(year, user, union):
    """The issue's case: 400 paid on 12-31 leaves cash at 0; 400 more dated 08-01 would leave −400 on 12-31."""
    pay(union, user, "2012-12-31", "1000.00")
    before = snapshot()
    with pytest.raises(NegativeBalance) as refused:
        pay(union, user, "2012-08-01", "400.00")
    assert refused.value.message == message("库存现金", "2012-12-31", "0.00", "400.00", "-400.00")
    assert snapshot() == before


def test_a_general_voucher_may_not_overdraw_the_bank(year, user, union):
    before = snapshot()
    with pytest.raises(NegativeBalance) as refused:
        services.record_voucher(
            year=year,
            posted_by=user,
            date=d("2012-05-01"),
            summary="上缴上级经费",
            lines=[L("221", debit="9000.01"), L("102", credit="9000.01")],
        )
    assert refused.value.message == message("银行存款", "2012-05-01", "9000.00", "9000.01", "-0.01")
    assert snapshot() == before
    services.record_voucher(
        year=year,
        posted_by=user,
        date=d("2012-05-01"),
        summary="上缴上级经费",
        lines=[L("221", debit="9000.00"), L("102", credit="9000.00")],
    )
    assert queries.year_summary(year).bank == Decimal("0.00")


def test_a_transfer_checks_the_side_it_takes_from(year, user, union):
    services.record_voucher(
        year=year,
        posted_by=user,
        date=d("2012-02-01"),
        summary="提现",
        lines=[L("101", debit="9000.00"), L("102", credit="9000.00")],
    )
    receive(union, user, "2012-03-01", "100.00", into="bank")
    with pytest.raises(NegativeBalance, match="银行存款余额不足：2012-02-01余额0.00元"):
        services.record_voucher(
            year=year,
            posted_by=user,
            date=d("2012-01-15"),
            summary="再提现",
            lines=[L("101", debit="50.00"), L("102", credit="50.00")],
        )


def test_a_bank_sub_account_counts_in_the_bank(year, user, union):
    icbc = services.add_sub_account(
        union=union, parent=Account.objects.get(code="102", union=None), name="工行", user=user
    )
    assert icbc.code == "10201"
    services.record_voucher(
        year=year,
        posted_by=user,
        date=d("2012-02-01"),
        summary="转入工行",
        lines=[L(icbc, debit="9000.00"), L("102", credit="9000.00")],
    )
    with pytest.raises(
        NegativeBalance, match="银行存款余额不足：2012-06-01余额9000.00元，本凭证减少9000.01元"
    ):
        services.record_voucher(
            year=year,
            posted_by=user,
            date=d("2012-06-01"),
            summary="支出",
            lines=[L("50102", debit="9000.01"), L(icbc, credit="9000.01")],
        )


def test_reversing_a_receipt_that_was_spent_is_refused(year, user, union):
    receipt = receive(union, user, "2012-03-01", "500.00")
    pay(union, user, "2012-06-01", "1500.00")
    before = snapshot()
    with pytest.raises(NegativeBalance) as refused:
        services.reverse_voucher(voucher=receipt, user=user, reason="收错了", date=d("2012-04-01"))
    assert refused.value.message == message("库存现金", "2012-06-01", "0.00", "500.00", "-500.00")
    assert snapshot() == before


def test_an_opening_balance_below_zero_is_refused(union, user):
    year = services.open_year(union=union, year=2012)
    before = snapshot()
    with pytest.raises(NegativeBalance, match="库存现金余额不足：2012-01-01余额0.00元，本凭证减少5.00元"):
        services.record_opening_balances(
            year=year, balances={"101": "-5.00", "102": "10.00", "331": "5.00"}, user=user
        )
    assert snapshot() == before


def test_money_coming_in_needs_no_query(year, user, django_assert_num_queries):
    with django_assert_num_queries(0):
        cash_bank.check_voucher(
            year=year,
            date=d("2012-03-01"),
            lines=[("101", Decimal("5.00"), Decimal("0.00")), ("401", Decimal("0.00"), Decimal("5.00"))],
        )


def test_the_lowest_balances_are_one_query_however_many_vouchers(
    year, user, union, django_assert_num_queries
):
    for month in range(1, 13):
        receive(union, user, f"2012-{month:02d}-10", "10.00")
        pay(union, user, f"2012-{month:02d}-20", "60.00")
    with django_assert_num_queries(1):
        lowest = cash_bank.lowest_balances(year=year, start=d("2012-06-15"))
    # cash opens 06-15 at 1000 + 6×10 − 5×60 = 760, and is lowest after the last payment: 1000 + 120 − 720
    assert lowest == {
        "cash": cash_bank.Lowest(40000, d("2012-12-20")),
        "bank": cash_bank.Lowest(900000, d("2012-06-15")),
    }
    with django_assert_num_queries(1):
        assert cash_bank.lowest_balances(year=year, start=d("2012-12-31"))["cash"] == cash_bank.Lowest(
            40000, d("2012-12-31")
        )


def post_behind_the_services_back(year, user, date, lines):
    """Books from before this check: a balanced voucher posted as the database still allows."""
    voucher = Voucher.objects.create(year=year, date=d(date), summary="旧账", prepared_by=user)
    VoucherLine.objects.bulk_create(
        VoucherLine(
            voucher=voucher,
            position=n,
            account=Account.objects.get(code=code, union=None),
            debit=money(Decimal(debit)),
            credit=money(Decimal(credit)),
        )
        for n, (code, debit, credit) in enumerate(lines, start=1)
    )
    month = d(date).month
    number = (Voucher.objects.filter(year=year, month=month).aggregate(n=Max("number"))["n"] or 0) + 1
    Voucher.objects.filter(pk=voucher.pk).update(
        state="posted", number=number, month=month, posted_by=user, posted_at=timezone.now()
    )
    year.next_number = number + 1
    year.save(update_fields=["next_number"])


def test_the_year_end_check_fails_on_a_day_below_zero_and_closing_is_refused(year, user, union):
    pay(union, user, "2012-12-31", "1000.00")
    post_behind_the_services_back(
        year, user, "2012-08-01", [("50102", "400.00", "0"), ("101", "0", "400.00")]
    )
    check = queries.year_checks(year)[-2]
    assert (check.title, check.ok, check.required) == (
        "库存现金和银行存款在年内任何一天都不为负数",
        False,
        True,
    )
    assert check.detail == (
        "库存现金最低日末余额-400.00（2012-12-31），其中低于零 -400.00，应为 0.00；"
        "银行存款最低日末余额9000.00（2012-01-01），其中低于零 0.00，应为 0.00"
    )
    before = snapshot()
    with pytest.raises(services.LedgerError, match="库存现金最低日末余额-400.00（2012-12-31）"):
        settle_year_end(year, user)
        services.close_year(year=year, user=user)
    assert snapshot() == before


def test_the_year_end_check_of_the_sample_year_passes(demo):
    check = queries.year_checks(demo)[-2]
    assert (check.title, check.ok) == ("库存现金和银行存款在年内任何一天都不为负数", True)


def test_what_posting_costs_is_pinned(year, user, union, django_assert_num_queries):
    """The check costs one query where money leaves cash or bank (the payment's own balance query is gone),
    none where it comes in. The month's 凭证号 is drawn by the UPDATE that posts the voucher."""
    with django_assert_num_queries(7):
        receive(union, user, "2012-03-01", "5.00")
    with django_assert_num_queries(8):
        pay(union, user, "2012-03-02", "5.00")
    with django_assert_num_queries(8):
        services.record_voucher(
            year=year,
            posted_by=user,
            date=d("2012-03-03"),
            summary="提现",
            lines=[L("101", debit="5.00"), L("102", credit="5.00")],
        )
