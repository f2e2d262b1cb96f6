"""Many treasurers at once (PostgreSQL, real connections): voucher numbers stay unique and gapless within each
month, cash is
never spent twice, and one form posted in parallel makes one voucher."""

import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from ledger import queries, roles, services
from ledger.errors import NegativeBalance
from ledger.models import Account, Submission, Voucher
from ledger.submissions import new_token
from tests.conftest import d

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
VOUCHERS_PER_THREAD = 40


def test_parallel_posting_keeps_numbers_gapless_and_books_exact(year, user, union):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer; the concurrency proof runs in the PostgreSQL pass of CI")
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    amounts: list[Decimal] = []

    def treasurer(worker: int) -> None:
        try:
            start.wait()
            for n in range(VOUCHERS_PER_THREAD):
                amount = Decimal(f"{worker + 1}.{n:02d}")
                if n % 2:
                    services.record_receipt(
                        union=union,
                        date=d("2012-05-01"),
                        account="401",
                        amount=amount,
                        into="bank",
                        summary=f"会费 {worker}-{n}",
                        user=user,
                    )
                else:
                    draft = services.create_voucher(
                        year=year,
                        date=d("2012-03-02"),
                        summary=f"转账 {worker}-{n}",
                        prepared_by=user,
                        lines=[services.Line("101", debit=amount), services.Line("408", credit=amount)],
                    )
                    services.post_voucher(voucher=draft, posted_by=user)
                amounts.append(amount)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=treasurer, args=(i,)) for i in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)

    assert errors == []
    total = THREADS * VOUCHERS_PER_THREAD

    def numbers(month: int) -> list[int]:
        return list(
            Voucher.objects.filter(year=year, month=month).order_by("number").values_list("number", flat=True)
        )

    # gapless within each month: the opening is 1月 记-0001; receipts in May, transfers in March
    assert numbers(1) == [1]
    assert numbers(3) == list(range(1, total // 2 + 1))
    assert numbers(5) == list(range(1, total // 2 + 1))
    assert Voucher.objects.filter(year=year, state="posted").count() == total + 1
    year.refresh_from_db()
    assert year.next_number == total + 2
    rows = queries.trial_balance(year=year)
    assert queries.trial_balance_totals(rows).balanced
    income = sum(amounts, Decimal("0.00"))
    closing = {row.account.code: row.closing for row in rows}
    assert closing["401"] + closing["408"] == income
    assert closing["101"] + closing["102"] == Decimal("10000.00") + income
    expected_dues = sum(
        (Decimal(f"{w + 1}.{n:02d}") for w in range(THREADS) for n in range(1, VOUCHERS_PER_THREAD, 2)),
        Decimal("0.00"),
    )
    dues = queries.account_movement(year=year, account=Account.objects.get(code="401", union=None))
    assert dues.closing == closing["401"] == expected_dues


def test_parallel_payments_cannot_spend_the_same_cash_twice(year, user, union):
    """Eight payments of 300.00 at once, on different days, against 1,000.00 of cash: three pass, never more."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer; the concurrency proof runs in the PostgreSQL pass of CI")
    start = threading.Barrier(THREADS)
    refused: list[str] = []
    errors: list[BaseException] = []

    def treasurer(worker: int) -> None:
        try:
            start.wait()
            services.record_payment(
                union=union,
                date=d(f"2012-{12 - worker:02d}-01"),
                account="50102",
                amount="300.00",
                via="cash",
                summary=f"活动 {worker}",
                user=user,
            )
        except NegativeBalance as error:
            refused.append(error.message)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=treasurer, args=(i,)) for i in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)

    assert errors == []
    assert len(refused) == THREADS - 3
    assert Voucher.objects.filter(year=year, summary__startswith="活动").count() == 3
    assert queries.year_summary(year).cash == Decimal("100.00")
    never_negative = next(
        c for c in queries.year_checks(year) if c.title == "库存现金和银行存款在年内任何一天都不为负数"
    )
    assert never_negative.ok is True


def test_the_same_form_posted_in_parallel_makes_one_voucher(year, user, union):
    """A double click that reaches two workers at once: one voucher, and every answer shows it."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer; the concurrency proof runs in the PostgreSQL pass of CI")
    user.groups.add(Group.objects.get(name=roles.TREASURER))
    signed_in = Client()
    signed_in.force_login(user)
    path = reverse("ledger:receipt", args=[union.slug, 2012])
    data = {
        "category": Account.objects.get(code="401", union=None).pk,
        "amount": "100.00",
        "date": "2012-06-01",
        "via": "cash",
        "summary": "并发提交",
        "token": new_token(),
    }
    start = threading.Barrier(THREADS)
    answers: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def double_click() -> None:
        client = Client()
        client.cookies = signed_in.cookies
        try:
            start.wait()
            response = client.post(path, data)
            answers.append((response.status_code, response.get("Location", "")))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=double_click) for _ in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)

    assert errors == []
    voucher = Voucher.objects.get(year=year, summary="并发提交")
    assert answers == [(302, reverse("ledger:voucher", args=[union.slug, 2012, voucher.pk]))] * THREADS
    assert list(Voucher.objects.filter(year=year).order_by("month").values_list("month", "number")) == [
        (1, 1),
        (6, 1),
    ]
    year.refresh_from_db()
    assert year.next_number == 3
    assert Submission.objects.get().voucher == voucher
    assert queries.year_summary(year).cash == Decimal("1100.00")
