"""Scanned receipts (原始凭证) attached to a posted voucher: the one write, and the check of what a file is.

A file's type is read from its first bytes, never trusted from its name or the browser's claim, and its
name must agree with what it is. The file is stored under ``MEDIA_ROOT`` by its SHA-256 (see
``ledger.models.attachment_path``), so the same scan is kept once however often it is attached.
Only a view that checks the reader's role serves it back.
"""

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from audit import trail as audit
from ledger.errors import ClosedYear, LedgerError
from ledger.models import Attachment, AuditEvent, Voucher

# (first bytes, content type, file-name endings that may carry it)
KINDS = [
    (b"%PDF-", "application/pdf", {".pdf"}),
    (b"\xff\xd8\xff", "image/jpeg", {".jpg", ".jpeg"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {".png"}),
]
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class AttachmentError(LedgerError):
    """A file that is not a PDF, JPEG or PNG scan, is too large, or does not fit the voucher."""


def max_bytes() -> int:
    return settings.ATTACHMENT_MAX_BYTES


def describe_limit() -> str:
    size = max_bytes()
    return f"{size // (1024 * 1024)} MB" if size % (1024 * 1024) == 0 else f"{size} 字节"


def sniff(head: bytes) -> tuple[str, set[str]] | None:
    """The content type the first bytes prove, with the file-name endings allowed for it; None if none."""
    for magic, content_type, endings in KINDS:
        if head.startswith(magic):
            return content_type, endings
    return None


def check_file(uploaded: UploadedFile) -> tuple[str, str]:
    """Return (content type, sha256) of an uploaded scan, or raise AttachmentError in Chinese."""
    name = PurePath(uploaded.name or "").name
    if uploaded.size is None or uploaded.size == 0:
        raise AttachmentError("文件是空的，请重新选择扫描件")
    if uploaded.size > max_bytes():
        raise AttachmentError(f"文件太大：不能超过{describe_limit()}")
    uploaded.seek(0)
    head = uploaded.read(16)
    kind = sniff(head)
    if kind is None:
        raise AttachmentError("只能上传 PDF、JPEG 或 PNG 格式的扫描件（按文件内容判断）")
    content_type, endings = kind
    if PurePath(name.lower()).suffix not in endings:
        raise AttachmentError(f"文件名“{name}”与文件内容（{content_type}）不符，请检查后重新上传")
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return content_type, digest.hexdigest()


@transaction.atomic
def add_attachment(*, voucher: Voucher, uploaded: UploadedFile, user: AbstractBaseUser) -> Attachment:
    """Attach a scan to a posted voucher of an open year, and record it in the audit trail.

    Refused (nothing written to the database) for a draft, a voucher of a closed year, a file that is not
    a PDF/JPEG/PNG by content, a name that disagrees with the content, an oversized file, or a scan the
    voucher already has.
    """
    voucher = Voucher.objects.select_related("year__union").get(pk=voucher.pk)
    if voucher.year.is_closed:
        raise ClosedYear(f"{voucher.year.year}年度已结账，不能再添加附件")
    if not voucher.is_posted:
        raise AttachmentError("只能给已记账的凭证添加附件")
    content_type, sha256 = check_file(uploaded)
    if voucher.attachments.filter(sha256=sha256).exists():
        raise AttachmentError("这张凭证已经有这份扫描件了")
    attachment = Attachment(
        voucher=voucher,
        sha256=sha256,
        original_name=PurePath(uploaded.name).name[:200],
        content_type=content_type,
        size=uploaded.size,
        uploaded_by=user,
    )
    path = attachment.file.field.generate_filename(attachment, attachment.original_name)
    storage = attachment.file.storage
    if storage.exists(path):
        attachment.file.name = path  # the same scan, already kept under its hash
    else:
        attachment.file.save(attachment.original_name, uploaded, save=False)
    attachment.full_clean(exclude=["file"])
    attachment.save()
    audit.record(
        AuditEvent.Action.ATTACHMENT_ADDED,
        user=user,
        union=voucher.year.union,
        obj=attachment,
        summary=f"{voucher.year.year}年{voucher.voucher_no} 附件：{attachment.original_name}",
        changes={"voucher_id": voucher.pk, "sha256": sha256, "size": attachment.size, "type": content_type},
    )
    return attachment
