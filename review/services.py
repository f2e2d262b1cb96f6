"""The auditor's writes and the treasurer's answers. None of them touches the books.

- ``mark_checked``: the 经费审查 marks a posted voucher 已审查;
- ``raise_query``: she raises a 疑点 on a voucher, one of its lines or one of its scans, with a comment;
- ``answer_query``: the treasurer answers with words, a new scan (through ``ledger.attachments``) and/or the
  reversal voucher she posted for it;
- ``close_query`` / ``keep_open``: the auditor closes it, or keeps it open with a word why.

Each runs in one transaction with its audit record and raises ``LedgerError`` (Chinese) without writing.
Who may call which is the views' business (``ledger.access``: ``need="audit"`` or ``"record"``).
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from audit import trail as audit
from ledger import attachments
from ledger.errors import LedgerError
from ledger.models import Attachment, AuditEvent, Voucher, VoucherLine
from review.models import AuditReportText, Remark, Reply

MAX_TEXT = 1000


def _text(text: str, *, what: str, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise LedgerError(f"请填写{what}")
    if len(text) > MAX_TEXT:
        raise LedgerError(f"{what}不能超过{MAX_TEXT}字")
    return text


def _posted(voucher: Voucher) -> Voucher:
    voucher = Voucher.objects.select_related("year__union").get(pk=voucher.pk)
    if not voucher.is_posted:
        raise LedgerError("只能审查已记账的凭证")
    return voucher


def voucher_label(voucher: Voucher) -> str:
    return voucher.full_no  # 2012年3月 记-0003: numbers run per month


@transaction.atomic
def mark_checked(*, voucher: Voucher, user: AbstractBaseUser, comment: str = "") -> Remark:
    voucher = _posted(voucher)
    comment = _text(comment, what="审查意见", required=False)
    now = timezone.now()
    remark = Remark.objects.create(
        voucher=voucher,
        kind=Remark.Kind.CHECKED,
        state=Remark.State.CLOSED,
        comment=comment,
        raised_by=user,
        closed_by=user,
        closed_at=now,
    )
    audit.record(
        AuditEvent.Action.VOUCHER_CHECKED,
        user=user,
        union=voucher.year.union,
        obj=voucher,
        summary=f"{voucher_label(voucher)} 已审查" + (f"：{comment}" if comment else ""),
    )
    return remark


@transaction.atomic
def raise_query(
    *,
    voucher: Voucher,
    user: AbstractBaseUser,
    comment: str,
    line: VoucherLine | None = None,
    attachment: Attachment | None = None,
) -> Remark:
    """A 疑点 on the voucher, or on one of its own lines or scans (a line or scan of another voucher is refused)."""
    voucher = _posted(voucher)
    comment = _text(comment, what="疑点说明", required=True)
    if line is not None and attachment is not None:
        raise LedgerError("疑点只能针对一条分录或一份扫描件，不能同时针对两者")
    if line is not None and line.voucher_id != voucher.pk:
        raise LedgerError("这条分录不属于本凭证")
    if attachment is not None and attachment.voucher_id != voucher.pk:
        raise LedgerError("这份扫描件不属于本凭证")
    remark = Remark.objects.create(
        voucher=voucher,
        line=line,
        attachment=attachment,
        kind=Remark.Kind.QUERY,
        state=Remark.State.OPEN,
        comment=comment,
        raised_by=user,
    )
    target = ""
    if line is not None:
        target = f"第{line.position}行分录"
    elif attachment is not None:
        target = f"扫描件 {attachment.original_name}"
    audit.record(
        AuditEvent.Action.QUERY_RAISED,
        user=user,
        union=voucher.year.union,
        obj=voucher,
        summary=f"{voucher_label(voucher)}{(' ' + target) if target else ''} 疑点：{comment}",
        changes={"remark_id": remark.pk, "state": [None, remark.get_state_display()]},
    )
    return remark


def _query(remark: Remark, *, lock: bool = True) -> Remark:
    found = Remark.objects.select_for_update() if lock else Remark.objects
    remark = found.select_related("voucher__year__union").get(pk=remark.pk)
    if remark.kind != Remark.Kind.QUERY:
        raise LedgerError("这不是疑点")
    return remark


def _move(remark: Remark, state: str, *, user: AbstractBaseUser, action: str, summary: str, **extra) -> None:
    before = remark.get_state_display()
    remark.state = state
    if state == Remark.State.CLOSED:
        remark.closed_by, remark.closed_at = user, timezone.now()
    else:
        remark.closed_by, remark.closed_at = None, None
    remark.save(update_fields=["state", "closed_by", "closed_at"])
    audit.record(
        action,
        user=user,
        union=remark.voucher.year.union,
        obj=remark.voucher,
        summary=summary,
        changes={"remark_id": remark.pk, "state": [before, remark.get_state_display()], **extra},
    )


@transaction.atomic
def answer_query(
    *,
    remark: Remark,
    user: AbstractBaseUser,
    text: str = "",
    uploaded: UploadedFile | None = None,
    reversal: Voucher | None = None,
) -> Reply:
    """The treasurer's answer: words, a new scan on the voucher, and/or the reversal that corrects it."""
    remark = _query(remark)
    if remark.state == Remark.State.CLOSED:
        raise LedgerError("疑点已关闭，不能再答复")
    text = _text(text, what="答复", required=False)
    if not text and uploaded is None and reversal is None:
        raise LedgerError("请填写答复说明，或上传扫描件，或关联冲销凭证")
    if reversal is not None:
        reversal = Voucher.objects.select_related("year").get(pk=reversal.pk)
        if not (reversal.is_posted and reversal.reverses_id == remark.voucher_id):
            raise LedgerError(f"{voucher_label(reversal)}不是冲销本凭证的凭证")
    scan = (
        attachments.add_attachment(voucher=remark.voucher, uploaded=uploaded, user=user) if uploaded else None
    )
    reply = Reply.objects.create(remark=remark, text=text, attachment=scan, reversal=reversal, by=user)
    parts = [text] if text else []
    if scan is not None:
        parts.append(f"补充扫描件 {scan.original_name}")
    if reversal is not None:
        parts.append(f"关联冲销凭证 {voucher_label(reversal)}")
    _move(
        remark,
        Remark.State.ANSWERED,
        user=user,
        action=AuditEvent.Action.QUERY_ANSWERED,
        summary=f"{voucher_label(remark.voucher)} 答复疑点：{'；'.join(parts)}",
        reply_id=reply.pk,
    )
    return reply


@transaction.atomic
def close_query(*, remark: Remark, user: AbstractBaseUser, text: str = "") -> Remark:
    remark = _query(remark)
    if remark.state == Remark.State.CLOSED:
        raise LedgerError("疑点已经关闭")
    text = _text(text, what="意见", required=False)
    if text:
        Reply.objects.create(remark=remark, text=text, by=user)
    _move(
        remark,
        Remark.State.CLOSED,
        user=user,
        action=AuditEvent.Action.QUERY_CLOSED,
        summary=f"{voucher_label(remark.voucher)} 关闭疑点" + (f"：{text}" if text else ""),
    )
    return remark


@transaction.atomic
def keep_open(*, remark: Remark, user: AbstractBaseUser, text: str) -> Remark:
    """The answer does not settle it: back to 待答复, with the auditor's word why."""
    remark = _query(remark)
    if remark.state == Remark.State.CLOSED:
        raise LedgerError("疑点已经关闭")
    text = _text(text, what="保持未决的理由", required=True)
    Reply.objects.create(remark=remark, text=text, by=user)
    _move(
        remark,
        Remark.State.OPEN,
        user=user,
        action=AuditEvent.Action.QUERY_KEPT_OPEN,
        summary=f"{voucher_label(remark.voucher)} 疑点保持未决：{text}",
    )
    return remark


@transaction.atomic
def save_audit_text(*, year, values: dict, user: AbstractBaseUser) -> AuditReportText:
    """Store the 经费审查报告's words for the union-year; the trail records the fields changed, before and after."""
    from review.report import text_values  # noqa: PLC0415 - the defaults live with the report data

    current = text_values(year).as_dict()
    text = AuditReportText.objects.select_for_update().filter(union_id=year.union_id, year=year.year).first()
    if text is None:
        text = AuditReportText(union_id=year.union_id, year=year.year)
    for key in AuditReportText.TEXT_FIELDS:
        setattr(text, key, values[key])
    text.updated_by = user
    text.updated_at = timezone.now()
    try:
        text.full_clean()
    except Exception as error:  # noqa: BLE001 - a ValidationError's messages, in Chinese, for the form
        raise LedgerError("；".join(getattr(error, "messages", [str(error)]))) from None
    text.save()
    after = {key: str(getattr(text, key)) for key in AuditReportText.TEXT_FIELDS}
    changed = [key for key in AuditReportText.TEXT_FIELDS if current[key] != after[key]]
    audit.record(
        AuditEvent.Action.REPORT_TEXT_CHANGED,
        user=user,
        union=year.union,
        obj=text,
        summary=f"修改{year.year}年度经费审查报告文字："
        + "、".join(str(AuditReportText._meta.get_field(key).verbose_name) for key in changed),
        changes={"before": {k: current[k] for k in changed}, "after": {k: after[k] for k in changed}},
    )
    return text
