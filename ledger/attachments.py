"""Scanned receipts (原始凭证) attached to a voucher: the one write, and the check of what a file is.

A file's type is read from its first bytes, never trusted from its name or the browser's claim, and its
name must agree with what it is. Then the whole file must be what its first bytes say: an image that Pillow
decodes, or a PDF that pypdf parses with at least one page and no active content (JavaScript, an action on
opening, additional actions, launch or form-submission actions) — an HTML page behind ``%PDF-`` or a PNG
signature is refused. The file is stored under ``MEDIA_ROOT`` by its SHA-256 (see
``ledger.models.attachment_path``), so the same scan is kept once however often it is attached.
Only a view that checks the reader's role serves it back.
"""

import hashlib
import warnings
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
    uploaded.seek(0)
    try:
        if content_type == "application/pdf":
            _check_pdf(uploaded)
        else:
            _check_image(uploaded, "PNG" if content_type == "image/png" else "JPEG")
    finally:
        uploaded.seek(0)
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return content_type, digest.hexdigest()


def _check_image(uploaded: UploadedFile, image_format: str) -> None:
    """The whole file decodes as an image of ``image_format``, within Pillow's decompression-bomb limit."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(uploaded) as image:
                if image.format != image_format:
                    raise ValueError(image.format)
                image.verify()
            uploaded.seek(0)
            with Image.open(uploaded) as image:
                image.load()
    except Exception:  # Pillow raises many kinds (OSError, SyntaxError, ValueError, struct.error, …)
        raise AttachmentError(f"文件不是完整可读的 {image_format} 图片，请重新扫描或导出后上传") from None


# Names that make a PDF act when it is opened or clicked, rather than just show pages.
ACTIVE_PDF_KEYS = {
    "/JS",
    "/JavaScript",
    "/OpenAction",
    "/AA",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/XFA",
}
ACTIVE_PDF_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/ResetForm", "/Rendition"}


def _check_pdf(uploaded: UploadedFile) -> None:
    """A PDF that pypdf reads, with pages, and none of ``ACTIVE_PDF_KEYS`` anywhere in its object graph."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a scanner's sloppy xref is fine; what it holds is checked below
            reader = PdfReader(uploaded, strict=False)
            if len(reader.pages) == 0:
                raise ValueError("no pages")
            found = set()
            seen: set[tuple[int, int]] = set()
            stack: list = [reader.trailer]
            while stack:
                node = stack.pop()
                if isinstance(node, IndirectObject):
                    if (node.idnum, node.generation) in seen:
                        continue
                    seen.add((node.idnum, node.generation))
                    if len(seen) > 200_000:
                        raise ValueError("too many objects")
                    node = node.get_object()
                if isinstance(node, DictionaryObject):
                    found |= ACTIVE_PDF_KEYS & set(node.keys())
                    if node.get("/S") in ACTIVE_PDF_ACTIONS:
                        found.add(str(node.get("/S")))
                    stack.extend(node.values())
                elif isinstance(node, ArrayObject):
                    stack.extend(node)
    except AttachmentError:
        raise
    except Exception:  # pypdf raises PdfReadError, but also ValueError, KeyError, … on a broken file
        raise AttachmentError("文件不是完整可读的 PDF，请重新扫描或导出后上传") from None
    if found:
        raise AttachmentError(
            f"PDF 中含有脚本或自动执行的动作（{'、'.join(sorted(found))}），不能作为原始凭证上传；"
            "请用扫描仪或“打印为 PDF”重新生成"
        )


@transaction.atomic
def add_attachment(*, voucher: Voucher, uploaded: UploadedFile, user: AbstractBaseUser) -> Attachment:
    """Attach a scan to a voucher of an open year (while it is entered, or later), and record it in the audit
    trail.

    Refused (nothing written to the database) for a voucher of a closed year, a file that is not
    a PDF/JPEG/PNG by content, a name that disagrees with the content, an oversized file, or a scan the
    voucher already has.
    """
    voucher = Voucher.objects.select_related("year__union").get(pk=voucher.pk)
    if voucher.year.is_closed:
        raise ClosedYear(f"{voucher.year.year}年度已结账，不能再添加附件")
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
        summary=f"{voucher.full_no if voucher.is_posted else voucher.summary} 附件：{attachment.original_name}",
        changes={"voucher_id": voucher.pk, "sha256": sha256, "size": attachment.size, "type": content_type},
    )
    return attachment
