"""The auditor's remarks on vouchers: 已审查 marks and 疑点 (queries) with the treasurer's answers.

A remark never touches the books: it points at a voucher (and maybe one of its lines or scans) and keeps
its own thread. Figures are never stored here.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Remark(models.Model):
    """One 已审查 mark or one 疑点 on a posted voucher, by the 经费审查 member."""

    class Kind(models.TextChoices):
        CHECKED = "checked", "已审查"
        QUERY = "query", "疑点"

    class State(models.TextChoices):
        OPEN = "open", "待答复"
        ANSWERED = "answered", "已答复"
        CLOSED = "closed", "已关闭"

    voucher = models.ForeignKey(
        "ledger.Voucher", verbose_name="凭证", on_delete=models.PROTECT, related_name="remarks"
    )
    line = models.ForeignKey(
        "ledger.VoucherLine",
        verbose_name="分录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attachment = models.ForeignKey(
        "ledger.Attachment",
        verbose_name="扫描件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    state = models.CharField("状态", max_length=10, choices=State.choices)
    comment = models.TextField("意见", max_length=1000, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审查人", on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField("提出时间", auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="关闭人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)

    class Meta:
        verbose_name = "审查意见"
        verbose_name_plural = "审查意见"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["checked", "query"]), name="remark_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind="checked", state="closed", line__isnull=True, attachment__isnull=True)
                | Q(kind="query", state__in=["open", "answered", "closed"]),
                name="remark_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(line__isnull=True) | Q(attachment__isnull=True), name="remark_one_target"
            ),
        ]
        indexes = [models.Index(fields=["voucher", "state"], name="remark_voucher_state")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.comment[:30]}"


class Reply(models.Model):
    """One message in a 疑点's thread: the treasurer's answer (words, a new scan, a linked reversal), or the
    auditor's word when she keeps it open or closes it."""

    remark = models.ForeignKey(Remark, verbose_name="疑点", on_delete=models.PROTECT, related_name="replies")
    text = models.TextField("内容", max_length=1000, blank=True)
    attachment = models.ForeignKey(
        "ledger.Attachment",
        verbose_name="补充扫描件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reversal = models.ForeignKey(
        "ledger.Voucher",
        verbose_name="冲销凭证",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="答复人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "疑点答复"
        verbose_name_plural = "疑点答复"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:30]


class AuditReportText(models.Model):
    """The 经费审查委员会's editable words of one year's 经费审查报告; figures are never stored (they come from
    the report data, the same as the 财务工作报告's). Absent until first saved (defaults apply)."""

    TEXT_FIELDS = ("salutation", "mandate", "examined", "conclusions", "suggestions", "report_date")

    union = models.ForeignKey("ledger.Union", verbose_name="工会", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    salutation = models.CharField("称呼", max_length=100)
    mandate = models.TextField("开头语", max_length=500)
    examined = models.TextField("审查的范围和方式", max_length=3000)
    conclusions = models.TextField("审查结论", max_length=3000)
    suggestions = models.TextField("问题和建议", max_length=5000, blank=True, help_text="每行一段")
    report_date = models.DateField("报告日期")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField("修改时间")

    class Meta:
        verbose_name = "经费审查报告文字"
        verbose_name_plural = "经费审查报告文字"
        ordering = ["union", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["union", "year"], name="one_audit_text_per_union_year")
        ]

    def __str__(self) -> str:
        return f"{self.union} {self.year}年度经费审查报告文字"
