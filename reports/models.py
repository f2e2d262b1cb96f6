"""The words of a union's 财务工作报告 for one year. Figures are never stored here: they come from the books."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class DateStyle(models.TextChoices):
    CHINESE = "chinese", "二〇一三年三月二十六日"
    NUMERIC = "numeric", "2013年3月26日"


class ReportText(models.Model):
    """The treasurer's editable paragraphs of one year's report; absent until first saved (defaults apply)."""

    union = models.ForeignKey(
        "ledger.Union", verbose_name="工会", on_delete=models.PROTECT, related_name="report_texts"
    )
    year = models.PositiveSmallIntegerField("年度")
    # The words the treasurer edits, in the order the form shows them (the labels are edited per line).
    TEXT_FIELDS = (
        "session",
        "salutation",
        "mandate",
        "opening",
        "priorities",
        "closing",
        "report_date",
        "date_style",
        "labels",
        "expense_order",
    )

    session = models.CharField(
        "大会届次", max_length=50, blank=True, help_text="如“第八届第四次会员代表大会”；填写后印在标题下"
    )
    salutation = models.CharField("称呼", max_length=100)
    mandate = models.TextField("开头语", max_length=500, help_text="写明向哪一届大会报告（届次），请予审议")
    opening = models.TextField("年度工作概述", max_length=3000)
    priorities = models.TextField(
        "今后财务工作的重点",
        max_length=5000,
        blank=True,
        help_text="每行一段，如“（一）……”；段首空两格由排版自动完成",
    )
    closing = models.TextField("结束语", max_length=2000)
    report_date = models.DateField("报告日期")
    date_style = models.CharField(
        "日期写法", max_length=10, choices=DateStyle.choices, default=DateStyle.CHINESE
    )
    # Account code → the words the report uses for it (e.g. 405 行政补助收入 → 单位补助).
    labels = models.JSONField("收支项目称谓", default=dict, blank=True)
    # The order of the spending lines in the report, as account codes (others follow by code).
    expense_order = models.JSONField("支出项目顺序", default=list, blank=True)
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
        verbose_name = "财务工作报告文字"
        verbose_name_plural = "财务工作报告文字"
        ordering = ["union", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["union", "year"], name="one_report_text_per_union_year"),
            models.CheckConstraint(
                condition=Q(date_style__in=DateStyle.values), name="report_date_style_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.union} {self.year}年度财务工作报告文字"


class RenderJob(models.Model):
    """A report file asked for in the browser and rendered by a background worker (``reports.jobs``).

    The task's own state (waiting, running, done, failed, its traceback) is the task library's
    (``django_tasks_db``); this row ties the latest attempt to the union-year and the file asked for, so
    the browser can poll it, twenty clicks on one report make one render, and a failure reads in Chinese.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    year = models.ForeignKey(
        "ledger.AccountingYear", on_delete=models.CASCADE, related_name="render_jobs", null=True, blank=True
    )
    # A file of a union's year that is not one of its books (the 总工会's table of the unions under it).
    union = models.ForeignKey(
        "ledger.Union", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    of_year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    kind = models.CharField("文件", max_length=32)
    month = models.PositiveSmallIntegerField("截止月份", default=12)
    param = models.CharField("参数", max_length=64, blank=True)  # which count, which order: the kind's own
    key = models.CharField("缓存键", max_length=64)
    task_id = models.CharField("任务", max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    error = models.TextField("出错原因", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "报表生成任务"
        verbose_name_plural = "报表生成任务"
        indexes = [models.Index(fields=["year", "kind", "month", "key"]), models.Index(fields=["created_at"])]
        constraints = [
            models.CheckConstraint(
                name="render_job_of_a_book_or_a_union_year",
                condition=Q(year__isnull=False, union__isnull=True, of_year__isnull=True)
                | Q(year__isnull=True, union__isnull=False, of_year__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year_id} {self.month}月"
