"""The database itself refuses what the services refuse, even when rows are written with raw SQL.

These tests commit (transaction=True) so that PostgreSQL's deferred constraint trigger runs at COMMIT,
as it does in production; SQLite's triggers run at once.
"""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ledger import services
from ledger.models import Account, AuditEvent, Voucher, VoucherLine
from tests.conftest import d, settle_year_end

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def posted(year, user, union):
    return services.record_receipt(
        union=union,
        date=d("2012-03-30"),
        account="401",
        amount="1550.00",
        into="cash",
        summary="会费",
        user=user,
    )


def execute(sql: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def insert_voucher(year, user, *, state="draft", date=datetime.date(2012, 6, 1), number=None) -> int:
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_voucher (year_id, number, date, summary, counterparty, state, kind, reverses_id,"
            " attachment_count, prepared_by_id, posted_by_id, created_at, posted_at)"
            " VALUES (%s, %s, %s, 'raw', '', %s, 'normal', NULL, 0, %s, %s, %s, %s)",
            [
                year.pk,
                number,
                date,
                state,
                user.pk,
                user.pk if state == "posted" else None,
                now,
                now if state == "posted" else None,
            ],
        )
        return Voucher.objects.filter(summary="raw").order_by("-pk").values_list("pk", flat=True).first()


def insert_line(voucher_id: int, account_code: str, debit: str, credit: str, position: int) -> None:
    account = Account.objects.get(code=account_code, union=None)
    execute(
        "INSERT INTO ledger_voucherline (voucher_id, position, account_id, debit, debit_currency, credit,"
        " credit_currency, memo) VALUES (%s, %s, %s, %s, 'CNY', %s, 'CNY', '')",
        [voucher_id, position, account.pk, debit, credit],
    )


def test_a_posted_voucher_cannot_be_updated(posted):
    with pytest.raises(IntegrityError, match="已记账的凭证不能修改或删除"):
        Voucher.objects.filter(pk=posted.pk).update(summary="改过的摘要")
    with pytest.raises(IntegrityError, match="已记账的凭证不能修改或删除"):
        execute(
            "UPDATE ledger_voucher SET state = 'draft', number = NULL, posted_at = NULL WHERE id = %s",
            [posted.pk],
        )
    assert Voucher.objects.get(pk=posted.pk).summary == "会费"


def test_a_posted_voucher_cannot_be_deleted(posted):
    with pytest.raises(IntegrityError):
        execute("DELETE FROM ledger_voucherline WHERE voucher_id = %s", [posted.pk])
    with pytest.raises(IntegrityError, match="已记账"):
        execute("DELETE FROM ledger_voucher WHERE id = %s", [posted.pk])
    assert VoucherLine.objects.filter(voucher=posted).count() == 2


def test_lines_of_a_posted_voucher_cannot_change(posted):
    with pytest.raises(IntegrityError, match="已记账凭证的分录不能修改或删除"):
        VoucherLine.objects.filter(voucher=posted, position=1).update(memo="改")
    with pytest.raises(IntegrityError, match="已记账的凭证添加分录"):
        insert_line(posted.pk, "101", "1.00", "0", 3)
    assert VoucherLine.objects.filter(voucher=posted).count() == 2


def test_amounts_are_positive_on_exactly_one_side(year, user):
    draft = services.create_voucher(
        year=year,
        date=d("2012-02-01"),
        summary="草稿",
        prepared_by=user,
        lines=[services.Line("101", debit="5.00"), services.Line("102", credit="5.00")],
    )
    line = draft.lines.get(position=1)
    for debit, credit in [("-5.00", "0"), ("0", "0"), ("5.00", "5.00"), ("0", "-5.00")]:
        with pytest.raises(IntegrityError, match="line_one_side_nonzero|CHECK constraint failed|红字"):
            execute(
                "UPDATE ledger_voucherline SET debit = %s, credit = %s WHERE id = %s",
                [debit, credit, line.pk],
            )
    with pytest.raises(IntegrityError):
        execute("UPDATE ledger_voucherline SET debit_currency = 'USD' WHERE id = %s", [line.pk])


def test_a_voucher_enters_as_a_draft(year, user):
    with pytest.raises(IntegrityError, match="凭证须先以草稿录入分录，再记账"):
        insert_voucher(year, user, state="posted", number=99)


def test_an_unbalanced_voucher_cannot_be_posted_even_by_raw_sql(year, user):
    before = Voucher.objects.count()
    with pytest.raises(IntegrityError, match="借贷不平衡或分录少于两行"):
        with transaction.atomic():
            voucher_id = insert_voucher(year, user)
            insert_line(voucher_id, "101", "100.00", "0", 1)
            insert_line(voucher_id, "401", "0", "99.99", 2)
            execute(
                "UPDATE ledger_voucher SET state = 'posted', number = 50, month = 6, posted_by_id = %s, posted_at = %s WHERE id = %s",
                [user.pk, timezone.now(), voucher_id],
            )
    assert Voucher.objects.count() == before


def test_a_voucher_with_one_line_cannot_be_posted(year, user):
    with pytest.raises(IntegrityError, match="借贷不平衡或分录少于两行"):
        with transaction.atomic():
            voucher_id = insert_voucher(year, user)
            insert_line(voucher_id, "101", "100.00", "0", 1)
            execute(
                "UPDATE ledger_voucher SET state = 'posted', number = 50, month = 6, posted_by_id = %s, posted_at = %s WHERE id = %s",
                [user.pk, timezone.now(), voucher_id],
            )


def test_a_balanced_raw_voucher_may_be_posted(year, user):
    with transaction.atomic():
        voucher_id = insert_voucher(year, user)
        insert_line(voucher_id, "101", "100.10", "0", 1)
        insert_line(voucher_id, "401", "0", "100.10", 2)
        execute(
            "UPDATE ledger_voucher SET state = 'posted', number = 50, month = 6, posted_by_id = %s, posted_at = %s WHERE id = %s",
            [user.pk, timezone.now(), voucher_id],
        )
    assert Voucher.objects.get(pk=voucher_id).state == "posted"


def test_an_empty_voucher_cannot_be_posted(year, user):
    """PostgreSQL finds it at COMMIT (deferred constraint trigger), SQLite at the state change."""
    with pytest.raises(IntegrityError, match="借贷不平衡或分录少于两行"):
        with transaction.atomic():
            voucher_id = insert_voucher(year, user)
            execute(
                "UPDATE ledger_voucher SET state = 'posted', number = 51, month = 6, posted_by_id = %s, posted_at = %s WHERE id = %s",
                [user.pk, timezone.now(), voucher_id],
            )
    assert not Voucher.objects.filter(summary="raw").exists()


def test_nothing_enters_a_closed_year(year, user, union, posted):
    settle_year_end(year, user)
    services.close_year(year=year, user=user)
    with pytest.raises(IntegrityError, match="已结账"):
        insert_voucher(year, user)


def test_a_voucher_date_lies_inside_its_year(year, user):
    with pytest.raises(IntegrityError, match="不在"):
        insert_voucher(year, user, date=datetime.date(2013, 1, 1))
    voucher_id = insert_voucher(year, user)
    with pytest.raises(IntegrityError, match="不在"):
        execute(
            "UPDATE ledger_voucher SET date = %s WHERE id = %s", [datetime.date(2011, 12, 31), voucher_id]
        )


def _post_raw(voucher_id: int, *, number: int, month: int, user) -> None:
    execute(
        "UPDATE ledger_voucher SET state = 'posted', number = %s, month = %s, posted_by_id = %s, posted_at = %s"
        " WHERE id = %s",
        [number, month, user.pk, timezone.now(), voucher_id],
    )


def test_voucher_numbers_are_unique_in_a_month(year, user, posted):
    assert (posted.month, posted.number) == (3, 1)
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            voucher_id = insert_voucher(year, user, date=datetime.date(2012, 3, 5))
            insert_line(voucher_id, "101", "1.00", "0", 1)
            insert_line(voucher_id, "401", "0", "1.00", 2)
            _post_raw(voucher_id, number=posted.number, month=3, user=user)
    # The same number in another month is another 凭证号.
    with transaction.atomic():
        voucher_id = insert_voucher(year, user, date=datetime.date(2012, 4, 5))
        insert_line(voucher_id, "101", "1.00", "0", 1)
        insert_line(voucher_id, "401", "0", "1.00", 2)
        _post_raw(voucher_id, number=posted.number, month=4, user=user)
    assert Voucher.objects.get(pk=voucher_id).full_no == "2012年4月 记-0001"


def test_a_posted_voucher_number_belongs_to_the_month_of_its_date(year, user):
    with pytest.raises(IntegrityError, match="月份"):
        with transaction.atomic():
            voucher_id = insert_voucher(year, user, date=datetime.date(2012, 3, 5))
            insert_line(voucher_id, "101", "1.00", "0", 1)
            insert_line(voucher_id, "401", "0", "1.00", 2)
            _post_raw(voucher_id, number=1, month=4, user=user)


def test_a_negative_line_outside_a_reversal_is_refused(year, user):
    voucher_id = insert_voucher(year, user)
    with pytest.raises(IntegrityError, match="红字"):
        insert_line(voucher_id, "101", "-5.00", "0", 1)
    insert_line(voucher_id, "101", "5.00", "0", 1)
    with pytest.raises(IntegrityError, match="红字"):
        execute("UPDATE ledger_voucherline SET debit = -5 WHERE voucher_id = %s", [voucher_id])
    assert VoucherLine.objects.get(voucher_id=voucher_id).debit.amount == 5


def test_a_negative_line_must_mirror_a_line_of_the_original(year, user, posted):
    """A reversal's red line: the original's account and side, the amount negated — nothing else."""
    reversal_id = insert_voucher(year, user)
    execute(
        "UPDATE ledger_voucher SET kind = 'reversal', reverses_id = %s WHERE id = %s",
        [posted.pk, reversal_id],
    )
    for code, debit, credit in [
        ("101", "-1550.01", "0"),  # another amount
        ("102", "-1550.00", "0"),  # another account
        ("101", "0", "-1550.00"),  # the other side
    ]:
        with pytest.raises(IntegrityError, match="红字"):
            insert_line(reversal_id, code, debit, credit, 1)
    insert_line(reversal_id, "101", "-1550.00", "0", 1)
    insert_line(reversal_id, "401", "0", "-1550.00", 2)
    _post_raw(reversal_id, number=1, month=6, user=user)
    assert Voucher.objects.get(pk=reversal_id).is_posted


def test_lines_of_a_reviewed_voucher_cannot_change(year, user, django_user_model):
    draft = services.create_voucher(
        year=year,
        date=d("2012-02-01"),
        summary="待审",
        prepared_by=user,
        lines=[services.Line("101", debit="5.00"), services.Line("102", credit="5.00")],
    )
    other = django_user_model.objects.create_user("checker", password="pw-unionledger-1")
    execute(
        "UPDATE ledger_voucher SET state = 'reviewed', reviewed_by_id = %s, reviewed_at = %s WHERE id = %s",
        [other.pk, timezone.now(), draft.pk],
    )
    with pytest.raises(IntegrityError, match="已审核"):
        VoucherLine.objects.filter(voucher=draft, position=1).update(memo="改")
    with pytest.raises(IntegrityError, match="已审核"):
        execute("DELETE FROM ledger_voucherline WHERE voucher_id = %s", [draft.pk])
    with pytest.raises(IntegrityError, match="已审核"):
        insert_line(draft.pk, "101", "1.00", "0", 3)
    assert draft.lines.count() == 2


def test_nobody_reviews_their_own_voucher_even_by_raw_sql(year, user):
    voucher_id = insert_voucher(year, user)
    with pytest.raises(IntegrityError, match="voucher_reviewer_not_preparer|CHECK constraint failed"):
        execute(
            "UPDATE ledger_voucher SET state = 'reviewed', reviewed_by_id = %s, reviewed_at = %s WHERE id = %s",
            [user.pk, timezone.now(), voucher_id],
        )
    with pytest.raises(IntegrityError, match="voucher_state_consistent|CHECK constraint failed"):
        execute("UPDATE ledger_voucher SET state = 'reviewed' WHERE id = %s", [voucher_id])


def test_the_audit_trail_is_append_only(posted):
    event = AuditEvent.objects.filter(object_id=str(posted.pk)).first()
    with pytest.raises(IntegrityError, match="操作记录只能追加"):
        AuditEvent.objects.filter(pk=event.pk).update(summary="抹掉")
    with pytest.raises(IntegrityError, match="操作记录只能追加"):
        execute("DELETE FROM ledger_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).summary == event.summary


def test_attachments_are_append_only_and_a_closed_year_takes_none(
    year, user, union, posted, settings, tmp_path
):
    from django.core.files.base import ContentFile

    from ledger.models import Attachment

    settings.MEDIA_ROOT = tmp_path
    scan = Attachment(
        voucher=posted,
        sha256="a" * 64,
        original_name="收据.png",
        content_type="image/png",
        size=8,
        uploaded_by=user,
    )
    scan.file.save("x.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    with pytest.raises(IntegrityError, match="附件只能追加"):
        Attachment.objects.filter(pk=scan.pk).update(original_name="改名.png")
    with pytest.raises(IntegrityError, match="附件只能追加"):
        execute("DELETE FROM ledger_attachment WHERE id = %s", [scan.pk])
    settle_year_end(year, user)
    services.close_year(year=year, user=user)
    late = Attachment(
        voucher=posted,
        sha256="b" * 64,
        original_name="补.png",
        content_type="image/png",
        size=8,
        uploaded_by=user,
    )
    with pytest.raises(IntegrityError, match="会计年度已结账，不能再添加附件"):
        late.file.save("y.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    assert Attachment.objects.count() == 1
