"""The auditor's seat: 已审查 marks and 疑点 on vouchers, the treasurer's answers, and what they never touch."""

import pytest
from django.urls import reverse

from ledger import queries
from ledger.errors import LedgerError
from ledger.models import Attachment, AuditEvent
from ledger.queries import summary
from review import queries as review_queries
from review import services
from review.models import Remark
from tests.conftest import PDF, PNG, nth, settle_year_end, snapshot, upload

pytestmark = pytest.mark.usefixtures("media_root")

SLUG, YEAR = "blzq-hospital", 2012


def _voucher(demo, number=3):
    return nth(demo, number)


def _url(name, *args):
    return reverse(name, args=[SLUG, YEAR, *args])


def _figures(year):
    summary = queries.year_summary(year)
    return (
        summary.opening_funds,
        summary.income,
        summary.expense,
        summary.closing_funds,
        summary.cash,
        summary.bank,
    )


def test_raise_answer_with_a_scan_and_close_through_the_pages(demo, client_for, auditor, treasurer):
    voucher = _voucher(demo)
    figures, books = _figures(demo), snapshot()
    auditor_client, treasurer_client = client_for("auditor"), client_for("treasurer")
    line = voucher.lines.get(position=1)

    response = auditor_client.post(
        _url("review:raise", voucher.pk), {"target": f"line-{line.pk}", "comment": "纪念品无签收单"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#review")
    remark = Remark.objects.get()
    assert (remark.kind, remark.state, remark.line_id, remark.comment) == (
        "query",
        "open",
        line.pk,
        "纪念品无签收单",
    )

    page = treasurer_client.get(_url("ledger:dashboard")).content.decode()
    assert "待答复的审查疑点" in page and "纪念品无签收单" in page

    response = treasurer_client.post(
        _url("review:answer", remark.pk), {"text": "补签收单", "file": upload("签收单.png", PNG)}
    )
    assert response.status_code == 302
    remark.refresh_from_db()
    reply = remark.replies.get()
    assert remark.state == "answered" and reply.attachment.original_name == "签收单.png"
    assert Attachment.objects.filter(voucher=voucher, original_name="签收单.png").count() == 1

    page = auditor_client.get(_url("ledger:voucher", voucher.pk)).content.decode()
    assert "签收单.png" in page and "关闭疑点" in page

    auditor_client.post(_url("review:close", remark.pk), {"text": "已核对"})
    remark.refresh_from_db()
    assert remark.state == "closed" and remark.closed_by == auditor
    assert list(remark.replies.values_list("text", flat=True)) == ["补签收单", "已核对"]

    actions = list(
        AuditEvent.objects.filter(action__startswith="query_").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["query_raised", "query_answered", "query_closed"]
    assert AuditEvent.objects.filter(action="attachment_added", user=treasurer).exists()
    # The figures never move; the vouchers and lines are exactly as they were (a scan is not a line).
    assert _figures(demo) == figures and snapshot() == books


def test_keep_open_sends_it_back_and_needs_a_reason(demo, auditor, treasurer):
    remark = services.raise_query(voucher=_voucher(demo), user=auditor, comment="金额与发票不符")
    services.answer_query(remark=remark, user=treasurer, text="发票另附")
    with pytest.raises(LedgerError, match="保持未决的理由"):
        services.keep_open(remark=remark, user=auditor, text=" ")
    services.keep_open(remark=remark, user=auditor, text="仍未见发票")
    remark.refresh_from_db()
    assert remark.state == "open"
    services.close_query(remark=remark, user=auditor)
    with pytest.raises(LedgerError, match="已关闭"):
        services.answer_query(remark=remark, user=treasurer, text="再补")


def test_an_answer_may_link_the_reversal_of_the_voucher(demo, auditor, treasurer, client_for):
    from ledger import services as ledger_services

    voucher = _voucher(demo, 5)
    remark = services.raise_query(voucher=voucher, user=auditor, comment="重复付款")
    client = client_for("treasurer")
    client.post(_url("review:answer", remark.pk), {"text": "已冲销", "link_reversal": "on"})
    remark.refresh_from_db()
    assert remark.state == "open"  # nothing to link yet: refused, nothing written
    reversal = ledger_services.reverse_voucher(voucher=voucher, user=treasurer, reason="重复付款")
    client.post(_url("review:answer", remark.pk), {"text": "已冲销", "link_reversal": "on"})
    assert remark.replies.get().reversal == reversal
    other = services.raise_query(voucher=_voucher(demo, 3), user=auditor, comment="另一张")
    with pytest.raises(LedgerError, match="不是冲销本凭证"):
        services.answer_query(remark=other, user=treasurer, reversal=reversal)


def test_targets_must_belong_to_the_voucher(demo, auditor, demo_scan):
    voucher, other = _voucher(demo, 3), _voucher(demo, 4)
    with pytest.raises(LedgerError, match="分录不属于"):
        services.raise_query(voucher=other, user=auditor, comment="x", line=voucher.lines.first())
    with pytest.raises(LedgerError, match="扫描件不属于"):
        services.raise_query(voucher=other, user=auditor, comment="x", attachment=demo_scan)
    with pytest.raises(LedgerError, match="疑点说明"):
        services.raise_query(voucher=voucher, user=auditor, comment="  ")
    remark = services.raise_query(voucher=voucher, user=auditor, comment="发票抬头不对", attachment=demo_scan)
    assert remark.attachment == demo_scan and Remark.objects.count() == 1


def test_mark_checked_is_shown_and_recorded(demo, auditor, client_for):
    voucher = _voucher(demo)
    client_for("auditor").post(_url("review:checked", voucher.pk), {"comment": "手续齐全"})
    remark = Remark.objects.get()
    assert (remark.kind, remark.state) == ("checked", "closed")
    page = client_for("committee").get(_url("ledger:voucher", voucher.pk)).content.decode()
    assert "标记为已审查：手续齐全" in page and "提出疑点" not in page
    assert AuditEvent.objects.get(action="voucher_checked").summary == "2012年3月 记-0001 已审查：手续齐全"


@pytest.mark.parametrize(
    ("role", "name", "status"),
    [
        ("treasurer", "review:raise", 403),
        ("treasurer", "review:checked", 403),
        ("committee", "review:raise", 403),
        ("auditor", "review:answer", 403),
        ("committee", "review:answer", 403),
        ("treasurer", "review:close", 403),
        ("treasurer", "review:keep", 403),
        ("outsider", "review:raise", 404),
        ("anonymous", "review:raise", 302),
    ],
)
def test_who_may_do_what(demo, auditor, client_for, role, name, status):
    voucher = _voucher(demo)
    remark = services.raise_query(voucher=voucher, user=auditor, comment="原有疑点")
    target = remark.pk if name in ("review:answer", "review:close", "review:keep") else voucher.pk
    before = list(Remark.objects.values_list("state", flat=True)), Remark.objects.count()
    response = client_for(role).post(
        _url(name, target), {"comment": "x", "target": "voucher", "text": "y", "file": upload("a.pdf", PDF)}
    )
    assert response.status_code == status
    assert (list(Remark.objects.values_list("state", flat=True)), Remark.objects.count()) == before


def test_a_remark_of_another_union_is_404(demo, other_year, auditor, client_for):
    year, _, other_voucher, keeper = other_year
    remark = services.raise_query(voucher=other_voucher, user=keeper, comment="别家的")
    response = client_for("auditor").post(_url("review:close", remark.pk), {})
    assert response.status_code == 404
    remark.refresh_from_db()
    assert remark.state == "open"


def test_open_queries_are_a_hint_at_year_end_never_a_block(demo, auditor, treasurer):
    from ledger import services as ledger_services

    check = next(c for c in queries.year_checks(demo) if c.title == review_queries.OPEN_QUERIES)
    assert check.ok is True and check.required is False
    services.raise_query(voucher=_voucher(demo), user=auditor, comment="未解决")
    services.raise_query(voucher=_voucher(demo, 4), user=auditor, comment="也未解决")
    check = next(c for c in queries.year_checks(demo) if c.title == review_queries.OPEN_QUERIES)
    assert check.ok is False and check.comparisons[0].left == 2
    assert [c.title for c in queries.year_checks(demo)[-2:]] == [summary.NEVER_NEGATIVE, summary.ALL_POSTED]
    settle_year_end(demo, treasurer)
    ledger_services.close_year(year=demo, user=treasurer)  # a warning, not a block
    demo.refresh_from_db()
    assert demo.is_closed
    # The auditor still reviews a closed year; the treasurer still answers in words.
    remark = Remark.objects.first()
    services.answer_query(remark=remark, user=treasurer, text="年后补正")


def test_the_list_filters(demo, auditor, treasurer, client_for):
    services.raise_query(voucher=_voucher(demo, 3), user=auditor, comment="甲疑点")
    closed = services.raise_query(voucher=_voucher(demo, 4), user=auditor, comment="乙疑点")
    services.close_query(remark=closed, user=auditor)
    services.mark_checked(voucher=_voucher(demo, 5), user=auditor)
    client = client_for("committee")
    page = client.get(_url("review:list")).content.decode()
    assert "甲疑点" in page and "乙疑点" not in page
    page = client.get(_url("review:list"), {"state": "closed", "kind": "query"}).content.decode()
    assert "乙疑点" in page and "甲疑点" not in page
    page = client.get(_url("review:list"), {"kind": "checked"}).content.decode()
    assert "已审查" in page and "甲疑点" not in page
    assert client.get(_url("review:list"), {"state": "nonsense"}).status_code == 200


def _remarks(demo, auditor, treasurer, n):
    for number in range(1, n + 1):
        remark = services.raise_query(voucher=_voucher(demo, 3), user=auditor, comment=f"疑点{number}")
        services.answer_query(remark=remark, user=treasurer, text=f"答复{number}")


@pytest.mark.parametrize("name", ["ledger:voucher", "ledger:dashboard", "review:list"])
def test_pages_take_the_same_queries_for_one_or_three_remarks(
    demo, auditor, treasurer, client_for, django_assert_num_queries, name
):
    client = client_for("auditor")
    args = [_voucher(demo).pk] if name == "ledger:voucher" else []
    _remarks(demo, auditor, treasurer, 1)
    client.get(_url(name, *args))  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(_url(name, *args)).status_code == 200
    _remarks(demo, auditor, treasurer, 2)
    with django_assert_num_queries(len(one)):
        assert client.get(_url(name, *args)).status_code == 200
