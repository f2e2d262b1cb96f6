"""The books of a grassroots union: organisations, the chart of accounts, years, vouchers and their lines.

Models stay thin: fields, constraints and names. Every rule that needs more than one row lives in
``ledger.services`` (and, where the database can, in the triggers of migration 0002).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from djmoney.models.fields import MoneyField

MONEY = {"max_digits": 18, "decimal_places": 2, "default_currency": "CNY"}


def default_signatures() -> list[list[str]]:
    """The signature lines every printout of a union carries, as [title, name]; a union may rename or add."""
    return [["工会主席", ""], ["财务负责人", ""], ["审核", ""], ["制表", ""]]


class Union(models.Model):
    """A 工会组织: a grassroots union, or a 分工会 under its parent."""

    name = models.CharField("名称", max_length=100)
    slug = models.SlugField("简称", max_length=50, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级工会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="branches",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="成员", blank=True, related_name="unions"
    )
    signatures = models.JSONField(
        "签字栏",
        default=default_signatures,
        blank=True,
        help_text='报告和报表末尾的签字栏，按顺序每项为 [职务, 姓名]，姓名可空，如 ["工会主席", ""]',
    )

    class Meta:
        verbose_name = "工会组织"
        verbose_name_plural = "工会组织"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Chart(models.Model):
    """One version of the 工会会计制度's chart of accounts; a revision of the 制度 is a new chart."""

    code = models.CharField("版本", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    effective_from = models.DateField("施行日期")
    # The accounts the books are built around, named per chart because a revision of the 制度 may renumber them.
    cash_code = models.CharField("库存现金科目", max_length=20)
    bank_code = models.CharField("银行存款科目", max_length=20)
    surplus_code = models.CharField("结余科目", max_length=20, help_text="年末收入、支出结转入此净资产科目")
    payable_upper_code = models.CharField("应付上级经费科目", max_length=20, blank=True)

    class Meta:
        verbose_name = "会计制度"
        verbose_name_plural = "会计制度"
        ordering = ["effective_from"]

    def __str__(self) -> str:
        return self.name


class AccountType(models.TextChoices):
    ASSET = "asset", "资产"
    LIABILITY = "liability", "负债"
    NET_ASSETS = "net_assets", "净资产"
    INCOME = "income", "收入"
    EXPENSE = "expense", "支出"


DEBIT_NORMAL_TYPES = frozenset({AccountType.ASSET, AccountType.EXPENSE})


class Account(models.Model):
    """A 会计科目. Those of the 制度 have no union; a union adds its own 明细科目 beneath them.

    A child's code starts with its parent's code, so "an account and its children" is a code prefix.
    """

    chart = models.ForeignKey(
        Chart, verbose_name="会计制度", on_delete=models.PROTECT, related_name="accounts"
    )
    union = models.ForeignKey(
        Union,
        verbose_name="所属工会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="own_accounts",
        help_text="为空表示会计制度规定的科目",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级科目",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField("科目编码", max_length=20)
    name = models.CharField("科目名称", max_length=60)
    type = models.CharField("类别", max_length=12, choices=AccountType.choices)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "会计科目"
        verbose_name_plural = "会计科目"
        ordering = ["chart", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["chart", "code"], condition=Q(union__isnull=True), name="account_code_unique_in_chart"
            ),
            models.UniqueConstraint(
                fields=["chart", "union", "code"],
                condition=Q(union__isnull=False),
                name="account_code_unique_in_union",
            ),
            models.CheckConstraint(condition=Q(type__in=AccountType.values), name="account_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def debit_normal(self) -> bool:
        return self.type in DEBIT_NORMAL_TYPES


class AccountingYear(models.Model):
    """A union's 会计年度: a calendar year kept on one chart, open until it is closed (结账)."""

    union = models.ForeignKey(Union, verbose_name="工会", on_delete=models.PROTECT, related_name="years")
    year = models.PositiveSmallIntegerField("年度")
    chart = models.ForeignKey(Chart, verbose_name="会计制度", on_delete=models.PROTECT, related_name="+")
    is_closed = models.BooleanField("已结账", default=False)
    closed_at = models.DateTimeField("结账时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="结账人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The next 凭证号; locked with SELECT ... FOR UPDATE while posting so numbers stay gapless.
    next_number = models.PositiveIntegerField("下一凭证号", default=1, editable=False)

    class Meta:
        verbose_name = "会计年度"
        verbose_name_plural = "会计年度"
        ordering = ["union", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["union", "year"], name="one_year_per_union"),
            models.CheckConstraint(condition=Q(year__gte=1950, year__lte=2200), name="year_in_range"),
            models.CheckConstraint(condition=Q(next_number__gte=1), name="next_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.union} {self.year}年度"

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)


def voucher_no(number: int | None) -> str:
    """The 凭证号 as printed, e.g. 记-0001 (a draft has none yet)."""
    return f"记-{number:04d}" if number else "草稿"


class Voucher(models.Model):
    """A 记账凭证. Drafts may change; a posted voucher never does (a correction is a reversal voucher)."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        POSTED = "posted", "已记账"

    class Kind(models.TextChoices):
        NORMAL = "normal", "记账"
        OPENING = "opening", "期初余额"
        CLOSING = "closing", "期末结转"
        REVERSAL = "reversal", "红字冲销"

    year = models.ForeignKey(
        AccountingYear, verbose_name="会计年度", on_delete=models.PROTECT, related_name="vouchers"
    )
    number = models.PositiveIntegerField("凭证号", null=True, blank=True, editable=False)
    date = models.DateField("日期")
    summary = models.CharField("摘要", max_length=200)
    counterparty = models.CharField("对方单位/个人", max_length=100, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.NORMAL)
    reverses = models.OneToOneField(
        "self",
        verbose_name="冲销的凭证",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    attachment_count = models.PositiveSmallIntegerField("附单据数", default=0)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="制单", on_delete=models.PROTECT, related_name="+"
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记账",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("制单时间", auto_now_add=True)
    posted_at = models.DateTimeField("记账时间", null=True, blank=True)

    class Meta:
        verbose_name = "记账凭证"
        verbose_name_plural = "记账凭证"
        ordering = ["year", "number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="voucher_number_unique_in_year"),
            models.CheckConstraint(
                condition=(
                    Q(state="draft", number__isnull=True, posted_at__isnull=True)
                    | Q(
                        state="posted", number__isnull=False, posted_at__isnull=False, posted_by__isnull=False
                    )
                ),
                name="voucher_state_consistent",
            ),
            models.CheckConstraint(
                condition=Q(kind="reversal", reverses__isnull=False)
                | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="voucher_reversal_points_at_original",
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=1), name="voucher_number_positive"
            ),
        ]
        indexes = [models.Index(fields=["year", "date"], name="voucher_year_date")]
        permissions = [
            ("record_voucher", "记账（录入、记账、冲销凭证）"),
            ("read_books", "查阅账簿和凭证"),
            ("download_reports", "查看和下载财务报告、报表"),
            ("read_audit_trail", "查看操作记录（审计轨迹）"),
            ("close_year", "年度结账"),
        ]

    def __str__(self) -> str:
        return f"{self.voucher_no} {self.summary}"

    @property
    def voucher_no(self) -> str:
        return voucher_no(self.number)

    @property
    def is_posted(self) -> bool:
        return self.state == self.State.POSTED


class VoucherLine(models.Model):
    """One 分录: an account and either a 借方 or a 贷方 amount, never both, never zero or negative."""

    voucher = models.ForeignKey(Voucher, verbose_name="凭证", on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField("行号")
    account = models.ForeignKey(Account, verbose_name="科目", on_delete=models.PROTECT, related_name="lines")
    debit = MoneyField("借方金额", default=0, **MONEY)
    credit = MoneyField("贷方金额", default=0, **MONEY)
    memo = models.CharField("摘要", max_length=200, blank=True)

    class Meta:
        verbose_name = "分录"
        verbose_name_plural = "分录"
        ordering = ["voucher", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(debit__gt=0, credit=0) | Q(debit=0, credit__gt=0), name="line_one_positive_side"
            ),
            models.CheckConstraint(
                condition=Q(debit_currency="CNY", credit_currency="CNY"), name="line_currency_cny"
            ),
            models.UniqueConstraint(fields=["voucher", "position"], name="line_position_unique"),
        ]
        indexes = [models.Index(fields=["account", "voucher"], name="line_account_voucher")]

    def __str__(self) -> str:
        side = f"借 {self.debit.amount}" if self.debit.amount else f"贷 {self.credit.amount}"
        return f"{self.account} {side}"


class Submission(models.Model):
    """The one-time token of a rendered entry form, consumed in the transaction that made its voucher.

    Posting the same form again (a double click, a resent request, two tabs at once) finds the token taken
    and shows this voucher instead of making another (``ledger.submissions``).
    """

    token = models.CharField("表单令牌", max_length=32, unique=True)
    voucher = models.OneToOneField(
        Voucher, verbose_name="凭证", on_delete=models.PROTECT, related_name="submission"
    )
    at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "表单提交"
        verbose_name_plural = "表单提交"

    def __str__(self) -> str:
        return f"{self.token} → {self.voucher_id}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Named by content hash, never by the uploaded name: not guessable, and the same scan is stored once.
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """A scanned receipt (原始凭证) attached to a voucher. Served only through a permission-checking view."""

    voucher = models.ForeignKey(
        Voucher, verbose_name="凭证", on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["voucher", "uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="attachment_type_allowed",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class AuditEvent(models.Model):
    """One entry of the audit trail (操作记录). Append-only: the database refuses updates and deletes."""

    class Action(models.TextChoices):
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOGOUT = "logout", "退出"
        VOUCHER_CREATED = "voucher_created", "填制凭证"
        VOUCHER_POSTED = "voucher_posted", "凭证记账"
        VOUCHER_REVERSED = "voucher_reversed", "冲销凭证"
        DRAFT_DELETED = "draft_deleted", "删除草稿"
        OPENING_RECORDED = "opening_recorded", "录入期初余额"
        ACCOUNT_ADDED = "account_added", "增加明细科目"
        ATTACHMENT_ADDED = "attachment_added", "上传附件"
        REPORT_TEXT_CHANGED = "report_text_changed", "修改报告文字"
        YEAR_OPENED = "year_opened", "建立年度账套"
        YEAR_CLOSED = "year_closed", "年度结账"
        YEAR_REOPENED = "year_reopened", "反结账"
        USER_CHANGED = "user_changed", "用户或角色变更"
        BACKUP_RESTORED = "backup_restored", "恢复备份"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    action = models.CharField("操作", max_length=30, choices=Action.choices)
    union = models.ForeignKey(
        Union,
        verbose_name="工会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    object_type = models.CharField("对象类型", max_length=50, blank=True)
    object_id = models.CharField("对象", max_length=50, blank=True)
    summary = models.CharField("说明", max_length=300, blank=True)
    ip_address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)

    class Meta:
        verbose_name = "操作记录"
        verbose_name_plural = "操作记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["union", "at"], name="audit_union_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"


class DayTotal(models.Model):
    """Derived, never written by the app: one account's posted 借 and 贷 on one day of one year, in 分.

    Kept by the database in the transaction that posts a voucher (the triggers of migration 0021 add the
    voucher's lines when it turns posted; posted lines never change, so nothing else needs upkeep), and
    refused to anything else: PostgreSQL lets only those triggers write here, SQLite refuses any write that
    leaves a row unequal to the posted lines. ``part`` is the voucher's place in the period rule
    (``ledger.queries.balances.period``): the opening voucher and its reversals, the closing voucher
    (结转) and its reversals, or everything else. ``manage.py verify_books`` recomputes every row from the
    lines; ``ledger.totals`` rebuilds them after a restore.
    """

    class Part(models.TextChoices):
        OPENING = "opening", "期初"
        NORMAL = "normal", "本期"
        CLOSING = "closing", "结转"

    year = models.ForeignKey(
        AccountingYear, verbose_name="会计年度", on_delete=models.PROTECT, related_name="+"
    )
    account = models.ForeignKey(Account, verbose_name="科目", on_delete=models.PROTECT, related_name="+")
    date = models.DateField("日期")
    part = models.CharField("部分", max_length=10, choices=Part.choices)
    debit_fen = models.BigIntegerField("借方（分）", default=0)
    credit_fen = models.BigIntegerField("贷方（分）", default=0)

    class Meta:
        verbose_name = "科目日发生额"
        verbose_name_plural = "科目日发生额"
        constraints = [
            models.UniqueConstraint(fields=["year", "account", "date", "part"], name="daytotal_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.account_id} 借{self.debit_fen} 贷{self.credit_fen}"
