"""Posting in bulk (``services.BulkPosting``, ``record_many``): every check of a single posting made for the whole
batch, each refusal in Chinese with nothing written; numbers gapless per month when bulk and single postings mix;
the per-day totals equal to the lines; a fixed number of statements a part, whatever its size."""

import pytest
from django.core.management import call_command
from django.db import connection

from ledger import services, totals
from ledger.errors import ClosedYear, LedgerError, NegativeBalance, UnknownAccount
from ledger.models import AuditEvent, DayTotal, Union, Voucher
from tests.conftest import d, settle_year_end, snapshot
from tests.ledger.test_day_totals import entries

L = services.Line


def books() -> tuple:
    return (snapshot(), list(DayTotal.objects.order_by("pk").values_list()), AuditEvent.objects.count())


def receipt(date: str, amount: str, into: str = "cash", summary: str = "会费", **kinds):
    return services.receipt_entry(
        date=d(date), account="401", amount=amount, into=into, summary=summary, **kinds
    )


def payment(date: str, amount: str, via: str = "cash", summary: str = "慰问"):
    return services.payment_entry(date=d(date), account="50102", amount=amount, via=via, summary=summary)


@pytest.fixture
def other_sub_account(db, user):
    """A 明细科目 of another union on the same chart: not this union's to use."""
    other = Union.objects.create(name="别的工会", slug="other-union", review_required=False)
    other_year = services.open_year(union=other, year=2012)
    parent = other_year.chart.accounts.get(code="50102", union__isnull=True)
    return services.add_sub_account(union=other, parent=parent, name="别家的慰问", code="5010201", user=user)


def test_each_check_refuses_the_batch_in_chinese_and_writes_nothing(year, union, user, other_sub_account):
    cases = [
        (
            services.Entry(
                date=d("2012-05-01"), summary="不平", lines=[L("101", debit="1.00"), L("401", credit="2.00")]
            ),
            "第2张凭证（2012-05-01 不平）：借贷不平衡：借方合计1.00，贷方合计2.00",
        ),
        (
            services.Entry(
                date=d("2013-01-02"), summary="跨年", lines=[L("101", debit="1.00"), L("401", credit="1.00")]
            ),
            "第2张凭证（2013-01-02 跨年）：凭证日期2013-01-02不在2012年度内",
        ),
        (
            services.Entry(
                date=d("2012-05-01"),
                summary="别家科目",
                lines=[L(other_sub_account.pk, debit="1.00"), L("101", credit="1.00")],
            ),
            f"第2张凭证（2012-05-01 别家科目）：科目不存在或不属于本工会的账套：{other_sub_account.pk}",
        ),
        (
            services.Entry(
                date=d("2012-05-01"),
                summary="一行",
                lines=[L("101", debit="1.00")],
            ),
            "第2张凭证（2012-05-01 一行）：一张记账凭证至少要有两行分录",
        ),
        (
            receipt("2012-05-01", "1.00", summary="类型", payer="某某", payer_kind="family"),
            "第2张凭证（2012-05-01 类型）：对方类型只能是“单位”或“个人”",
        ),
        (
            payment("2012-05-01", "1500.00", summary="超支"),
            "第2张凭证（2012-05-01）：库存现金余额不足：连同本批凭证，2012-05-01日末余额将为-490.00元；"
            "库存现金在任何一天都不能为负数",
        ),
    ]
    before = books()
    for bad, message in cases:
        with pytest.raises(LedgerError) as refused:
            services.record_many(year=year, entries=[receipt("2012-04-01", "10.00"), bad], user=user)
        assert refused.value.message == message
        assert books() == before


def test_a_closed_year_and_a_later_part_refuse_the_parts_before_too(year, union, user):
    before = books()
    with pytest.raises(
        UnknownAccount, match="^第3张凭证（2012-06-01 错）：科目不存在或不属于本工会的账套：999$"
    ):
        with services.bulk_posting(year=year, user=user) as bulk:
            assert len(bulk.post([receipt("2012-04-01", "10.00"), receipt("2012-05-01", "20.00")])) == 2
            bulk.post(
                [
                    services.Entry(
                        date=d("2012-06-01"), summary="错", lines=[L("101", debit="1"), L("999", credit="1")]
                    )
                ]
            )
    assert books() == before
    settle_year_end(year, user)
    services.close_year(year=year, user=user)
    before = books()
    with pytest.raises(ClosedYear, match="2012年度已结账"):
        services.record_many(year=year, entries=[receipt("2012-04-01", "10.00")], user=user)
    assert books() == before


def test_cash_is_checked_once_for_all_parts_by_their_joint_effect_on_every_day(year, union, user):
    """Cash opens at 1,000.00. A payment of 1,200.00 on 06-01 in the first part is covered by a receipt of 05-01 in
    the second: together they never take cash below zero, so the batch is posted."""
    with services.bulk_posting(year=year, user=user) as bulk:
        bulk.post([payment("2012-06-01", "1200.00")])
        bulk.post([receipt("2012-05-01", "300.00")])
    assert totals.differences() == []
    # The same payment without its receipt: refused at the end, named by the part's label, nothing kept.
    before = books()
    with pytest.raises(NegativeBalance) as refused:
        with services.bulk_posting(year=year, user=user) as bulk:
            bulk.post([receipt("2012-02-01", "5.00")], label=lambda n: "第2行")
            bulk.post([payment("2012-07-01", "200.00")], label=lambda n: "第3行")
    assert refused.value.message == (
        "第3行：库存现金余额不足：连同本批凭证，2012-07-01日末余额将为-95.00元；库存现金在任何一天都不能为负数"
    )
    assert books() == before


def test_numbers_stay_gapless_per_month_when_bulk_and_single_postings_mix(year, union, user):
    services.record_receipt(
        union=union, date=d("2012-03-05"), account="401", amount="1", into="bank", summary="单1", user=user
    )
    services.record_many(
        year=year,
        entries=[
            receipt("2012-03-01", "1", summary="批1"),
            receipt("2012-04-01", "1", summary="批2"),
            receipt("2012-03-09", "1", summary="批3"),
        ],
        user=user,
    )
    services.record_payment(
        union=union, date=d("2012-03-02"), account="50102", amount="1", via="bank", summary="单2", user=user
    )
    services.record_many(year=year, entries=entries(200, seed=5), user=user)
    services.record_receipt(
        union=union, date=d("2012-04-30"), account="401", amount="1", into="bank", summary="单3", user=user
    )
    numbered = list(
        Voucher.objects.filter(year=year)
        .order_by("month", "number")
        .values_list("month", "number", "summary")
    )
    for month in range(1, 13):
        numbers = [number for m, number, _ in numbered if m == month]
        assert numbers == list(range(1, len(numbers) + 1))
    march = [summary for m, _, summary in numbered if m == 3][:4]
    assert march == ["单1", "批1", "批3", "单2"]  # in the order posted, whatever the dates
    assert totals.differences() == []
    call_command("verify_books")  # the per-day totals equal the lines (raises CommandError when not)


def test_a_part_costs_the_same_statements_for_3_vouchers_as_for_300(
    year, union, user, django_assert_num_queries
):
    # SAVEPOINT, the year locked with its accounts, INSERT vouchers, INSERT lines, the months' last numbers, the
    # posting UPDATE, INSERT audit rows, RELEASE — and once for the batch the cash/bank check over the per-day totals.
    for batch in (entries(3, seed=1), entries(300, seed=2)):
        with django_assert_num_queries(9):
            services.record_many(year=year, entries=batch, user=user)
    assert totals.differences() == []


def test_the_payer_kind_goes_in_with_the_payer(year, union, user):
    (voucher,) = services.record_many(
        year=year, entries=[receipt("2012-04-01", "10.00", payer="检验科", payer_kind="unit")], user=user
    )
    assert Voucher.objects.values_list("counterparty", "counterparty_kind").get(pk=voucher.pk) == (
        "检验科",
        "unit",
    )
    single = services.record_payment(
        union=union,
        date=d("2012-04-02"),
        account="50102",
        amount="5",
        via="cash",
        summary="慰问",
        payee="张三",
        payee_kind="person",
        user=user,
    )
    assert (single.counterparty, single.counterparty_kind) == ("张三", "person")
    assert connection.vendor in ("sqlite", "postgresql")
