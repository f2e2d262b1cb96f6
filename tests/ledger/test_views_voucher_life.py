"""The pages of a voucher's life: entering with review required, 审核 / 反审核 / 记账 (one by one and ticked
in the list), 修改 and 删除 of a draft, the printed 记账凭证, scans chosen at entry, and the list's filters."""

import html
from decimal import Decimal

import pytest
from django.urls import reverse

from ledger import services
from ledger.models import Attachment, AuditEvent, Union, Voucher
from ledger.submissions import new_token
from tests.conftest import PDF, PNG, nth, snapshot, upload

pytestmark = pytest.mark.usefixtures("media_root")

SLUG, YEAR = "blzq-hospital", 2012
BOOK = f"/u/{SLUG}/{YEAR}/"


def text(response) -> str:
    return html.unescape(response.content.decode())


def page_of(voucher: Voucher, name: str = "voucher") -> str:
    return reverse(f"ledger:{name}", args=[SLUG, YEAR, voucher.pk])


def step(voucher: Voucher, name: str) -> str:
    return reverse("ledger:voucher_step", args=[SLUG, YEAR, voucher.pk, name])


def receipt_form(demo, **changes) -> dict:
    dues = services.resolve_account(demo, "401")
    data = {
        "category": str(dues.pk),
        "amount": "1,234.50",
        "date": "2012-10-08",
        "via": "cash",
        "summary": "收十月会员会费",
        "payer": "内科",
        "attachment_count": "2",
        "token": new_token(),
    }
    return data | changes


@pytest.fixture
def reviewing(demo):
    """The demo as `load_demo` leaves it: the union requires review (the `demo` fixture turns it off)."""
    Union.objects.filter(pk=demo.union_id).update(review_required=True)
    demo.union.refresh_from_db()
    return demo


def enter(client_for, demo, **changes) -> Voucher:
    response = client_for("treasurer").post(BOOK + "receipt/", receipt_form(demo, **changes))
    assert response.status_code == 302, text(response)
    return Voucher.objects.latest("id")


def test_with_review_required_the_receipt_waits_and_its_page_says_so(reviewing, client_for):
    client = client_for("treasurer")
    response = client.post(BOOK + "receipt/", receipt_form(reviewing), follow=True)
    page = text(response)
    voucher = Voucher.objects.latest("id")
    assert voucher.state == Voucher.State.DRAFT and voucher.number is None
    assert "已保存，等待审核：收入 1,234.50元 收十月会员会费" in page
    assert "未审核" in page and "尚未记账" in page
    assert f'action="{step(voucher, "delete")}"' in page and page_of(voucher, "voucher_edit") in page
    assert f'action="{step(voucher, "review")}"' not in page  # not by its preparer
    form = text(client.get(BOOK + "receipt/"))
    assert "保存，送审核" in form and 'enctype="multipart/form-data"' in form


def test_the_reviewer_reviews_and_posts_from_the_page(reviewing, client_for):
    voucher = enter(client_for, reviewing)
    reviewer = client_for("reviewer")
    listed = reviewer.get(BOOK + "vouchers/", {"state": "draft"})
    assert [v.pk for v in listed.context["page"].object_list] == [voucher.pk]
    page = text(reviewer.get(page_of(voucher)))
    assert f'action="{step(voucher, "review")}"' in page and f'action="{step(voucher, "post")}"' not in page
    response = reviewer.post(step(voucher, "review"), follow=True)
    assert "已审核：收十月会员会费" in text(response)
    response = reviewer.post(step(voucher, "post"), follow=True)
    voucher.refresh_from_db()
    assert voucher.is_posted and voucher.full_no == "2012年10月 记-0001"
    assert "已记账 2012年10月 记-0001：收十月会员会费" in text(response)
    assert "审核：赵志刚" in text(response) and "未经他人审核" not in text(response)


def test_refused_steps_say_why_and_change_nothing(reviewing, client_for):
    voucher = enter(client_for, reviewing)
    outsider = client_for("outsider")  # another union's books, made before the snapshot
    before = snapshot()
    treasurer = client_for("treasurer")
    response = treasurer.post(step(voucher, "post"), follow=True)
    assert "须经他人审核后才能记账" in text(response)
    response = treasurer.post(step(voucher, "review"), follow=True)
    assert "只有会计主管/审核可以审核凭证" in text(response)
    assert client_for("auditor").post(step(voucher, "review")).status_code == 403
    assert client_for("committee").post(step(voucher, "post")).status_code == 403
    assert outsider.post(step(voucher, "post")).status_code == 404
    assert client_for("reviewer").get(step(voucher, "post")).status_code == 405
    assert snapshot() == before


def test_the_preparer_edits_a_draft_on_the_voucher_form(reviewing, client_for):
    voucher = enter(client_for, reviewing)
    client = client_for("treasurer")
    form = client.get(page_of(voucher, "voucher_edit"))
    assert form.status_code == 200 and "修改凭证" in text(form)
    lines = form.context["lines"]
    assert [f.initial for f in lines.forms[:2]][0]["debit"] == "1234.50"
    cash, dues = services.resolve_account(reviewing, "101"), services.resolve_account(reviewing, "401")
    data = {
        "date": "2012-10-09",
        "summary": "收十月会员会费（更正）",
        "counterparty": "内科",
        "attachment_count": "1",
        "token": new_token(),
        "lines-TOTAL_FORMS": "6",
        "lines-INITIAL_FORMS": "2",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "30",
        "lines-0-account": str(cash.pk),
        "lines-0-debit": "1,243.50",
        "lines-1-account": str(dues.pk),
        "lines-1-credit": "1243.50",
    }
    response = client.post(page_of(voucher, "voucher_edit"), data)
    assert response.status_code == 302
    voucher.refresh_from_db()
    assert voucher.summary == "收十月会员会费（更正）" and voucher.date.day == 9
    assert [line.debit.amount for line in voucher.lines.all()] == [Decimal("1243.50"), 0]
    assert AuditEvent.objects.filter(action="voucher_changed", object_id=str(voucher.pk)).exists()
    # once reviewed, the edit page sends the preparer back with the reason
    services.review_voucher(voucher=voucher, user=reviewing.union.members.get(username="reviewer"))
    response = client.get(page_of(voucher, "voucher_edit"), follow=True)
    assert "这张凭证不能修改" in text(response)


def test_the_preparer_deletes_a_draft(reviewing, client_for):
    voucher = enter(client_for, reviewing, attachment_count="0")
    response = client_for("treasurer").post(step(voucher, "delete"), follow=True)
    assert "已删除未审核的凭证：收十月会员会费" in text(response)
    assert not Voucher.objects.filter(pk=voucher.pk).exists()


def test_batch_review_then_batch_post(reviewing, client_for):
    first = enter(client_for, reviewing)
    second = enter(client_for, reviewing, date="2012-10-02", summary="收十月补交会费")
    reviewer = client_for("reviewer")
    listed = text(reviewer.get(BOOK + "vouchers/"))
    assert "批量审核" in listed and f'name="ids" value="{first.pk}"' in listed
    response = reviewer.post(
        BOOK + "vouchers/batch/", {"action": "review", "ids": [first.pk, second.pk]}, follow=True
    )
    assert "已审核 2 张凭证" in text(response)
    response = reviewer.post(
        BOOK + "vouchers/batch/", {"action": "post", "ids": [first.pk, second.pk]}, follow=True
    )
    assert "已记账 2 张凭证" in text(response)
    first.refresh_from_db(), second.refresh_from_db()
    # posted in date order: the 2nd of October first
    assert (second.full_no, first.full_no) == ("2012年10月 记-0001", "2012年10月 记-0002")
    response = reviewer.post(BOOK + "vouchers/batch/", {"action": "post", "ids": [first.pk]}, follow=True)
    assert "所选凭证不存在或已处理" in text(response)


def test_the_printed_voucher_names_every_step(demo, client_for, treasurer):
    Union.objects.filter(pk=demo.union_id).update(signatures=[["会计主管", "刘会计"], ["工会主席", "王主席"]])
    reviewed = nth(demo, 12)
    page = text(client_for("auditor").get(page_of(reviewed, "voucher_print")))
    assert "巴林左旗医院工会" in page and "记账凭证" in page and "2012年12月 记字第 0001 号" in page
    assert "附单据 3 张" in page and "伍仟壹佰伍拾陆元捌角整" in page
    for name in ("会计主管：刘会计", "记账：赵志刚", "审核：赵志刚", "制单：王秀兰"):
        assert name in page, name
    assert "冲销原因" not in page and "<button" not in page and "<form" not in page
    own = services.record_receipt(
        union=demo.union,
        date=reviewed.date,
        account="401",
        amount="1.00",
        into="cash",
        summary="一步记账",
        user=treasurer,
    )
    page = text(client_for("auditor").get(page_of(own, "voucher_print")))
    assert "未经他人审核" in page and "记账：王秀兰" in page


def test_scans_chosen_while_entering_are_attached_with_the_voucher(demo, client_for):
    files = [upload("收据.pdf", PDF), upload("发票.png", PNG)]
    response = client_for("treasurer").post(BOOK + "receipt/", receipt_form(demo) | {"scans": files})
    assert response.status_code == 302
    voucher = Voucher.objects.latest("id")
    assert voucher.is_posted
    assert sorted(Attachment.objects.filter(voucher=voucher).values_list("original_name", flat=True)) == [
        "发票.png",
        "收据.pdf",
    ]


def test_a_bad_scan_at_entry_refuses_the_whole_entry(demo, client_for):
    before = snapshot()
    bad = upload("收据.pdf", b"<html>not a pdf</html>")
    response = client_for("treasurer").post(BOOK + "receipt/", receipt_form(demo) | {"scans": [bad]})
    assert response.status_code == 200 and snapshot() == before
    assert "收据.pdf：只能上传 PDF、JPEG 或 PNG 格式的扫描件" in text(response)
    assert not Attachment.objects.exists()


def test_the_list_flags_and_filters_scans_that_differ_from_the_count(demo, client_for, demo_scan):
    client = client_for("auditor")
    page = text(client.get(BOOK + "vouchers/"))
    assert "不符" in page
    found = client.get(BOOK + "vouchers/", {"scans_differ": "on"}).context["page"].object_list
    # every demo voucher with 附单据 but no scan; the opening and the reversal have neither
    assert {v.attachment_count != v.scan_count for v in found} == {True}
    assert len(found) == 15
    assert nth(demo, 1).pk not in {v.pk for v in found}


@pytest.mark.parametrize("drafts", [1, 3])
def test_list_and_draft_page_query_counts_do_not_grow(
    reviewing, client_for, django_assert_num_queries, drafts
):
    for day in range(drafts):
        enter(client_for, reviewing, date=f"2012-10-{day + 1:02d}")
    reviewer = client_for("reviewer")
    reviewer.get(BOOK + "vouchers/")
    with django_assert_num_queries(8 + 4):  # as the posted list: accounts, count, the page, its lines
        assert reviewer.get(BOOK + "vouchers/", {"state": "draft"}).status_code == 200
    draft = Voucher.objects.latest("id")
    with django_assert_num_queries(8 + 3):  # the voucher with its people, lines, scans
        assert reviewer.get(page_of(draft)).status_code == 200
