"""Worked examples of the services, and every refusal leaving the books exactly as they were."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from ledger import queries, services
from ledger.errors import (
    AmountError,
    ClosedYear,
    DateOutsideYear,
    LedgerError,
    PostedVoucherImmutable,
    UnbalancedVoucher,
    UnknownAccount,
)
from ledger.models import Account, AccountingYear, AuditEvent, Union, Voucher
from tests.conftest import d, settle_year_end, snapshot


def balance(year, code, **kwargs) -> Decimal:
    account = queries.year_accounts(year).get(code=code)
    return queries.account_movement(year=year, account=account, **kwargs).closing


def test_receipt_posts_a_balanced_voucher_with_the_next_number(year, user, union):
    voucher = services.record_receipt(
        union=union,
        date=d("2012-03-30"),
        account="401",
        amount="1550.00",
        into="cash",
        summary="收第一季度会员会费",
        user=user,
        payer="全体会员",
    )
    assert voucher.state == Voucher.State.POSTED
    assert (voucher.month, voucher.number) == (3, 1)  # numbered within March; the opening is 1月 记-0001
    assert voucher.full_no == "2012年3月 记-0001"
    assert voucher.voucher_no == "记-0001"
    assert voucher.posted_by == user and voucher.prepared_by == user
    assert voucher.counterparty == "全体会员"
    lines = [(line.account.code, line.debit.amount, line.credit.amount) for line in voucher.lines.all()]
    assert lines == [
        ("101", Decimal("1550.00"), Decimal("0.00")),
        ("401", Decimal("0.00"), Decimal("1550.00")),
    ]
    assert balance(year, "101") == Decimal("2550.00")
    assert balance(year, "401") == Decimal("1550.00")


def test_payment_into_a_sub_account_counts_in_its_parents(year, user, union):
    parent = Account.objects.get(code="50104", union=None)
    festival = services.add_sub_account(union=union, parent=parent, name="三八妇女节活动", user=user)
    assert festival.code == "5010401" and festival.type == "expense"
    services.record_payment(
        union=union,
        date=d("2012-03-08"),
        account=festival,
        amount="723.00",
        via="bank",
        summary="三八节",
        user=user,
    )
    assert balance(year, "5010401") == Decimal("723.00")
    assert balance(year, "50104") == Decimal("723.00")
    assert balance(year, "501") == Decimal("723.00")
    assert balance(year, "102") == Decimal("8277.00")


def test_account_movement_over_a_date_range(year, user, union):
    for date, amount in [("2012-02-01", "100.00"), ("2012-05-01", "200.00"), ("2012-09-01", "400.00")]:
        services.record_receipt(
            union=union, date=d(date), account="401", amount=amount, into="bank", summary="会费", user=user
        )
    bank = Account.objects.get(code="102", union=None)
    movement = queries.account_movement(year=year, account=bank, start=d("2012-03-01"), end=d("2012-06-30"))
    assert movement == queries.Movement(
        opening=Decimal("9100.00"),
        debit=Decimal("200.00"),
        credit=Decimal("0.00"),
        closing=Decimal("9300.00"),
    )


def test_voucher_numbers_are_gapless_and_per_union_and_month(year, user, union):
    other = Union.objects.create(name="另一工会", slug="other", review_required=False)
    other_year = services.open_year(union=other, year=2012)
    lines = [services.Line("101", debit="1.00"), services.Line("401", credit="1.00")]
    numbers = []
    for _ in range(3):
        numbers.append(
            services.record_voucher(
                year=year, posted_by=user, date=d("2012-01-05"), summary="x", lines=lines
            ).number
        )
    assert numbers == [2, 3, 4]  # January: the opening is 1月 记-0001
    first_other = services.record_voucher(
        year=other_year, posted_by=user, date=d("2012-01-05"), summary="x", lines=lines
    )
    assert first_other.number == 1
    draft = services.create_voucher(
        year=year, date=d("2012-01-06"), summary="draft", lines=lines, prepared_by=user
    )
    services.delete_draft(voucher=draft, user=user)
    assert (
        services.record_voucher(
            year=year, posted_by=user, date=d("2012-01-07"), summary="x", lines=lines
        ).number
        == 5
    )


def test_reversal_mirrors_the_original_and_points_at_it(year, user, union):
    payment = services.record_payment(
        union=union,
        date=d("2012-05-15"),
        account="508",
        amount="1000.00",
        via="bank",
        summary="捐赠",
        user=user,
    )
    before = snapshot()
    reversal = services.reverse_voucher(voucher=payment, user=user, reason="重复录入", date=d("2012-05-16"))
    assert reversal.kind == Voucher.Kind.REVERSAL and reversal.reverses == payment
    assert payment.reversed_by == reversal
    assert "冲销2012年5月 记-0001号凭证：重复录入" == reversal.summary
    lines = [(line.account.code, line.debit.amount, line.credit.amount) for line in reversal.lines.all()]
    assert lines == [  # 红字: the same sides, the amounts negated
        ("508", Decimal("-1000.00"), Decimal("0.00")),
        ("102", Decimal("0.00"), Decimal("-1000.00")),
    ]
    assert balance(year, "508") == Decimal("0.00")
    assert balance(year, "102") == Decimal("9000.00")
    # The original is untouched.
    assert [row for row in before[0] if row[0] == payment.pk] == [
        row for row in snapshot()[0] if row[0] == payment.pk
    ]
    with pytest.raises(LedgerError, match="已经冲销过"):
        services.reverse_voucher(voucher=payment, user=user, reason="again")
    with pytest.raises(LedgerError, match="红字冲销凭证不能冲销"):
        services.reverse_voucher(voucher=reversal, user=user, reason="again")
    actions = list(
        AuditEvent.objects.filter(action=AuditEvent.Action.VOUCHER_REVERSED).values_list("summary", flat=True)
    )
    assert actions == ["2012年5月 记-0001由2012年5月 记-0002红字冲销：重复录入"]


def test_close_year_carries_balances_and_locks_the_year(year, user, union):
    services.record_receipt(
        union=union,
        date=d("2012-06-01"),
        account="405",
        amount="30000.00",
        into="bank",
        summary="补助",
        user=user,
    )
    services.record_payment(
        union=union,
        date=d("2012-07-01"),
        account="50102",
        amount="300.00",
        via="cash",
        summary="七一",
        user=user,
    )
    settle_year_end(year, user)
    following = services.close_year(year=year, user=user)
    year.refresh_from_db()
    assert year.is_closed and year.closed_by == user
    closing = Voucher.objects.get(year=year, kind=Voucher.Kind.CLOSING)
    assert closing.date == d("2012-12-31")
    assert balance(year, "405") == Decimal("0.00")
    assert balance(year, "50102") == Decimal("0.00")
    assert balance(year, "331") == Decimal("39700.00")
    # Income and spending of the year, before closing, are still there for reports.
    assert balance(year, "405", include_closing=False) == Decimal("30000.00")
    assert following.year == 2013 and not following.is_closed
    opening = Voucher.objects.get(year=following, kind=Voucher.Kind.OPENING)
    assert opening.number == 1 and opening.date == d("2013-01-01")
    assert balance(following, "101") == Decimal("700.00")
    assert balance(following, "102") == Decimal("39000.00")
    assert balance(following, "331") == Decimal("39700.00")
    rows = queries.trial_balance(year=following)
    assert queries.trial_balance_totals(rows).balanced
    with pytest.raises(ClosedYear, match="2012年度已结账"):
        services.record_receipt(
            union=union,
            date=d("2012-12-30"),
            account="401",
            amount="1.00",
            into="cash",
            summary="x",
            user=user,
        )
    with pytest.raises(ClosedYear, match="已经结账"):
        settle_year_end(year, user)
        services.close_year(year=year, user=user)


def test_close_year_refuses_with_drafts(year, user):
    services.create_voucher(
        year=year,
        date=d("2012-02-02"),
        summary="草稿",
        lines=[services.Line("101", debit="1.00"), services.Line("102", credit="1.00")],
        prepared_by=user,
    )
    before = snapshot()
    with pytest.raises(
        LedgerError, match="本年度的凭证都已审核并记账（未审核或未记账的凭证（张） 1，应为 0）"
    ):
        settle_year_end(year, user)
        services.close_year(year=year, user=user)
    assert snapshot() == before


def test_sample_year_balances_with_the_sample_closing_balance(demo):
    rows = queries.trial_balance(year=demo)
    assert queries.trial_balance_totals(rows).balanced
    by_code = {row.account.code: row for row in rows}
    assert by_code["101"].closing + by_code["102"].closing == Decimal("15562.90")
    assert by_code["101"].opening + by_code["102"].opening == Decimal("8721.40")
    assert by_code["401"].closing == Decimal("6200.00")
    assert by_code["405"].closing == Decimal("30000.00")
    assert by_code["5"[0] + "01"].closing + by_code["508"].closing == Decimal("29358.50")
    own = {row.account.name: row.closing for row in rows if row.account.union_id}
    assert own == {
        "三八妇女节活动": Decimal("723.00"),
        "职工元旦活动": Decimal("5178.70"),
        "庆“七一”文艺汇演": Decimal("300.00"),
        "乡村扶贫点等捐赠及慰问": Decimal("23156.80"),
    }
    by_month: dict[int, list[int]] = {}
    for month, number in (
        Voucher.objects.filter(year=demo).order_by("month", "number").values_list("month", "number")
    ):
        by_month.setdefault(month, []).append(number)
    assert all(
        numbers == list(range(1, len(numbers) + 1)) for numbers in by_month.values()
    )  # gapless per month
    assert by_month[12] == [1, 2, 3, 4, 5, 6]  # with the mistyped receipt and its 红字冲销


# --- bad input: a clear Chinese error and nothing written --------------------------------------------


def lines(debit="100.00", credit="100.00"):
    return [services.Line("101", debit=debit), services.Line("401", credit=credit)]


BAD_VOUCHERS = [
    ({"lines": lines(credit="99.99")}, UnbalancedVoucher, "借贷不平衡"),
    ({"lines": lines()[:1]}, UnbalancedVoucher, "至少要有两行"),
    ({"lines": []}, UnbalancedVoucher, "至少要有两行"),
    ({"lines": lines("0.00", "0.00")}, AmountError, "借方和贷方必须且只能填一方"),
    ({"lines": lines("-100.00", "-100.00")}, AmountError, "金额必须大于零"),
    ({"lines": lines(Decimal("100.001"), Decimal("100.001"))}, AmountError, "两位小数"),
    ({"lines": lines(100.0, 100.0)}, AmountError, "浮点数"),
    ({"lines": lines(Decimal("NaN"), Decimal("NaN"))}, AmountError, "有限"),
    (
        {"lines": [services.Line("101", debit="5.00", credit="5.00"), services.Line("401", credit="0.00")]},
        AmountError,
        "只能填一方",
    ),
    (
        {"lines": [services.Line("999", debit="1.00"), services.Line("401", credit="1.00")]},
        UnknownAccount,
        "科目不存在",
    ),
    (
        {"lines": [services.Line(10**9, debit="1.00"), services.Line("401", credit="1.00")]},
        UnknownAccount,
        "科目不存在",
    ),
    ({"date": d("2013-01-01")}, DateOutsideYear, "不在2012年度内"),
    ({"date": d("2011-12-31")}, DateOutsideYear, "不在2012年度内"),
    ({"summary": "  "}, LedgerError, "摘要不能为空"),
    ({"summary": "长" * 201}, LedgerError, "不能超过200字"),
]


@pytest.mark.parametrize(("change", "error", "message"), BAD_VOUCHERS)
def test_bad_vouchers_are_refused_and_write_nothing(year, user, change, error, message):
    before = snapshot()
    fields = {"date": d("2012-04-01"), "summary": "测试", "lines": lines()} | change
    with pytest.raises(error, match=message):
        services.record_voucher(year=year, posted_by=user, **fields)
    assert snapshot() == before


def test_another_unions_sub_account_is_unknown(year, user, union):
    other = Union.objects.create(name="另一工会", slug="other")
    theirs = services.add_sub_account(
        union=other, parent=Account.objects.get(code="508", union=None), name="捐赠"
    )
    before = snapshot()
    with pytest.raises(UnknownAccount):
        services.record_payment(
            union=union,
            date=d("2012-04-01"),
            account=theirs,
            amount="1.00",
            via="bank",
            summary="x",
            user=user,
        )
    assert snapshot() == before


BAD_RECEIPTS = [
    ({"amount": "0"}, AmountError, "大于零"),
    ({"amount": "-5.00"}, AmountError, "大于零"),
    ({"amount": "1.234"}, AmountError, "两位小数"),
    ({"amount": 12.5}, AmountError, "浮点数"),
    ({"amount": "abc"}, AmountError, "格式不正确"),
    ({"account": "508"}, UnknownAccount, "不是收入科目"),
    ({"account": "nope"}, UnknownAccount, "科目不存在"),
    ({"into": "wallet"}, LedgerError, "现金或银行存款"),
    ({"date": d("2013-02-01")}, LedgerError, "尚未建立2013年度的账套"),
    ({"summary": ""}, LedgerError, "摘要不能为空"),
]


@pytest.mark.parametrize(("change", "error", "message"), BAD_RECEIPTS)
def test_bad_receipts_are_refused_and_write_nothing(year, user, union, change, error, message):
    before = snapshot()
    fields = {
        "date": d("2012-04-01"),
        "account": "401",
        "amount": "10.00",
        "into": "cash",
        "summary": "会费",
    } | change
    with pytest.raises(error, match=message):
        services.record_receipt(union=union, user=user, **fields)
    assert snapshot() == before


BAD_PAYMENTS = [
    ({"amount": "0.00"}, AmountError, "大于零"),
    ({"amount": "1000.01"}, LedgerError, "库存现金余额不足"),
    ({"account": "401"}, UnknownAccount, "不是支出科目"),
    ({"via": ""}, LedgerError, "现金或银行存款"),
]


@pytest.mark.parametrize(("change", "error", "message"), BAD_PAYMENTS)
def test_bad_payments_are_refused_and_write_nothing(year, user, union, change, error, message):
    before = snapshot()
    fields = {
        "date": d("2012-04-01"),
        "account": "508",
        "amount": "10.00",
        "via": "cash",
        "summary": "捐赠",
    } | change
    with pytest.raises(error, match=message):
        services.record_payment(union=union, user=user, **fields)
    assert snapshot() == before


def test_closed_year_refuses_every_write(year, user, union):
    voucher = services.record_receipt(
        union=union,
        date=d("2012-04-01"),
        account="401",
        amount="10.00",
        into="cash",
        summary="会费",
        user=user,
    )
    draft_lines = [services.Line("101", debit="1.00"), services.Line("102", credit="1.00")]
    settle_year_end(year, user)
    services.close_year(year=year, user=user)
    year.refresh_from_db()
    before = snapshot()
    with pytest.raises(ClosedYear):
        services.record_voucher(
            year=year, posted_by=user, date=d("2012-04-02"), summary="x", lines=draft_lines
        )
    with pytest.raises(ClosedYear):
        services.record_payment(
            union=union,
            date=d("2012-04-02"),
            account="508",
            amount="1.00",
            via="cash",
            summary="x",
            user=user,
        )
    with pytest.raises(LedgerError, match="已经录入期初余额|已结账"):
        services.record_opening_balances(year=year, balances={"101": "1.00", "331": "1.00"}, user=user)
    with pytest.raises(ClosedYear):
        services.reverse_voucher(voucher=voucher, user=user, reason="错", date=d("2012-05-01"))
    assert snapshot() == before


def test_posting_twice_and_deleting_posted_are_refused(year, user):
    voucher = services.record_voucher(
        year=year, posted_by=user, date=d("2012-04-02"), summary="x", lines=lines()
    )
    before = snapshot()
    with pytest.raises(PostedVoucherImmutable):
        services.post_voucher(voucher=voucher, posted_by=user)
    with pytest.raises(PostedVoucherImmutable):
        services.delete_draft(voucher=voucher, user=user)
    assert snapshot() == before


def test_opening_balances_must_balance_and_be_balance_sheet_accounts(union, user):
    year = services.open_year(union=union, year=2012)
    before = snapshot()
    with pytest.raises(UnbalancedVoucher):
        services.record_opening_balances(year=year, balances={"101": "100.00", "331": "99.00"}, user=user)
    with pytest.raises(UnknownAccount, match="期初余额只记资产、负债和净资产科目"):
        services.record_opening_balances(year=year, balances={"101": "100.00", "401": "100.00"}, user=user)
    assert snapshot() == before


def test_add_sub_account_refusals(union, user):
    other = Union.objects.create(name="另一工会", slug="other")
    parent = Account.objects.get(code="508", union=None)
    theirs = services.add_sub_account(union=other, parent=parent, name="捐赠")
    with pytest.raises(UnknownAccount):
        services.add_sub_account(union=union, parent=theirs, name="x")
    services.add_sub_account(union=union, parent=parent, name="捐赠")
    with pytest.raises(LedgerError, match="已有明细科目"):
        services.add_sub_account(union=union, parent=parent, name="捐赠")
    with pytest.raises(LedgerError, match="须以上级科目编码508开头"):
        services.add_sub_account(union=union, parent=parent, name="慰问", code="50901")
    with pytest.raises(LedgerError, match="不能为空"):
        services.add_sub_account(union=union, parent=parent, name=" ")


def test_open_year_uses_the_chart_in_force_and_is_idempotent(union):
    first = services.open_year(union=union, year=2012)
    assert services.open_year(union=union, year=2012) == first
    assert first.chart.code == "2009"
    assert AccountingYear.objects.filter(union=union).count() == 1
    with pytest.raises(LedgerError, match="会计年度不正确"):
        services.open_year(union=union, year=1800)


def test_services_record_the_audit_trail(year, user, union):
    voucher = services.record_receipt(
        union=union,
        date=d("2012-04-01"),
        account="401",
        amount="10.00",
        into="cash",
        summary="会费",
        user=user,
    )
    events = AuditEvent.objects.filter(object_type="Voucher", object_id=str(voucher.pk)).order_by("id")
    # Recorded and posted in one step: 制单 (with the lines) and 记账, written by one INSERT.
    assert [(e.action, e.username, e.union_id, e.summary) for e in events] == [
        ("voucher_created", "cashier", union.pk, "2012-04-01 会费"),
        ("voucher_posted", "cashier", union.pk, "2012年4月 记-0001 会费"),
    ]
    assert events[0].changes == {"lines": [["101", "10.00", "0.00"], ["401", "0.00", "10.00"]]}


def test_a_stranger_can_prepare_but_the_record_shows_who(year, union):
    clerk = get_user_model().objects.create_user("clerk")
    voucher = services.record_voucher(
        year=year, posted_by=clerk, date=d("2012-04-02"), summary="x", lines=lines()
    )
    assert voucher.prepared_by == clerk and voucher.posted_by == clerk
