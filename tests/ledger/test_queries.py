import random
from decimal import Decimal

from ledger import queries, services
from ledger.models import Account
from tests.conftest import d


def test_sums_are_exact_to_the_fen_over_many_lines(year, user):
    """SQLite keeps DECIMAL as REAL; summing integer 分 keeps the total exact on both databases."""
    rng = random.Random(20121231)
    amounts = [Decimal(rng.randrange(1, 99_999_999)) / 100 for _ in range(3000)]
    # 30 vouchers of 100 lines: each stays below the 1亿元 a voucher may hold (ledger.money).
    for start in range(0, len(amounts), 100):
        part = amounts[start : start + 100]
        lines = [services.Line("50102", debit=amount) for amount in part]
        lines.append(services.Line("331", credit=sum(part, Decimal("0.00"))))
        services.record_voucher(
            year=year, posted_by=user, date=d("2012-06-30"), summary="大量分录", lines=lines
        )
    expense = Account.objects.get(code="50102", union=None)
    movement = queries.account_movement(year=year, account=expense)
    assert movement.debit == sum(amounts, Decimal("0.00"))
    assert movement.closing == sum(amounts, Decimal("0.00"))
    assert movement.debit.as_tuple().exponent == -2


def test_trial_balance_query_count_does_not_grow(demo, django_assert_num_queries):
    with django_assert_num_queries(3):
        rows = queries.trial_balance(year=demo)
    assert queries.trial_balance_totals(rows).balanced
    for day in range(1, 29):
        services.record_receipt(
            union=demo.union,
            date=d(f"2012-02-{day:02d}"),
            account="401",
            amount="1.11",
            into="cash",
            summary="会费",
            user=demo.vouchers.first().prepared_by,
        )
    with django_assert_num_queries(3):
        rows = queries.trial_balance(year=demo)
    assert {row.account.code: row.closing for row in rows}["401"] == Decimal("6231.08")


def test_account_movement_is_one_query(demo, django_assert_num_queries):
    cash = Account.objects.get(code="101", union=None)
    with django_assert_num_queries(1):
        movement = queries.account_movement(
            year=demo, account=cash, start=d("2012-04-01"), end=d("2012-06-30")
        )
    assert movement == queries.Movement(
        opening=Decimal("2348.40"),
        debit=Decimal("3550.00"),
        credit=Decimal("0.00"),
        closing=Decimal("5898.40"),
    )


def test_trial_balance_rolls_children_into_parents_and_totals_balance(demo):
    rows = {row.account.code: row for row in queries.trial_balance(year=demo)}
    assert rows["501"].debit == rows["50102"].debit + rows["50104"].debit == Decimal("6201.70")
    assert rows["50104"].closing == Decimal("5901.70")
    assert rows["5010402"].level == 3 and rows["50104"].level == 2 and rows["501"].level == 1
    totals = queries.trial_balance_totals(list(rows.values()))
    assert (totals.opening_debit, totals.opening_credit) == (Decimal("8721.40"), Decimal("8721.40"))
    assert (totals.debit, totals.credit) == (Decimal("67558.50"), Decimal("67558.50"))
    assert (totals.closing_debit, totals.closing_credit) == (Decimal("44921.40"), Decimal("44921.40"))
    assert rows["101"].direction == "借" and rows["331"].direction == "贷"
