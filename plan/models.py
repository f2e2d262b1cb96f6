"""Plan, dues and rules: the year's budget, the members' dues, the 2% levy settings and the spending rules.

Models stay thin: fields, constraints and names. Amounts here are plans and rates, never books: every
figure of the books comes from ``ledger.queries``. Money is ``DecimalField`` to the 分 (summed in Python as
``Decimal``, never in SQL).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

AMOUNT = {"max_digits": 18, "decimal_places": 2}


class Rounding(models.TextChoices):
    FEN = "fen", "到分（四舍五入）"
    JIAO = "jiao", "到角（四舍五入）"
    YUAN = "yuan", "到元（四舍五入）"


class PlanSettings(models.Model):
    """A union's own rules: the levy share, the dues rate and rounding, budget adjustments (its province, which
    spending rules apply, is the union's own ``Union.province``)."""

    union = models.OneToOneField(
        "ledger.Union", verbose_name="工会", on_delete=models.PROTECT, related_name="plan_settings"
    )
    levy_kept_percent = models.DecimalField(
        "拨缴经费基层留成比例（%）",
        max_digits=5,
        decimal_places=2,
        default=Decimal("60.00"),
        help_text="收到的2%工会经费中本会留用的比例，其余记应付上级经费",
    )
    dues_permille = models.DecimalField(
        "会费比例（‰）", max_digits=5, decimal_places=2, default=Decimal("5.00")
    )
    dues_rounding = models.CharField("会费取整", max_length=4, choices=Rounding.choices, default=Rounding.FEN)
    budget_adjustments = models.PositiveSmallIntegerField(
        "每年预算调整次数上限", default=1, help_text="预算批准后一年内最多调整几次"
    )

    class Meta:
        verbose_name = "工会经费设置"
        verbose_name_plural = "工会经费设置"
        constraints = [
            models.CheckConstraint(
                condition=Q(levy_kept_percent__gte=0, levy_kept_percent__lte=100),
                name="plan_levy_share_range",
            ),
            models.CheckConstraint(
                condition=Q(dues_permille__gt=0, dues_permille__lte=100), name="plan_dues_rate_range"
            ),
            models.CheckConstraint(
                condition=Q(dues_rounding__in=Rounding.values), name="plan_rounding_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.union} 经费设置"


# --- the budget ----------------------------------------------------------------------------------------


class Budget(models.Model):
    """A union-year's 预算: one amount per income or spending category, approved on a date."""

    union = models.ForeignKey("ledger.Union", verbose_name="工会", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    approved_on = models.DateField("批准日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "年度预算"
        verbose_name_plural = "年度预算"
        ordering = ["union", "-year"]
        constraints = [models.UniqueConstraint(fields=["union", "year"], name="plan_one_budget_per_year")]

    def __str__(self) -> str:
        return f"{self.union} {self.year}年度预算"


class BudgetLine(models.Model):
    """The budgeted amount of one category (a first-level account or a 明细科目)."""

    budget = models.ForeignKey(Budget, verbose_name="预算", on_delete=models.CASCADE, related_name="lines")
    account = models.ForeignKey(
        "ledger.Account", verbose_name="科目", on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField("预算金额", **AMOUNT)

    class Meta:
        verbose_name = "预算项目"
        verbose_name_plural = "预算项目"
        ordering = ["budget", "account__code"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "account"], name="plan_budget_line_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="plan_budget_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount}"


class BudgetAdjustment(models.Model):
    """One 预算调整 after approval, kept: what changed (account code → [before, after]) and why."""

    budget = models.ForeignKey(
        Budget, verbose_name="预算", on_delete=models.PROTECT, related_name="adjustments"
    )
    date = models.DateField("调整日期")
    reason = models.CharField("调整原因", max_length=200)
    changes = models.JSONField("调整内容", default=dict)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="调整人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "预算调整"
        verbose_name_plural = "预算调整"
        ordering = ["budget", "date", "id"]

    def __str__(self) -> str:
        return f"{self.budget} {self.date} {self.reason}"


# --- members and dues ----------------------------------------------------------------------------------


class MemberStatus(models.TextChoices):
    ACTIVE = "active", "在职"
    RETIRED = "retired", "退休"
    LEFT = "left", "离开"


class Member(models.Model):
    """A 会员 on the roster. Dues are due each month from the month joined while 在职."""

    union = models.ForeignKey("ledger.Union", verbose_name="工会", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=50)
    department = models.CharField("部门/分会", max_length=50)
    wage_base = models.DecimalField("月工资基数（元）", **AMOUNT)
    joined = models.DateField("入会日期")
    status = models.CharField(
        "状态", max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )

    class Meta:
        verbose_name = "会员"
        verbose_name_plural = "会员"
        ordering = ["union", "department", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["union", "department", "name"], name="plan_member_unique"),
            models.CheckConstraint(condition=Q(wage_base__gte=0), name="plan_wage_base_not_negative"),
            models.CheckConstraint(
                condition=Q(status__in=MemberStatus.values), name="plan_member_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.name}"


class RosterChanges(models.Model):
    """How many members of a union's roster were written (added, changed or removed), counted by the database
    (migration 0003: triggers on ``plan_member``), however they were written. What is kept of the roster's
    figures (the 总工会's table's 收缴率) holds while this count stands."""

    union = models.OneToOneField(
        "ledger.Union", verbose_name="工会", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    changes = models.BigIntegerField("会员名册变动次数", default=0)

    class Meta:
        verbose_name = "会员名册变动计数"
        verbose_name_plural = "会员名册变动计数"

    def __str__(self) -> str:
        return f"{self.union_id}: {self.changes}"


class DuesPayment(models.Model):
    """A member's dues of one month, collected on the voucher that posted the department's month."""

    member = models.ForeignKey(Member, verbose_name="会员", on_delete=models.PROTECT, related_name="dues")
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    amount = models.DecimalField("会费", **AMOUNT)
    voucher = models.ForeignKey(
        "ledger.Voucher", verbose_name="凭证", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "会费收缴"
        verbose_name_plural = "会费收缴"
        ordering = ["year", "month", "member"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year", "month"], name="plan_dues_once_a_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="plan_dues_month_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="plan_dues_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.year}年{self.month}月 {self.amount}"


# --- spending rules and the facts of a payment ---------------------------------------------------------


class Purpose(models.TextChoices):
    FESTIVAL = "festival", "节日慰问"
    BIRTHDAY = "birthday", "生日慰问"
    WEDDING = "wedding", "结婚慰问"
    BIRTH = "birth", "生育慰问"
    ILLNESS = "illness", "生病住院慰问"
    DEATH = "death", "会员去世慰问"
    RELATIVE_DEATH = "relative_death", "直系亲属去世慰问"
    RETIREMENT = "retirement", "退休慰问"
    WELFARE = "welfare", "福利、补贴"
    OUTING = "outing", "文体活动、旅游"
    HARDSHIP = "hardship", "困难帮扶"
    OTHER = "other", "其他"


class GiftForm(models.TextChoices):
    GOODS = "goods", "实物"
    CASH = "cash", "现金"
    SHOPPING_CARD = "card", "购物卡"
    PICKUP_VOUCHER = "pickup", "提货券"
    ORGANISED = "organised", "统一组织（付给供应商）"


class RuleKind(models.TextChoices):
    BANNED_FORM = "banned_form", "禁止的发放形式"
    PER_HEAD_CAP = "per_head_cap", "每人每次限额"
    ANNUAL_PER_HEAD_CAP = "annual_cap", "每人每年限额"
    CASH_THRESHOLD = "cash_threshold", "现金支付限额"


class SpendingRule(models.Model):
    """One rule on spending, as data: national (no province) or a province's, in force between two dates."""

    code = models.SlugField("编号", max_length=60, unique=True)
    title = models.CharField("规定", max_length=200)
    province = models.CharField("省份", max_length=20, blank=True, help_text="空表示全国性规定")
    kind = models.CharField("类型", max_length=20, choices=RuleKind.choices)
    purposes = models.JSONField(
        "适用用途", default=list, blank=True, help_text="用途代码列表；空表示所有用途"
    )
    forms = models.JSONField("禁止的发放形式", default=list, blank=True)
    limit = models.DecimalField("限额（元）", null=True, blank=True, **AMOUNT)
    valid_from = models.DateField("施行日期", null=True, blank=True)
    valid_to = models.DateField("截止日期", null=True, blank=True)
    source = models.CharField("依据", max_length=200)
    note = models.CharField("说明", max_length=300, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "经费使用规定"
        verbose_name_plural = "经费使用规定"
        ordering = ["province", "kind", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RuleKind.values), name="plan_rule_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind="banned_form") | Q(limit__isnull=False, limit__gte=0),
                name="plan_rule_has_limit",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="plan_rule_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province or '全国'}：{self.title}"


class PaymentFacts(models.Model):
    """What a rule needs to know about a 支出 besides its amount: purpose, 人数, 形式, 人均; and the
    treasurer's reason when she recorded it despite a warning (the warnings as they were then)."""

    voucher = models.OneToOneField(
        "ledger.Voucher", verbose_name="凭证", on_delete=models.PROTECT, related_name="payment_facts"
    )
    purpose = models.CharField("用途", max_length=20, choices=Purpose.choices, blank=True)
    form = models.CharField("发放形式", max_length=10, choices=GiftForm.choices, blank=True)
    headcount = models.PositiveIntegerField("人数", null=True, blank=True)
    per_head = models.DecimalField("人均（元）", null=True, blank=True, **AMOUNT)
    paid_in_cash = models.BooleanField("现金支付", default=False)
    warnings = models.JSONField("记账时的提示", default=list, blank=True)
    reason = models.CharField("仍然记账的理由", max_length=200, blank=True)
    over_budget = models.BooleanField("超预算", default=False)

    class Meta:
        verbose_name = "支出合规信息"
        verbose_name_plural = "支出合规信息"
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose__in=[*Purpose.values, ""]), name="plan_facts_purpose_valid"
            ),
            models.CheckConstraint(
                condition=Q(form__in=[*GiftForm.values, ""]), name="plan_facts_form_valid"
            ),
            models.CheckConstraint(
                condition=Q(per_head__isnull=True) | Q(per_head__gte=0), name="plan_facts_per_head_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voucher} {self.get_purpose_display()}"
