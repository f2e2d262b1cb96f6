"""The voucher page: its lines and 大写金额, scanned receipts (upload and serving), and 冲销."""

import html
import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from ledger import attachments, services
from ledger.models import Attachment, AuditEvent, Voucher
from ledger.submissions import new_token
from tests.conftest import JPEG, PDF, PNG, nth, settle_year_end, sha256, snapshot, upload

pytestmark = pytest.mark.usefixtures("media_root")

SLUG, YEAR = "blzq-hospital", 2012


def voucher_url(voucher: Voucher, name: str = "voucher") -> str:
    return reverse(f"ledger:{name}", args=[SLUG, voucher.year.year, voucher.pk])


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def largest(demo) -> Voucher:
    """2012年12月 记-0001 年末扶贫点捐赠及慰问, 5,156.80 from the bank (the 12th voucher posted)."""
    return nth(demo, 12)


# --- the page ------------------------------------------------------------------------------------------


def test_the_voucher_page_shows_lines_totals_and_capitals(demo, client_for, largest):
    page = text(client_for("auditor").get(voucher_url(largest)))
    assert "2012年12月 记-0001" in page and "2012年12月20日" in page and "年末扶贫点捐赠及慰问" in page
    assert "50801 其他支出 › 乡村扶贫点等捐赠及慰问" in page and "102 银行存款" in page
    assert page.count("5,156.80") == 4  # debit line, credit line, and both totals
    assert "伍仟壹佰伍拾陆元捌角整" in page
    assert "制单：王秀兰" in page and "审核：赵志刚" in page and "记账：赵志刚" in page
    assert "未经他人审核" not in page
    assert "附单据 3 张" in page


def test_the_amount_in_capitals_of_the_year_end_balance(demo, client_for, treasurer):
    """The sample report's closing balance, 15,562.90, in a voucher's capitals."""
    voucher = services.record_voucher(
        year=demo,
        posted_by=treasurer,
        date=demo.end,
        summary="收到行政补助",  # cash holds less than this: moving it to the bank would overdraw it
        lines=[services.Line("102", debit="15562.90"), services.Line("405", credit="15562.90")],
    )
    assert "壹万伍仟伍佰陆拾贰元玖角整" in text(client_for("committee").get(voucher_url(voucher)))


def test_a_posted_voucher_has_no_edit_or_delete_only_reverse_for_the_treasurer(demo, client_for, largest):
    def buttons(role: str) -> list[str]:
        return re.findall(r"<button[^>]*>([^<]*)</button>", text(client_for(role).get(voucher_url(largest))))

    assert buttons("treasurer") == ["退出", "上传", "存为常用凭证", "冲销"]
    assert buttons("committee") == ["退出"]
    # The 经费审查 raises a 疑点 or marks the voucher checked; she still cannot touch the books.
    assert buttons("auditor") == ["退出", "提出疑点", "标记为已审查"]


# --- scanned receipts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("发票.pdf", PDF, "application/pdf"), ("小票.JPG", JPEG, "image/jpeg"), ("scan.png", PNG, "image/png")],
)
def test_the_treasurer_attaches_a_scan(
    demo, client_for, treasurer, largest, media_root, name, content, content_type
):
    client = client_for("treasurer")
    before = snapshot()
    response = client.post(voucher_url(largest, "attachment_upload"), {"file": upload(name, content)})
    assert response.status_code == 302 and response["Location"] == voucher_url(largest)
    scan = Attachment.objects.get(voucher=largest)
    digest = sha256(content)
    assert (scan.original_name, scan.content_type, scan.size, scan.sha256) == (
        name,
        content_type,
        len(content),
        digest,
    )
    assert scan.file.name == f"attachments/{digest[:2]}/{digest}" and scan.uploaded_by == treasurer
    assert (media_root / "attachments" / digest[:2] / digest).read_bytes() == content
    assert snapshot() == before  # the voucher itself is untouched
    event = AuditEvent.objects.get(action=AuditEvent.Action.ATTACHMENT_ADDED)
    assert event.object_id == str(scan.pk) and event.changes["sha256"] == digest and event.user == treasurer
    page = text(client.get(voucher_url(largest)))
    assert f"已上传附件：{name}" in page and reverse("ledger:attachment", args=[SLUG, YEAR, scan.pk]) in page


@pytest.mark.parametrize("role", ["treasurer", "committee", "auditor", "admin"])
def test_readers_get_the_scan_with_safe_headers(client_for, demo_scan, role):
    response = client_for(role).get(reverse("ledger:attachment", args=[SLUG, YEAR, demo_scan.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f"inline; filename*=utf-8''{quote('三八发票.pdf')}"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("norole", 403), ("outsider", 404)])
def test_nobody_else_gets_the_scan(client_for, demo_scan, role, status):
    response = client_for(role).get(reverse("ledger:attachment", args=[SLUG, YEAR, demo_scan.pk]))
    assert response.status_code == status
    assert not getattr(response, "streaming", False)


def test_media_is_not_served_by_any_public_url(client_for, demo_scan, settings):
    client = client_for("treasurer")
    for prefix in ("/media/", "/static/", "/"):
        assert client.get(prefix + demo_scan.file.name).status_code == 404


def test_a_missing_file_is_a_chinese_404_not_a_500(client_for, demo_scan):
    default_storage.delete(demo_scan.file.name)
    response = client_for("auditor").get(reverse("ledger:attachment", args=[SLUG, YEAR, demo_scan.pk]))
    assert response.status_code == 404 and "页面不存在" in text(response)


def refused_upload(client, voucher, file, message, media_root) -> None:
    before = snapshot()
    files_before = sorted(p.name for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
    scans, events = Attachment.objects.count(), AuditEvent.objects.count()
    response = client.post(voucher_url(voucher, "attachment_upload"), {"file": file} if file else {})
    assert response.status_code == 200
    assert message in text(response)
    assert snapshot() == before
    assert (Attachment.objects.count(), AuditEvent.objects.count()) == (scans, events)
    files_after = sorted(p.name for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
    assert files_after == files_before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("发票.pdf", b"just some text, not a PDF", "只能上传 PDF、JPEG 或 PNG 格式的扫描件"),
        ("invoice.exe", b"MZ\x90\x00\x03", "只能上传 PDF、JPEG 或 PNG 格式的扫描件"),
        ("page.html", b"<html><script>alert(1)</script>", "只能上传 PDF、JPEG 或 PNG 格式的扫描件"),
        ("scan.gif", b"GIF89a\x01\x00", "只能上传 PDF、JPEG 或 PNG 格式的扫描件"),
        ("发票.pdf", PNG, "与文件内容（image/png）不符"),
        ("scan.png", PDF, "与文件内容（application/pdf）不符"),
        ("scan.html", PDF, "与文件内容（application/pdf）不符"),
        ("scan", JPEG, "与文件内容（image/jpeg）不符"),
        ("empty.pdf", b"", "文件是空的"),
    ],
)
def test_wrong_files_are_refused(client_for, demo, largest, media_root, name, content, message):
    refused_upload(client_for("treasurer"), largest, upload(name, content), message, media_root)


def test_no_file_is_refused(client_for, largest, media_root):
    refused_upload(client_for("treasurer"), largest, None, "请选择要上传的扫描件", media_root)


def test_an_oversized_file_is_refused(client_for, largest, media_root, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = PDF + b"0" * (1024 * 1024)
    refused_upload(
        client_for("treasurer"), largest, upload("big.pdf", big), "文件太大：不能超过1 MB", media_root
    )


def test_the_default_limit_is_ten_megabytes(settings):
    assert settings.ATTACHMENT_MAX_BYTES == 10 * 1024 * 1024
    assert attachments.describe_limit() == "10 MB"


def test_the_same_scan_twice_on_one_voucher_is_refused(client_for, demo_scan, media_root):
    voucher = demo_scan.voucher
    refused_upload(
        client_for("treasurer"), voucher, upload("again.pdf", PDF), "这张凭证已经有这份扫描件了", media_root
    )


def test_the_same_scan_on_two_vouchers_is_stored_once(client_for, demo, demo_scan, media_root):
    other = nth(demo, 4)
    assert (
        client_for("treasurer")
        .post(voucher_url(other, "attachment_upload"), {"file": upload("复印.pdf", PDF)})
        .status_code
        == 302
    )
    copy = Attachment.objects.get(voucher=other)
    assert copy.file.name == demo_scan.file.name
    assert len([p for p in media_root.rglob("*") if p.is_file()]) == 1


def test_a_closed_year_takes_no_more_scans(client_for, demo, treasurer, largest, media_root):
    settle_year_end(demo, treasurer)
    services.close_year(year=demo, user=treasurer)
    client = client_for("treasurer")
    assert 'type="file"' not in text(client.get(voucher_url(largest)))
    refused_upload(client, largest, upload("late.pdf", PDF), "2012年度已结账，不能再添加附件", media_root)


@pytest.mark.parametrize(
    ("role", "status"), [("committee", 403), ("auditor", 403), ("outsider", 404), ("anonymous", 302)]
)
def test_only_the_treasurer_uploads(client_for, largest, media_root, role, status):
    before = Attachment.objects.count()
    response = client_for(role).post(
        voucher_url(largest, "attachment_upload"), {"file": upload("x.pdf", PDF)}
    )
    assert response.status_code == status
    assert Attachment.objects.count() == before
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_uploading_to_another_unions_voucher_through_our_url_is_404(client_for, other_year, media_root):
    voucher = other_year[2]
    url = reverse("ledger:attachment_upload", args=[SLUG, YEAR, voucher.pk])
    assert client_for("treasurer").post(url, {"file": upload("x.pdf", PDF)}).status_code == 404
    assert not Attachment.objects.filter(voucher=voucher).exists()


# --- 冲销 -----------------------------------------------------------------------------------------------


def test_the_treasurer_reverses_with_a_reason(demo, client_for, treasurer, largest):
    client = client_for("treasurer")
    response = client.post(
        voucher_url(largest, "voucher_reverse"), {"reason": "重复记账", "token": new_token()}
    )
    reversal = Voucher.objects.get(reverses=largest)
    assert response.status_code == 302 and response["Location"] == voucher_url(reversal)
    assert reversal.kind == Voucher.Kind.REVERSAL and reversal.date == largest.date
    assert reversal.full_no == "2012年12月 记-0007"  # December already holds six
    assert reversal.summary == "冲销2012年12月 记-0001号凭证：重复记账"
    assert [(line.account.code, line.debit.amount, line.credit.amount) for line in reversal.lines.all()] == [
        ("50801", Decimal("-5156.80"), Decimal("0.00")),
        ("102", Decimal("0.00"), Decimal("-5156.80")),
    ]
    response = client.get(voucher_url(reversal))
    page = text(response)
    assert "本凭证红字冲销了" in page and "2012年12月 记-0001" in page
    assert "已红字冲销2012年12月 记-0001：冲销凭证为2012年12月 记-0007" in page
    assert (
        response.content.decode().count('<span class="amount-red">-5,156.80</span>') == 4
    )  # lines and totals
    assert "负伍仟壹佰伍拾陆元捌角整" in page
    assert "冲销原因" not in page  # a reversal is not reversed again from the page
    original = text(client.get(voucher_url(largest)))
    assert "本凭证已被" in original and "2012年12月 记-0007" in original and "冲销原因" not in original


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(demo, client_for, largest, reason):
    before = snapshot()
    response = client_for("treasurer").post(
        voucher_url(largest, "voucher_reverse"), {"reason": reason, "token": new_token()}
    )
    assert response.status_code == 200 and snapshot() == before
    assert "请填写冲销原因" in text(response)


def test_a_long_reason_is_refused_and_kept(demo, client_for, largest):
    before = snapshot()
    reason = "原" * 151
    response = client_for("treasurer").post(
        voucher_url(largest, "voucher_reverse"), {"reason": reason, "token": new_token()}
    )
    assert response.status_code == 200 and snapshot() == before
    page = text(response)
    assert "冲销原因不能超过150字" in page and f'value="{reason}"' in page


def test_reversing_twice_or_reversing_a_reversal_is_refused(demo, client_for, treasurer, largest):
    reversal = services.reverse_voucher(voucher=largest, user=treasurer, reason="错")
    client = client_for("treasurer")
    before = snapshot()
    response = client.post(voucher_url(largest, "voucher_reverse"), {"reason": "再冲", "token": new_token()})
    assert response.status_code == 200 and "凭证2012年12月 记-0001已经冲销过" in text(response)
    response = client.post(
        voucher_url(reversal, "voucher_reverse"), {"reason": "冲红字", "token": new_token()}
    )
    assert response.status_code == 200 and "红字冲销凭证不能冲销" in text(response)
    opening = demo.vouchers.get(kind=Voucher.Kind.OPENING)
    response = client.post(
        voucher_url(opening, "voucher_reverse"), {"reason": "期初错", "token": new_token()}
    )
    assert response.status_code == 200 and "期初余额凭证不能冲销" in text(response)
    assert snapshot() == before


def test_a_closed_year_refuses_reversal(demo, client_for, treasurer, largest):
    settle_year_end(demo, treasurer)
    services.close_year(year=demo, user=treasurer)
    before = snapshot()
    response = client_for("treasurer").post(
        voucher_url(largest, "voucher_reverse"), {"reason": "晚了", "token": new_token()}
    )
    assert response.status_code == 200 and "2012年度已结账" in text(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("role", "status"), [("committee", 403), ("auditor", 403), ("outsider", 404), ("anonymous", 302)]
)
def test_only_the_treasurer_reverses(client_for, largest, role, status):
    client = client_for(role)
    before = snapshot()
    assert (
        client.post(
            voucher_url(largest, "voucher_reverse"), {"reason": "x", "token": new_token()}
        ).status_code
        == status
    )
    assert snapshot() == before
