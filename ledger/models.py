"""The books of a grassroots union: organisations, the chart of accounts, years, vouchers and their lines.

Models stay thin: fields, constraints and names. Every rule that needs more than one row lives in
``ledger.services`` (and, where the database can, in the triggers of migration 0002).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
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
    # On for a new union: 制单 and 记账 by one person is what the auditor flags first. A one-person union
    # turns it off and posts its own vouchers, which then say 未经他人审核.
    review_required = models.BooleanField(
        "凭证须经审核",
        default=True,
        help_text="开启后，记收入、记支出、记凭证保存为未审核凭证，须由另一位会计主管/审核审核后才能记账",
    )
    cashier_sign_required = models.BooleanField(
        "现金、银行凭证须出纳签字",
        default=False,
        help_text="开启后，涉及库存现金或银行存款的凭证须出纳签字后才能记账",
    )
    province = models.CharField(
        "省份", max_length=20, blank=True, help_text="经费开支标准因省而异，如“内蒙古”"
    )
    # A 分工会 (a union with a parent) either keeps books of its own (its own years, chart extension, vouchers and
    # numbering; the parent's figures are consolidated with them) or none: then the parent's voucher lines name
    # it as a dimension (辅助核算 部门/分会, ``VoucherLine.branch``). The union chooses per branch.
    keeps_books = models.BooleanField(
        "单独建账",
        default=True,
        help_text="分工会单独建账（有自己的会计年度和凭证）；关闭则不建账，在上级工会的凭证分录上按分会辅助核算",
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
    # A chart loaded by ``import_chart`` (a corrected version of a chart file) keeps that file's forms,
    # suggestions and labels: the code of the file, empty for a chart that is itself a file.
    form_code = models.CharField("报表格式依据", max_length=20, blank=True)

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
    code_source = models.CharField("编码来源", max_length=200, blank=True)
    code_provisional = models.BooleanField("编码待核对", default=False)

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
    # One more than the vouchers posted in the year (the bound of ledger.money); the year row is locked with
    # SELECT ... FOR UPDATE while posting, which also keeps each month's 凭证号 gapless.
    next_number = models.PositiveIntegerField("已记账凭证数加一", default=1, editable=False)

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
    """The 凭证号 as printed, e.g. 记-0001 (numbered per month at 记账; an unposted voucher has none yet)."""
    return f"记-{number:04d}" if number else "未编号"


def voucher_full_no(year: int, month: int | None, number: int | None) -> str:
    """The 凭证号 with its month, as lists and references print it: 2012年3月 记-0003."""
    return f"{year}年{month}月 {voucher_no(number)}" if number and month else voucher_no(number)


class CounterpartyKind(models.TextChoices):
    """Whether a voucher's payer or payee (``Voucher.counterparty``) is a 单位 or a 个人; blank: not said (vouchers
    entered before it was asked, or entered without it)."""

    UNIT = "unit", "单位"
    PERSON = "person", "个人"


class Voucher(models.Model):
    """A 记账凭证. Drafts may change; a posted voucher never does (a correction is a reversal voucher)."""

    class State(models.TextChoices):
        """制单 → 审核 → 记账. A draft is editable by its preparer; 反审核 returns a reviewed voucher to draft."""

        DRAFT = "draft", "未审核"
        REVIEWED = "reviewed", "已审核"
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
    # The month the number belongs to (凭证号 run per union and month), set with the number at 记账.
    month = models.PositiveSmallIntegerField("凭证月份", null=True, blank=True, editable=False)
    date = models.DateField("日期")
    summary = models.CharField("摘要", max_length=200)
    counterparty = models.CharField("对方单位/个人", max_length=100, blank=True)
    counterparty_kind = models.CharField(
        "对方类型", max_length=6, choices=CounterpartyKind.choices, blank=True, default="", db_default=""
    )
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
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    cashier_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="出纳",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cashier_signed_at = models.DateTimeField("出纳签字时间", null=True, blank=True)
    created_at = models.DateTimeField("制单时间", auto_now_add=True)
    posted_at = models.DateTimeField("记账时间", null=True, blank=True)

    class Meta:
        verbose_name = "记账凭证"
        verbose_name_plural = "记账凭证"
        ordering = ["year", "date", "number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month", "number"], name="voucher_number_unique_in_month"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        state="draft",
                        number__isnull=True,
                        month__isnull=True,
                        reviewed_by__isnull=True,
                        posted_at__isnull=True,
                        posted_by__isnull=True,
                    )
                    | Q(
                        state="reviewed",
                        number__isnull=True,
                        month__isnull=True,
                        reviewed_by__isnull=False,
                        posted_at__isnull=True,
                        posted_by__isnull=True,
                    )
                    | Q(
                        state="posted",
                        number__isnull=False,
                        month__isnull=False,
                        posted_at__isnull=False,
                        posted_by__isnull=False,
                    )
                ),
                name="voucher_state_consistent",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True, reviewed_at__isnull=True)
                | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                name="voucher_review_recorded",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=F("prepared_by")),
                name="voucher_reviewer_not_preparer",
            ),
            models.CheckConstraint(
                condition=Q(cashier_signed_by__isnull=True, cashier_signed_at__isnull=True)
                | Q(cashier_signed_by__isnull=False, cashier_signed_at__isnull=False),
                name="voucher_cashier_signature_recorded",
            ),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12), name="voucher_month_valid"
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
            ("review_voucher", "审核凭证（审核、反审核、记账）"),
            ("read_books", "查阅账簿和凭证"),
            ("download_reports", "查看和下载财务报告、报表"),
            ("read_audit_trail", "查看操作记录（审计轨迹）"),
            ("close_year", "年度结账"),
            ("read_federation", "查看所属工会汇总表（总工会）"),
        ]

    def __str__(self) -> str:
        return f"{self.voucher_no} {self.summary}"

    @property
    def voucher_no(self) -> str:
        return voucher_no(self.number)

    @property
    def full_no(self) -> str:
        """2012年3月 记-0003."""
        return voucher_full_no(self.year.year, self.month, self.number)

    @property
    def is_posted(self) -> bool:
        return self.state == self.State.POSTED

    @property
    def self_posted(self) -> bool:
        """Posted without review by another person (制单 and 记账 by one user, nobody 审核): 未经他人审核."""
        return self.is_posted and self.reviewed_by_id is None and self.posted_by_id == self.prepared_by_id


class VoucherLine(models.Model):
    """One 分录: an account and either a 借方 or a 贷方 amount, never both, never zero.

    A negative (红字) amount only on a line of a 红字冲销 voucher that mirrors a line of its original: same
    account, same side, the amount negated (the trigger of migration 0013 refuses any other).
    """

    voucher = models.ForeignKey(Voucher, verbose_name="凭证", on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField("行号")
    account = models.ForeignKey(Account, verbose_name="科目", on_delete=models.PROTECT, related_name="lines")
    debit = MoneyField("借方金额", default=0, **MONEY)
    credit = MoneyField("贷方金额", default=0, **MONEY)
    memo = models.CharField("摘要", max_length=200, blank=True)
    # 辅助核算: the 分工会 without books of its own that this line belongs to (None: the union itself).
    branch = models.ForeignKey(
        Union,
        verbose_name="分会（辅助核算）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "分录"
        verbose_name_plural = "分录"
        ordering = ["voucher", "position"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gt=0) | Q(debit__lt=0)) & Q(credit=0)
                | Q(debit=0) & (Q(credit__gt=0) | Q(credit__lt=0)),
                name="line_one_side_nonzero",
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
        VOUCHER_CHANGED = "voucher_changed", "修改凭证"
        VOUCHER_REVIEWED = "voucher_reviewed", "审核"
        VOUCHER_UNREVIEWED = "voucher_unreviewed", "反审核"
        CASHIER_SIGNED = "cashier_signed", "出纳签字"
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
        BOOKS_IMPORTED = "books_imported", "导入账簿"
        # The auditor's seat and the bank (apps review and bank).
        VOUCHER_CHECKED = "voucher_checked", "凭证已审查"
        QUERY_RAISED = "query_raised", "提出疑点"
        QUERY_ANSWERED = "query_answered", "答复疑点"
        QUERY_CLOSED = "query_closed", "关闭疑点"
        QUERY_KEPT_OPEN = "query_kept_open", "疑点保持未决"
        STATEMENT_UPLOADED = "statement_uploaded", "上传银行对账单"
        BANK_MATCHED = "bank_matched", "银行对账"
        CASH_COUNTED = "cash_counted", "现金盘点"

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


class VoucherTemplate(models.Model):
    """A 常用凭证: a voucher's 摘要 and lines saved under a name (提现, 存现, 拨缴经费 60/40 …) to start 记凭证 from.

    It holds account codes and amounts as the treasurer saved them; nothing is posted from it without her.
    """

    union = models.ForeignKey(
        Union, verbose_name="工会", on_delete=models.CASCADE, related_name="voucher_templates"
    )
    name = models.CharField("名称", max_length=40)
    summary = models.CharField("摘要", max_length=200)
    lines = models.JSONField("分录", default=list, help_text="[[科目编码, 借方, 贷方, 行摘要], …]")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="保存人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("保存时间", auto_now_add=True)

    class Meta:
        verbose_name = "常用凭证"
        verbose_name_plural = "常用凭证"
        ordering = ["union", "name"]
        constraints = [models.UniqueConstraint(fields=["union", "name"], name="voucher_template_name_unique")]

    def __str__(self) -> str:
        return self.name


class DayTotal(models.Model):
    """Derived, never written by the app: one account's posted 借 and 贷 on one day of one year, in 分.

    Kept by the database in the transaction that posts a voucher (the triggers of migration 0018 add the
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
    # How many posted lines the row sums (migration 0020): a book page counts its month's lines from here.
    line_count = models.BigIntegerField("分录数", default=0, db_default=0)

    class Meta:
        verbose_name = "科目日发生额"
        verbose_name_plural = "科目日发生额"
        constraints = [
            models.UniqueConstraint(fields=["year", "account", "date", "part"], name="daytotal_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.account_id} 借{self.debit_fen} 贷{self.credit_fen}"


class Allocation(models.Model):
    """补助下级 / 下拨: an amount from a union to one of its 分工会 that keeps its own books, written on both sides in
    one action (``ledger.services.allocate_to_branch``): the parent's 补助下级支出 voucher and the branch's 上级补助收入
    voucher, posted together (at once, or where the parent requires review when its side is posted). Consolidated
    figures eliminate it (``ledger.queries.consolidation``). The two red vouchers of its 红字冲销 are linked by an
    ``Allocation`` of their own (their vouchers are 红字冲销, not ordinary: never eliminated, they cancel it)."""

    parent_voucher = models.OneToOneField(
        Voucher, verbose_name="上级工会凭证", on_delete=models.PROTECT, related_name="allocation_out"
    )
    branch_voucher = models.OneToOneField(
        Voucher, verbose_name="分工会凭证", on_delete=models.PROTECT, related_name="allocation_in"
    )
    amount_fen = models.BigIntegerField("金额（分）")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "补助下级（下拨）"
        verbose_name_plural = "补助下级（下拨）"
        ordering = ["parent_voucher"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="allocation_positive")]

    def __str__(self) -> str:
        return f"{self.parent_voucher_id} → {self.branch_voucher_id} {self.amount_fen}分"
