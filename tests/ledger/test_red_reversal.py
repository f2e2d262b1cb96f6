"""红字冲销 and numbers by month (issue 11, items 2 and 3), and the migration that moves books kept before.

A reversal repeats its original's lines on the same sides with negated amounts, so the 发生额 net out: a
wrong 830.00 and its reversal add up to 0 on the 贷 side of 会费收入. The migration turns old reversals (the
other side, positive) into red ones and numbers posted vouchers per month; every balance and report figure
stays exactly what it was.
"""

import importlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection, transaction

from ledger import backup, queries, services, totals
from ledger.models import AccountingYear, Voucher
from tests.conftest import d, payment, receipt, settle_year_end

migration = importlib.import_module("ledger.migrations.0012_red_reversal")


def _lines(voucher) -> list[tuple[str, Decimal, Decimal]]:
    return [
        (line.account.code, line.debit.amount, line.credit.amount)
        for line in voucher.lines.order_by("position")
    ]


def _row(year, code):
    return next(
        row for row in queries.trial_balance(year=year, include_zero=True) if row.account.code == code
    )


@pytest.mark.django_db
def test_a_reversal_repeats_the_lines_on_the_same_side_in_red(year, user):
    wrong = receipt(year, user, "2012-03-20", "401", "830.00", into="cash", summary="收会费")
    reversal = services.reverse_voucher(voucher=wrong, user=user, reason="金额录错", date=d("2012-03-21"))
    assert _lines(reversal) == [("101", Decimal("-830.00"), 0), ("401", 0, Decimal("-830.00"))]
    assert reversal.reverses == wrong and Voucher.objects.get(pk=wrong.pk).reversed_by == reversal
    assert reversal.summary == "冲销2012年3月 记-0001号凭证：金额录错"
    assert reversal.full_no == "2012年3月 记-0002"
    dues = _row(year, "401")
    assert (dues.debit, dues.credit, dues.closing) == (0, 0, 0)  # net 发生额: 830 + (−830)
    cash = _row(year, "101")
    assert (cash.debit, cash.credit, cash.closing) == (0, 0, Decimal("1000.00"))


@pytest.mark.django_db
def test_a_reversal_of_a_payment_gives_the_cash_back(year, user):
    paid = payment(year, user, "2012-05-01", "50101", "300.00", via="cash")
    services.reverse_voucher(voucher=paid, user=user, reason="重复", date=d("2012-05-02"))
    assert queries.year_summary(year).expense == 0
    assert _row(year, "101").closing == Decimal("1000.00")


@pytest.mark.django_db
def test_march_entered_after_december_is_numbered_within_march(year, user):
    december = receipt(year, user, "2012-12-05", "401", "10.00")
    march = [receipt(year, user, f"2012-03-{day:02d}", "401", "10.00") for day in (20, 3, 9)]
    assert december.full_no == "2012年12月 记-0001"
    assert [voucher.full_no for voucher in march] == [
        "2012年3月 记-0001",
        "2012年3月 记-0002",
        "2012年3月 记-0003",
    ]
    listed = [(v.month, v.number, v.date.day) for v in queries.vouchers(year=year)]
    # by date, then number; the opening is 1月 记-0001
    assert listed == [(1, 1, 1), (3, 2, 3), (3, 3, 9), (3, 1, 20), (12, 1, 5)]


@pytest.mark.django_db
def test_the_books_own_vouchers_are_red_too(year, user, admin):
    receipt(year, user, "2012-03-20", "401", "500.00")
    settle_year_end(year, user)
    following = services.close_year(year=year, user=user)
    services.reopen_year(year=AccountingYear.objects.get(pk=year.pk), user=admin, reason="补记")
    for reversal in Voucher.objects.filter(kind=Voucher.Kind.REVERSAL):
        for line in reversal.lines.all():
            assert line.debit.amount <= 0 and line.credit.amount <= 0
    year = AccountingYear.objects.get(pk=year.pk)
    summary = queries.year_summary(year)
    assert (summary.opening_funds, summary.income, summary.closing_funds) == (10000, 500, 10500)
    assert queries.year_summary(AccountingYear.objects.get(pk=following.pk)).opening_funds == 0


def _figures(year) -> tuple:
    year = AccountingYear.objects.get(pk=year.pk)
    rows = queries.trial_balance(year=year)
    summary = queries.year_summary(year)
    return (
        [(row.account.code, row.opening, row.closing) for row in rows],
        (
            summary.opening_funds,
            summary.income,
            summary.expense,
            summary.closing_funds,
            summary.cash_and_bank,
        ),
        [(leaf.account.code, leaf.closing_debit) for leaf in queries.leaf_balances(year=year)],
    )


def _old_style(year) -> None:
    """Books as they were kept before issue 11: reversals on the opposite side with positive amounts, and
    凭证号 running through the year in the order of posting."""
    with transaction.atomic(), migration.guards_suspended(connection), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_voucherline SET debit = -credit, credit = -debit"
            " WHERE voucher_id IN (SELECT id FROM ledger_voucher WHERE kind = 'reversal')"
        )
        for number, pk in enumerate(
            Voucher.objects.filter(year=year, state="posted")
            .order_by("posted_at", "id")
            .values_list("pk", flat=True),
            start=1,
        ):
            cursor.execute("UPDATE ledger_voucher SET number = %s WHERE id = %s", [number + 1000, pk])
        cursor.execute("UPDATE ledger_voucher SET number = number - 1000 WHERE year_id = %s", [year.pk])
    _totals_from_lines()


def _totals_from_lines() -> None:
    """The per-day totals (migration 0018, after this one) as they would be summed from the lines now: the raw
    writes here and the migration's run outside the services, which the totals' triggers do not see."""
    with transaction.atomic(), backup._guards_suspended():
        totals.rebuild()


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_old_reversals_red_and_numbers_by_month_with_every_figure_unchanged(year, user):
    receipt(year, user, "2012-12-05", "401", "830.00", into="cash")
    wrong = receipt(year, user, "2012-03-20", "401", "830.00", into="cash")
    payment(year, user, "2012-03-25", "50101", "100.00", via="bank")
    services.reverse_voucher(voucher=wrong, user=user, reason="录错", date=d("2012-12-06"))
    _old_style(year)
    reversal = Voucher.objects.get(kind=Voucher.Kind.REVERSAL)
    assert _lines(reversal) == [("101", 0, Decimal("830.00")), ("401", Decimal("830.00"), 0)]
    dues = _row(AccountingYear.objects.get(pk=year.pk), "401")
    assert (dues.debit, dues.credit) == (Decimal("830.00"), Decimal("1660.00"))  # inflated 发生额
    assert list(Voucher.objects.filter(year=year).order_by("id").values_list("number", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]
    before = _figures(year)

    with transaction.atomic():
        migration.forwards(apps, SimpleNamespace(connection=connection))
    _totals_from_lines()

    assert _figures(year) == before
    assert _lines(Voucher.objects.get(kind=Voucher.Kind.REVERSAL)) == [
        ("101", 0 - Decimal("830.00"), 0),
        ("401", 0, Decimal("-830.00")),
    ]
    dues = _row(AccountingYear.objects.get(pk=year.pk), "401")
    assert (dues.debit, dues.credit) == (0, Decimal("830.00"))  # net
    numbers = sorted(Voucher.objects.filter(year=year).values_list("month", "number"))
    assert numbers == [(1, 1), (3, 1), (3, 2), (12, 1), (12, 2)]
    with transaction.atomic():  # a second run changes nothing
        migration.forwards(apps, SimpleNamespace(connection=connection))
    _totals_from_lines()
    assert _figures(year) == before
