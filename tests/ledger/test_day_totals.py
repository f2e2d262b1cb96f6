"""Posting at constant cost: the per-account-per-day totals the database keeps, the bulk service, the pinned counts.

The totals (``DayTotal``) are derived from the posted lines by triggers (migration 0018). These tests prove them
equal to a recomputation from the lines, that raw SQL cannot make them differ, that ``verify_books`` finds a
difference, and that posting costs the same number of queries in an empty year and after 5,000 vouchers.
"""

import datetime
import random
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from ledger import cash_bank, queries, services, totals
from ledger.errors import DateOutsideYear, NegativeBalance, UnbalancedVoucher, UnknownAccount
from ledger.models import AuditEvent, DayTotal, Union, Voucher, VoucherLine
from tests.conftest import d, settle_year_end, snapshot

L = services.Line
SPENDING = ("50101", "50102", "50205", "50302")


def books() -> tuple:
    """``snapshot`` and the per-day totals and the audit trail: what a refused batch must leave unchanged."""
    return (
        snapshot(),
        list(DayTotal.objects.order_by("pk").values_list()),
        AuditEvent.objects.count(),
    )


def receive(union, user, date, amount, into="bank", account="401"):
    return services.record_receipt(
        union=union, date=d(date), account=account, amount=amount, into=into, summary="会费", user=user
    )


def pay(union, user, date, amount, via="bank", account="50102"):
    return services.record_payment(
        union=union, date=d(date), account=account, amount=amount, via=via, summary="支出", user=user
    )


def entries(n: int, seed: int = 7, year: int = 2012) -> list[services.Entry]:
    """``n`` receipts and payments in date order, small enough never to take the fixture's cash or bank below 0."""
    rng = random.Random(seed)
    dates = sorted(datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(366)) for _ in range(n))
    made = []
    for number, date in enumerate(dates, start=1):
        if number % 5 == 0:
            made.append(
                services.receipt_entry(
                    date=date,
                    account="401",
                    amount=f"{rng.randint(100, 9999)}.{rng.randint(0, 99):02d}",
                    into="bank",
                    summary=f"收{number}",
                )
            )
        else:
            made.append(
                services.payment_entry(
                    date=date,
                    account=rng.choice(SPENDING),
                    amount=f"0.{rng.randint(1, 99):02d}",
                    via=rng.choice(["cash", "bank"]),
                    summary=f"付{number}",
                )
            )
    return made


def recomputed_leaves(year) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    """Each account's (opening, 借, 贷) summed straight from the lines, voucher by voucher in Python."""
    found: dict[str, list[Decimal]] = {}
    for line in VoucherLine.objects.filter(voucher__year=year, voucher__state="posted").select_related(
        "account", "voucher__reverses"
    ):
        voucher = line.voucher
        opening = voucher.kind == "opening" or (voucher.reverses and voucher.reverses.kind == "opening")
        row = found.setdefault(line.account.code, [Decimal("0.00")] * 3)
        if opening:
            row[0] += line.debit.amount - line.credit.amount
        else:
            row[1] += line.debit.amount
            row[2] += line.credit.amount
    return {code: tuple(values) for code, values in found.items()}


def leaves(year) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    return {
        leaf.account.code: (leaf.opening_debit, leaf.debit, leaf.credit)
        for leaf in queries.leaf_balances(year=year)
    }


# --- what posting costs ----------------------------------------------------------------------------------


def post_one_of_each(year, union, user, date: str) -> list[int]:
    """Counted as ``django_assert_num_queries`` counts (inside a test: SAVEPOINT and RELEASE for BEGIN, COMMIT)."""
    from django.test.utils import CaptureQueriesContext

    counts = []
    for post in (
        lambda: receive(union, user, date, "5.00"),
        lambda: pay(union, user, date, "5.00"),
        lambda: services.record_voucher(
            year=year,
            posted_by=user,
            date=d(date),
            summary="提现",
            lines=[L("101", debit="5.00"), L("102", credit="5.00")],
        ),
    ):
        with CaptureQueriesContext(connection) as captured:
            post()
        counts.append(len(captured.captured_queries))
    return counts


def test_a_receipt_a_payment_and_a_general_voucher_cost_the_same_after_5000_vouchers(year, union, user):
    # receipt: lock (year, accounts, last number), INSERT voucher, INSERT lines, UPDATE posted, INSERT audit;
    # payment and the withdrawal: one more, the per-day totals of cash and bank.
    assert post_one_of_each(year, union, user, "2012-03-01") == [7, 8, 8]

    services.record_many(year=year, entries=entries(5000), user=user)
    assert Voucher.objects.filter(year=year, state="posted").count() == 5004

    assert post_one_of_each(year, union, user, "2012-03-02") == [7, 8, 8]
    assert totals.differences() == []


def review_then_post_counts(union, user, checker, date: str) -> list[int]:
    """With review on: 制单 of a receipt and of a payment, then 记账 of each once reviewed, counted as above."""
    from django.test.utils import CaptureQueriesContext

    counts, drafts = [], []
    for enter in (lambda: receive(union, user, date, "5.00"), lambda: pay(union, user, date, "5.00")):
        with CaptureQueriesContext(connection) as captured:
            drafts.append(enter())
        counts.append(len(captured.captured_queries))
    for draft in drafts:
        assert draft.state == Voucher.State.DRAFT and draft.number is None
        reviewed = services.review_voucher(voucher=draft, user=checker)
        with CaptureQueriesContext(connection) as captured:
            posted = services.post_voucher(voucher=reviewed, posted_by=checker)
        counts.append(len(captured.captured_queries))
        assert posted.is_posted and posted.reviewed_by == checker
    return counts


def test_with_review_on_entering_is_only_making_and_posting_costs_the_same_after_5000(year, union, user):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from ledger import roles

    checker = get_user_model().objects.create_user("checker")
    checker.groups.add(Group.objects.get(name=roles.REVIEWER))
    union.members.add(checker)
    Union.objects.filter(pk=union.pk).update(review_required=True)
    union.refresh_from_db()
    # 制单 (receipt, payment): read, INSERT voucher, INSERT lines, INSERT audit — no lock, number or totals;
    # 记账 of the reviewed voucher: read (year locked), the voucher locked, its lines, UPDATE posted, audit; the
    # payment one more, the per-day totals of cash and bank.
    assert review_then_post_counts(union, user, checker, "2012-03-01") == [6, 6, 7, 8]

    services.record_many(year=year, entries=entries(5000), user=user)  # history: posted whatever the setting
    assert not Voucher.objects.filter(year=year).exclude(state="posted").exists()

    assert review_then_post_counts(union, user, checker, "2012-03-02") == [6, 6, 7, 8]
    assert totals.differences() == []


def test_the_lowest_balances_read_the_day_totals_not_the_lines(year, union, user, django_assert_num_queries):
    services.record_many(year=year, entries=entries(600), user=user)
    with django_assert_num_queries(1):
        movements = cash_bank.daily_movements(year=year, start=d("2012-06-01"))
    assert len(movements["cash"]) <= 215 and len(movements["bank"]) <= 215
    # the same figure as walking every posted line of cash and bank
    lines = VoucherLine.objects.filter(voucher__year=year, voucher__state="posted")
    for key, code in (("cash", "101"), ("bank", "102")):
        running, low = 0, None
        by_day: dict[datetime.date, int] = {}
        for line in lines.filter(account__code__startswith=code).select_related("voucher"):
            day = max(line.voucher.date, d("2012-06-01"))
            by_day[day] = by_day.get(day, 0) + int((line.debit.amount - line.credit.amount) * 100)
        for day in sorted(by_day):
            running += by_day[day]
            if low is None or running < low.fen or day == d("2012-06-01"):
                low = cash_bank.Lowest(running, day)
        assert cash_bank.lowest_balances(year=year, start=d("2012-06-01"))[key] == low


# --- bulk posting ----------------------------------------------------------------------------------------


def test_bulk_posting_gives_the_figures_and_numbers_of_posting_one_by_one(year, union, user):
    batch = entries(300, seed=11)
    services.record_many(year=year, entries=batch, user=user)

    other = Union.objects.create(name="逐张记账工会", slug="one-by-one", review_required=False)
    one_year = services.open_year(union=other, year=2012)
    services.record_opening_balances(
        year=one_year, balances={"101": "1000.00", "102": "9000.00", "331": "10000.00"}, user=user
    )
    for entry in batch:
        services.record_voucher(
            year=one_year,
            posted_by=user,
            date=entry.date,
            summary=entry.summary,
            lines=entry.lines,
            counterparty=entry.counterparty,
        )

    def figures(year_):
        return [
            (row.account.code, row.opening, row.debit, row.credit, row.closing)
            for row in queries.trial_balance(year=year_)
        ]

    assert figures(year) == figures(one_year)

    def numbered(year_):
        return list(
            Voucher.objects.filter(year=year_)
            .order_by("month", "number")
            .values_list("month", "number", "summary")
        )

    # gapless per month, in the batch's order within each month, as posting one by one numbers them
    assert numbered(year) == numbered(one_year)
    for month in range(1, 13):
        numbers = [number for m, number, _ in numbered(year) if m == month]
        assert numbers == list(range(1, len(numbers) + 1))
    in_order = [summary for _, _, summary in numbered(year) if summary != "期初余额"]
    assert in_order == [entry.summary for entry in sorted(batch, key=lambda e: e.date.month)]
    for action in (AuditEvent.Action.VOUCHER_CREATED, AuditEvent.Action.VOUCHER_POSTED):
        assert AuditEvent.objects.filter(union=union, action=action).count() == 301
    assert not Voucher.objects.filter(year=year, reviewed_by__isnull=False).exists()  # 未经他人审核
    assert totals.differences() == []
    assert leaves(year) == recomputed_leaves(year)


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        (
            services.Entry(
                date=d("2012-05-01"),
                summary="错科目",
                lines=[L("101", debit="1.00"), L("999", credit="1.00")],
            ),
            UnknownAccount,
            "第3张凭证（2012-05-01 错科目）：科目不存在或不属于本工会的账套：999",
        ),
        (
            services.Entry(
                date=d("2012-05-01"), summary="不平", lines=[L("101", debit="1.00"), L("401", credit="2.00")]
            ),
            UnbalancedVoucher,
            "第3张凭证（2012-05-01 不平）：借贷不平衡：借方合计1.00，贷方合计2.00",
        ),
        (
            services.Entry(
                date=d("2013-01-02"), summary="跨年", lines=[L("101", debit="1.00"), L("401", credit="1.00")]
            ),
            DateOutsideYear,
            "第3张凭证（2013-01-02 跨年）：凭证日期2013-01-02不在2012年度内",
        ),
        (
            services.payment_entry(
                date=d("2012-05-01"), account="401", amount="1.00", via="cash", summary="收入科目"
            ),
            UnknownAccount,
            "第3张凭证（2012-05-01 收入科目）：“会费收入”不是支出科目",
        ),
    ],
)
def test_one_bad_voucher_refuses_the_whole_batch_and_names_it(year, union, user, bad, error, message):
    good = entries(4, seed=3)
    before = books()
    with pytest.raises(error) as refused:
        services.record_many(year=year, entries=[good[0], good[1], bad, good[2]], user=user)
    assert refused.value.message == message
    assert books() == before


def test_a_batch_that_takes_cash_below_zero_on_any_day_is_refused_whole(year, union, user):
    """Cash opens at 1,000.00. Together, the batch's payments of 06-01 and 09-01 spend 1,200.00; a receipt of
    07-01 in the same batch covers the first, and the 12-31 receipt comes too late for the second."""
    batch = [
        services.payment_entry(
            date=d("2012-06-01"), account="50102", amount="900.00", via="cash", summary="慰问"
        ),
        services.receipt_entry(
            date=d("2012-07-01"), account="401", amount="100.00", into="cash", summary="会费"
        ),
        services.payment_entry(
            date=d("2012-09-01"), account="50102", amount="300.00", via="cash", summary="活动"
        ),
        services.receipt_entry(
            date=d("2012-12-31"), account="401", amount="500.00", into="cash", summary="会费"
        ),
    ]
    before = books()
    with pytest.raises(NegativeBalance) as refused:
        services.record_many(year=year, entries=batch, user=user)
    assert refused.value.message == (
        "第3张凭证（2012-09-01）：库存现金余额不足：连同本批凭证，2012-09-01日末余额将为-100.00元；"
        "库存现金在任何一天都不能为负数"
    )
    assert books() == before
    # The same vouchers in another order are the same change, and a day's vouchers count together.
    services.record_many(year=year, entries=[batch[1], batch[0], batch[3]], user=user)
    assert cash_bank.lowest_balances(year=year, start=d("2012-01-01"))["cash"] == cash_bank.Lowest(
        10000, d("2012-06-01")
    )


def test_an_empty_batch_writes_nothing(year, user, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert services.record_many(year=year, entries=[], user=user) == []


def test_a_closed_year_refuses_a_batch(year, union, user):
    settle_year_end(year, user)
    services.close_year(year=year, user=user)
    before = books()
    with pytest.raises(services.LedgerError, match="2012年度已结账"):
        services.record_many(year=year, entries=entries(3), user=user)
    assert books() == before


def _demo_figures(year) -> tuple:
    summary = queries.year_summary(year)
    return (summary.opening_funds, summary.income, summary.expense, summary.closing_funds)


def _gapless_by_month(year) -> None:
    for month in range(1, 13):
        numbers = list(year.vouchers.filter(month=month).order_by("number").values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))


def test_the_demo_loads_with_its_figures_and_totals(demo):
    assert _demo_figures(demo) == (
        Decimal("8721.40"),
        Decimal("36200.00"),
        Decimal("29358.50"),
        Decimal("15562.90"),
    )
    assert totals.differences() == []
    _gapless_by_month(demo)


def test_the_demo_file_without_a_reviewer_posts_through_the_bulk_service(db, user, demo_file_posted):
    year = demo_file_posted
    assert not year.union.review_required
    assert _demo_figures(year) == (
        Decimal("8721.40"),
        Decimal("36200.00"),
        Decimal("29358.50"),
        Decimal("15562.90"),
    )
    assert totals.differences() == []
    _gapless_by_month(year)
    vouchers = year.vouchers.exclude(kind="opening")
    assert vouchers.filter(state="posted").count() == vouchers.count() > 0
    assert not vouchers.filter(reviewed_by__isnull=False).exists()  # posted by its preparer: 未经他人审核
    assert vouchers.filter(kind="reversal").count() == 1  # the corrected receipt and its 红字冲销


@pytest.fixture
def demo_file_posted(db, user):
    from ledger.demo import load_year_file
    from ledger.management.commands.load_demo import DEMO_FILE
    from ledger.models import AccountingYear

    union = load_year_file(DEMO_FILE, user=user)
    return AccountingYear.objects.select_related("union").get(union=union, year=2012)


# --- raw SQL cannot make the totals differ from the lines ------------------------------------------------


def raw(sql: str, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_totals_refuse_direct_writes(year, union, user):
    receive(union, user, "2012-03-01", "5.00")
    row = DayTotal.objects.filter(year=year).order_by("pk").first()
    before = list(DayTotal.objects.order_by("pk").values_list())
    for sql, params in [
        ("UPDATE ledger_daytotal SET debit_fen = debit_fen + 1 WHERE id = %s", [row.pk]),
        ("UPDATE ledger_daytotal SET line_count = line_count + 1 WHERE id = %s", [row.pk]),
        ("UPDATE ledger_daytotal SET date = %s WHERE id = %s", ["2012-03-02", row.pk]),
        ("DELETE FROM ledger_daytotal WHERE id = %s", [row.pk]),
        (
            "INSERT INTO ledger_daytotal (year_id, account_id, date, part, debit_fen, credit_fen) "
            "VALUES (%s, %s, '2012-04-01', 'normal', 100, 0)",
            [year.pk, row.account_id],
        ),
        (
            "INSERT INTO ledger_daytotal (year_id, account_id, date, part, debit_fen, credit_fen, line_count) "
            "VALUES (%s, %s, '2012-04-01', 'normal', 0, 0, 1)",
            [year.pk, row.account_id],
        ),
    ]:
        with pytest.raises(IntegrityError, match="科目日发生额由记账自动维护"):
            raw(sql, params)
    assert list(DayTotal.objects.order_by("pk").values_list()) == before


def test_sqlite_refuses_a_replace_that_would_change_a_total(year, union, user):
    if connection.vendor != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    receive(union, user, "2012-03-01", "5.00")
    row = DayTotal.objects.filter(year=year, date=d("2012-03-01"), debit_fen__gt=0).get()
    with pytest.raises(IntegrityError, match="科目日发生额由记账自动维护"):
        raw(
            "INSERT OR REPLACE INTO ledger_daytotal (id, year_id, account_id, date, part, debit_fen, credit_fen) "
            "VALUES (%s, %s, %s, %s, %s, 1, 0)",
            [row.pk, row.year_id, row.account_id, row.date, row.part],
        )


def test_posted_lines_cannot_change_under_the_totals(year, union, user):
    voucher = receive(union, user, "2012-03-01", "5.00")
    with pytest.raises(IntegrityError):
        raw("UPDATE ledger_voucherline SET debit = 6 WHERE voucher_id = %s AND position = 1", [voucher.pk])
    with pytest.raises(IntegrityError):
        raw("UPDATE ledger_voucher SET date = '2012-03-02' WHERE id = %s", [voucher.pk])
    assert totals.differences() == []


# --- verify_books -----------------------------------------------------------------------------------------


def tamper(year_id: int, account_id: int, date: str) -> None:
    """What only someone who switches the guard off can do: add a cent to a total behind the books' back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # no triggers, as a superuser may
            cursor.execute(
                "UPDATE ledger_daytotal SET credit_fen = credit_fen + 1 "
                "WHERE year_id = %s AND account_id = %s AND date = %s",
                [year_id, account_id, date],
            )
            cursor.execute("SET LOCAL session_replication_role = origin")
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'ledger_daytotal_update_verified'")
            (create,) = cursor.fetchone()
            cursor.execute("DROP TRIGGER ledger_daytotal_update_verified")
            cursor.execute(
                "UPDATE ledger_daytotal SET credit_fen = credit_fen + 1 "
                "WHERE year_id = %s AND account_id = %s AND date = %s",
                [year_id, account_id, date],
            )
            cursor.execute(create)


def test_verify_books_agrees_with_the_demo_and_finds_a_tampered_cent(demo, capsys):
    call_command("verify_books", "--union", "blzq-hospital", "--year", "2012")
    assert "科目日发生额与分录一致（核对 1 个会计年度）" in capsys.readouterr().out
    call_command("verify_books")
    assert "全部账套：科目日发生额与分录一致" in capsys.readouterr().out

    member_fees = queries.year_accounts(demo).get(code="401")
    tamper(demo.pk, member_fees.pk, "2012-06-29")
    with pytest.raises(CommandError, match="blzq-hospital 2012年度：科目日发生额有 1 处与分录不符"):
        call_command("verify_books", "--union", "blzq-hospital", "--year", "2012")
    out = capsys.readouterr().out
    assert out == (
        "blzq-hospital 2012年度 2012-06-29 科目401（normal）：记录 借0.00 贷1550.01 1笔，按分录重算 借0.00 贷1550.00 1笔\n"
    )


def test_verify_books_refuses_half_a_scope(db):
    with pytest.raises(CommandError, match="--union 和 --year 须同时给出"):
        call_command("verify_books", "--union", "blzq-hospital")
    with pytest.raises(CommandError, match="没有简称为“nowhere”的工会"):
        call_command("verify_books", "--union", "nowhere", "--year", "2012")


def test_postgresql_samples_the_union_year_key_ten_times_more(db):
    """Migration 0023: ANALYZE samples 300,000 rows of the vouchers' and the per-day totals' ``year_id``, so the
    planner sees each of thousands of union-years at about its size (see the migration)."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner statistic; SQLite has none to set")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attrelid::regclass::text, attstattarget FROM pg_attribute "
            "WHERE attname = 'year_id' AND attrelid IN ('ledger_voucher'::regclass, 'ledger_daytotal'::regclass) "
            "ORDER BY 1"
        )
        assert cursor.fetchall() == [("ledger_daytotal", 1000), ("ledger_voucher", 1000)]
