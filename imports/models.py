"""An upload of past books between its preview and its confirmation, and the vouchers each import wrote.

The uploaded file itself is kept by its SHA-256 under MEDIA_ROOT/imports/ (``imports.storage``); the batch row
says whose it is, for which union-year, and how far its confirmation has come. Every imported voucher keeps a
fingerprint of its content, so the same rows imported twice are refused (``imports.services``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from ledger.models import AccountingYear, Union, Voucher


class ImportBatch(models.Model):
    class Kind(models.TextChoices):
        VOUCHERS = "vouchers", "凭证（记账凭证模板）"
        CASHBOOK = "cashbook", "收支流水（现金/银行日记账模板）"
        OPENING = "opening", "期初余额（科目余额表）"

    class State(models.TextChoices):
        PREVIEW = "preview", "待确认"
        RUNNING = "running", "导入中"
        DONE = "done", "已导入"
        FAILED = "failed", "导入失败"

    union = models.ForeignKey(Union, verbose_name="工会", on_delete=models.PROTECT, related_name="+")
    year = models.ForeignKey(
        AccountingYear, verbose_name="会计年度", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PREVIEW)
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField("大小（字节）")
    row_count = models.PositiveIntegerField("行数", default=0)
    voucher_count = models.PositiveIntegerField("凭证数", default=0)
    done_count = models.PositiveIntegerField("已记账", default=0)
    message = models.CharField("结果", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-created_at", "-id"]
        constraints = [
            # The same file is imported into a union once (a second confirmation is refused by the database too).
            models.UniqueConstraint(
                fields=["union", "sha256", "kind"],
                condition=Q(state="done"),
                name="import_file_once_per_union",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_state_display()}）"


class ImportedVoucher(models.Model):
    """A voucher an import wrote, with the fingerprint of its content (date, 摘要, lines, n-th such in its file)."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name="导入批次", on_delete=models.PROTECT, related_name="+"
    )
    year = models.ForeignKey(
        AccountingYear, verbose_name="会计年度", on_delete=models.PROTECT, related_name="+"
    )
    voucher = models.OneToOneField(Voucher, verbose_name="凭证", on_delete=models.PROTECT, related_name="+")
    fingerprint = models.CharField("指纹", max_length=64)
    row = models.PositiveIntegerField("文件行号")

    class Meta:
        verbose_name = "导入的凭证"
        verbose_name_plural = "导入的凭证"
        constraints = [
            models.UniqueConstraint(fields=["year", "fingerprint"], name="imported_voucher_once_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row} → {self.voucher_id}"
