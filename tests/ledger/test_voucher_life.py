"""制单 → 审核 → 记账: every transition of a voucher's life and every refusal (issue 11, item 1).

A refused step raises a ``LedgerError`` in Chinese and leaves the books exactly as they were (``snapshot``).
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from ledger import queries, roles, services
from ledger.errors import LedgerError, PostedVoucherImmutable
from ledger.models import AuditEvent, Union, Voucher
from tests.conftest import d, settle_year_end, snapshot

pytestmark = pytest.mark.django_db


def _member(union, username: str, role: str | None):
    person = get_user_model().objects.create_user(username, password="pw-unionledger-1")
    if role:
        person.groups.add(Group.objects.get(name=role))
    union.members.add(person)
    return person


@pytest.fixture
def reviewing(union, year, user):
    """The test union requiring review, its treasurer (`user`, 出纳/会计) and a reviewer (会计主管/审核)."""
    Union.objects.filter(pk=union.pk).update(review_required=True)
    union.refresh_from_db()
    year.refresh_from_db()
    user.groups.add(Group.objects.get(name=roles.TREASURER))
    return _member(union, "checker", roles.REVIEWER)


def _receipt(year, user, amount="1550.00", date="2012-03-30"):
    return services.record_receipt(
        union=year.union, date=d(date), account="401", amount=amount, into="cash", summary="收会费", user=user
    )


def _cash(year) -> object:
    return queries.account_movement(year=year, account=services.resolve_account(year, "101")).closing


def test_with_review_required_an_entry_waits_unreviewed_and_counts_nowhere(reviewing, year, user):
    cash_before = _cash(year)
    voucher = _receipt(year, user)
    assert (voucher.state, voucher.number, voucher.month) == (Voucher.State.DRAFT, None, None)
    assert voucher.get_state_display() == "未审核"
    assert _cash(year) == cash_before  # a draft never changes a balance
    assert queries.year_summary(year).income == 0
    assert list(queries.vouchers(year=year).filter(pk=voucher.pk)) == []
    assert voucher.voucher_no == "未编号"


def test_review_then_post(reviewing, year, user):
    checker = reviewing
    voucher = _receipt(year, user)
    voucher = services.review_voucher(voucher=voucher, user=checker)
    assert voucher.state == Voucher.State.REVIEWED
    assert voucher.reviewed_by == checker and voucher.reviewed_at is not None
    assert _cash(year) == 1000  # reviewed, not posted: still nowhere
    voucher = services.post_voucher(voucher=voucher, posted_by=checker)
    assert (voucher.state, voucher.full_no) == (Voucher.State.POSTED, "2012年3月 记-0001")
    assert not voucher.self_posted
    assert _cash(year) == 2550
    actions = list(
        AuditEvent.objects.filter(object_id=str(voucher.pk), object_type="Voucher")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["voucher_created", "voucher_reviewed", "voucher_posted"]


def test_a_reviewer_cannot_review_their_own_voucher(reviewing, year):
    checker = reviewing
    checker.groups.add(Group.objects.get(name=roles.TREASURER))
    voucher = _receipt(year, checker)
    before = snapshot()
    with pytest.raises(LedgerError, match="^不能审核自己填制的凭证，须由他人审核$"):
        services.review_voucher(voucher=voucher, user=checker)
    assert snapshot() == before


def test_only_the_reviewer_role_reviews(reviewing, year, user, union):
    voucher = _receipt(year, user)
    other_treasurer = _member(union, "second-cashier", roles.TREASURER)
    outsider = get_user_model().objects.create_user("stranger", password="pw-unionledger-1")
    outsider.groups.add(Group.objects.get(name=roles.REVIEWER))  # the role, but not a member of this union
    before = snapshot()
    for person in (other_treasurer, outsider):
        with pytest.raises(LedgerError, match="^只有会计主管/审核可以审核凭证$"):
            services.review_voucher(voucher=voucher, user=person)
    assert snapshot() == before


def test_posting_an_unreviewed_voucher_is_refused_when_review_is_required(reviewing, year, user):
    voucher = _receipt(year, user)
    before = snapshot()
    for person in (user, reviewing):
        with pytest.raises(LedgerError, match="须经他人审核后才能记账"):
            services.post_voucher(voucher=voucher, posted_by=person)
    assert snapshot() == before


def test_unreview_returns_to_draft_and_the_preparer_edits(reviewing, year, user):
    checker = reviewing
    voucher = services.review_voucher(voucher=_receipt(year, user), user=checker)
    before = snapshot()
    with pytest.raises(LedgerError, match="凭证已审核，不能修改"):
        services.update_draft(
            voucher=voucher, user=user, date=d("2012-03-30"), summary="改", lines=_lines("1500.00")
        )
    with pytest.raises(LedgerError, match="凭证已审核，不能删除"):
        services.delete_draft(voucher=voucher, user=user)
    with pytest.raises(LedgerError, match="^只有会计主管/审核可以反审核凭证$"):
        services.unreview_voucher(voucher=voucher, user=user)
    assert snapshot() == before
    voucher = services.unreview_voucher(voucher=voucher, user=checker)
    assert (voucher.state, voucher.reviewed_by) == (Voucher.State.DRAFT, None)
    voucher = services.update_draft(
        voucher=voucher, user=user, date=d("2012-03-31"), summary="收第一季度会费", lines=_lines("1500.00")
    )
    assert voucher.date == d("2012-03-31")
    assert [(line.account.code, line.debit.amount, line.credit.amount) for line in voucher.lines.all()] == [
        ("101", 1500, 0),
        ("401", 0, 1500),
    ]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.VOUCHER_CHANGED).get()
    assert event.changes["before"] == [["101", "1550.00", "0.00"], ["401", "0.00", "1550.00"]]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VOUCHER_UNREVIEWED).count() == 1


def _lines(amount: str) -> list:
    return [services.Line("101", debit=amount), services.Line("401", credit=amount)]


def test_only_the_preparer_edits_or_deletes_a_draft(reviewing, year, user, union):
    voucher = _receipt(year, user)
    colleague = _member(union, "second-cashier", roles.TREASURER)
    before = snapshot()
    with pytest.raises(LedgerError, match="^只有制单人可以修改自己填制的未审核凭证$"):
        services.update_draft(
            voucher=voucher, user=colleague, date=d("2012-03-30"), summary="改", lines=_lines("1.00")
        )
    with pytest.raises(LedgerError, match="^只有制单人可以删除自己填制的未审核凭证$"):
        services.delete_draft(voucher=voucher, user=colleague)
    with pytest.raises(LedgerError, match="借贷不平衡"):
        services.update_draft(
            voucher=voucher,
            user=user,
            date=d("2012-03-30"),
            summary="改",
            lines=[services.Line("101", debit="2.00"), services.Line("401", credit="1.00")],
        )
    assert snapshot() == before
    services.delete_draft(voucher=voucher, user=user)
    assert not Voucher.objects.filter(pk=voucher.pk).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DRAFT_DELETED).count() == 1


def test_a_posted_voucher_is_neither_edited_reviewed_nor_deleted(year, user):
    voucher = _receipt(year, user)  # review off: posted at once
    assert voucher.is_posted and voucher.self_posted
    before = snapshot()
    with pytest.raises(PostedVoucherImmutable):
        services.delete_draft(voucher=voucher, user=user)
    with pytest.raises(PostedVoucherImmutable):
        services.update_draft(
            voucher=voucher, user=user, date=d("2012-03-30"), summary="x", lines=_lines("1.00")
        )
    with pytest.raises(PostedVoucherImmutable):
        services.post_voucher(voucher=voucher, posted_by=user)
    assert snapshot() == before


def test_one_step_without_review_says_unreviewed(year, user):
    voucher = _receipt(year, user)
    assert voucher.is_posted and voucher.reviewed_by is None and voucher.self_posted
    assert voucher.full_no == "2012年3月 记-0001"


def test_cashier_signature_when_the_union_requires_it(reviewing, year, user, union):
    Union.objects.filter(pk=union.pk).update(cashier_sign_required=True)
    checker = reviewing
    voucher = services.review_voucher(voucher=_receipt(year, user), user=checker)
    before = snapshot()
    with pytest.raises(LedgerError, match="须出纳签字后才能记账"):
        services.post_voucher(voucher=voucher, posted_by=checker)
    with pytest.raises(LedgerError, match="^只有出纳/会计可以出纳签字$"):
        services.sign_voucher(voucher=voucher, user=checker)
    assert snapshot() == before
    voucher = services.sign_voucher(voucher=voucher, user=user)
    assert voucher.cashier_signed_by == user
    with pytest.raises(LedgerError, match="出纳已经签过字了"):
        services.sign_voucher(voucher=voucher, user=user)
    assert services.post_voucher(voucher=voucher, posted_by=checker).is_posted
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CASHIER_SIGNED).count() == 1


def test_a_voucher_without_cash_or_bank_needs_no_signature(reviewing, year, user, union):
    Union.objects.filter(pk=union.pk).update(cashier_sign_required=True)
    draft = services.record_voucher(
        year=year,
        posted_by=user,
        date=d("2012-04-01"),
        summary="结转",
        lines=[services.Line("50101", debit="1.00"), services.Line("401", credit="1.00")],
    )
    with pytest.raises(LedgerError, match="不需要出纳签字"):
        services.sign_voucher(voucher=draft, user=user)
    reviewed = services.review_voucher(voucher=draft, user=reviewing)
    assert services.post_voucher(voucher=reviewed, posted_by=reviewing).is_posted


def test_close_refuses_while_vouchers_wait(reviewing, year, user):
    waiting = _receipt(year, user)
    check = next(check for check in queries.year_checks(year) if check.title == "本年度的凭证都已审核并记账")
    assert check.ok is False
    before = snapshot()
    with pytest.raises(LedgerError, match="本年度的凭证都已审核并记账"):
        settle_year_end(year, user)
        services.close_year(year=year, user=user)
    assert snapshot() == before
    services.review_voucher(voucher=waiting, user=reviewing)
    with pytest.raises(LedgerError, match="未审核或未记账的凭证（张） 1"):
        settle_year_end(year, user)
        services.close_year(year=year, user=user)
    services.post_voucher(voucher=waiting, posted_by=reviewing)
    settle_year_end(year, user)
    services.close_year(year=year, user=user)


def test_next_steps_follow_the_roles_and_the_state(reviewing, year, user):
    checker = reviewing
    voucher = _receipt(year, user)
    assert services.next_steps(voucher, user, may_record=True, may_review=False) == {"edit", "delete"}
    assert services.next_steps(voucher, checker, may_record=False, may_review=True) == {"review"}
    voucher = services.review_voucher(voucher=voucher, user=checker)
    assert services.next_steps(voucher, user, may_record=True, may_review=False) == {"post"}
    assert services.next_steps(voucher, checker, may_record=False, may_review=True) == {"unreview", "post"}
    voucher = services.post_voucher(voucher=voucher, posted_by=checker)
    assert services.next_steps(voucher, user, may_record=True, may_review=False) == {"reverse"}


def test_with_review_required_a_reversal_waits_too_and_deleting_it_frees_the_original(reviewing, year, user):
    checker = reviewing
    original = services.post_voucher(
        voucher=services.review_voucher(voucher=_receipt(year, user), user=checker), posted_by=checker
    )
    reversal = services.reverse_voucher(voucher=original, user=user, reason="录错", date=d("2012-03-31"))
    assert reversal.state == Voucher.State.DRAFT and _cash(year) == 2550  # waiting: counts nowhere yet
    event = AuditEvent.objects.filter(action=AuditEvent.Action.VOUCHER_REVERSED).get()
    assert event.summary == "2012年3月 记-0001的红字冲销凭证已填制，待审核后记账：录错"
    assert services.next_steps(reversal, user, may_record=True, may_review=False) == {"delete"}
    with pytest.raises(LedgerError, match="已经冲销过"):
        services.reverse_voucher(voucher=original, user=user, reason="再冲")
    services.delete_draft(voucher=reversal, user=user)
    reversal = services.reverse_voucher(voucher=original, user=user, reason="录错", date=d("2012-03-31"))
    services.post_voucher(voucher=services.review_voucher(voucher=reversal, user=checker), posted_by=checker)
    assert _cash(year) == 1000
