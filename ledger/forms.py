"""The treasurer's forms. They check shape only (a date, an amount, a choice from the list);
the rules of the books stay in ``ledger.services`` and come back onto a form with ``add_error``.

Forms never query the database: the view passes the accounts a form may offer, so a forged id
(another union's 明细科目, an account of another chart) is simply not among the choices.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone

from ledger.attachments import ACCEPT, AttachmentError, check_file
from ledger.errors import AmountError, DateOutsideYear, LedgerError, UnknownAccount
from ledger.models import Account, AccountingYear, AccountType, CounterpartyKind, Voucher
from ledger.money import parse_amount_input
from ledger.queries.books import LineKey
from ledger.submissions import new_token

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
VIA_CHOICES = [("bank", "银行存款"), ("cash", "库存现金")]


def _counterparty_kind_field(label: str) -> forms.ChoiceField:
    """单位 or 个人, for the payer/payee beside it; may be left unchosen (``Voucher.counterparty_kind``)."""
    return forms.ChoiceField(
        label=label,
        choices=CounterpartyKind.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "对方类型只能是“单位”或“个人”"},
    )


STALE_FORM = "表单已失效，请刷新页面后重新填写"
ENTRY_TYPES = [AccountType.INCOME, AccountType.EXPENSE]  # what a 收入 or 支出 may be booked to
LINE_ROWS = 6  # blank rows of a general voucher: enough for most entries without JavaScript
MAX_LINES = 30


def account_label(account: Account) -> str:
    """``50104 其他活动支出`` or, for a 明细科目, ``5010401 其他活动支出 › 三八妇女节活动``."""
    if account.parent_id and account.parent is not None:
        return f"{account.code} {account.parent.name} › {account.name}"
    return f"{account.code} {account.name}"


class AccountField(forms.ChoiceField):
    """A choice among the accounts the view offers; cleans to the ``Account`` itself."""

    default_error_messages = {"invalid_choice": "请从列表中选择科目", "required": "请选择科目"}

    def __init__(self, *, grouped: bool = False, empty_label: str = "请选择…", **kwargs):
        self.grouped = grouped
        self.empty_label = empty_label
        self.accounts: dict[str, Account] = {}
        super().__init__(**kwargs)

    def set_accounts(self, accounts: Iterable[Account]) -> None:
        self.accounts = {str(account.pk): account for account in accounts}
        options = list(self.accounts.values())
        if self.grouped:
            groups = [
                (label, [(str(a.pk), account_label(a)) for a in options if a.type == value])
                for value, label in AccountType.choices
            ]
            choices = [(label, items) for label, items in groups if items]
        else:
            choices = [(str(a.pk), account_label(a)) for a in options]
        self.choices = [("", self.empty_label), *choices]

    def clean(self, value):
        value = super().clean(value)
        return self.accounts.get(value) if value else None


class AmountField(forms.CharField):
    """An amount as the treasurer types it (``1,234.50``, ``1234.5元``); cleans to an exact ``Decimal``, or
    None when left empty and not required. What is not an exact amount is refused, never rounded."""

    def __init__(self, *, max_length: int = 30, widget=None, **kwargs):
        widget = widget or forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(max_length=max_length, widget=widget, **kwargs)

    def clean(self, value) -> Decimal | None:
        text = super().clean(value)
        if text in self.empty_values:
            return None
        try:
            return parse_amount_input(text)
        except AmountError as error:
            raise forms.ValidationError(error.message) from None


class CountField(forms.IntegerField):
    """A count of pieces (附单据数); left empty it is 0."""

    def clean(self, value) -> int:
        return super().clean(value) or 0


def _date_field(**kwargs) -> forms.DateField:
    return forms.DateField(
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写日期", "invalid": "日期格式不正确，请按 2012-03-08 填写"},
        **kwargs,
    )


class LedgerErrorsMixin:
    """Put a ``LedgerError`` from a service back on the field it is about (or on the form)."""

    error_fields: dict[type, str] = {}

    def add_ledger_error(self, error: LedgerError) -> None:
        for kind, field in self.error_fields.items():
            if isinstance(error, kind) and field in self.fields:
                self.add_error(field, error.message)
                return
        self.add_error(None, error.message)


class OnceForm(forms.Form):
    """A form that posts a voucher: a one-time token per rendered form, so a second submit makes nothing."""

    token = forms.CharField(
        widget=forms.HiddenInput,
        initial=new_token,
        validators=[RegexValidator(r"^[0-9a-f]{32}\Z", message=STALE_FORM)],
        error_messages={"required": STALE_FORM, "invalid": STALE_FORM},
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


MAX_SCANS_AT_ONCE = 20


class ScansField(forms.FileField):
    """Scans of the original documents chosen while entering a voucher (none, one or several), each checked
    for what it is (``ledger.attachments.check_file``) before anything is written."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "原始凭证扫描件（可多选，PDF、JPEG 或 PNG，可不传）")
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, (list, tuple)) else [data]) if item]
        if len(files) > MAX_SCANS_AT_ONCE:
            raise forms.ValidationError(f"一次最多上传{MAX_SCANS_AT_ONCE}个扫描件")
        for item in files:
            try:
                check_file(item)
            except AttachmentError as error:
                raise forms.ValidationError(f"{item.name}：{error.message}") from None
        return files


class YearBoundForm(LedgerErrorsMixin, forms.Form):
    """A form that writes into one accounting year: its dates must fall inside that year."""

    def __init__(self, *args, year: AccountingYear, **kwargs):
        self.year = year
        super().__init__(*args, **kwargs)
        if "date" in self.fields:
            self.fields["date"].widget.attrs.update(
                {"min": f"{year.year}-01-01", "max": f"{year.year}-12-31"}
            )
            today = timezone.localdate()
            if not self.is_bound and today.year == year.year:
                self.initial.setdefault("date", today)

    def clean_date(self) -> datetime.date:
        date = self.cleaned_data["date"]
        if date.year != self.year.year:
            raise forms.ValidationError(
                f"日期{date.year}年{date.month}月{date.day}日不在{self.year.year}年度内"
            )
        return date


def _summary_field() -> forms.CharField:
    """A voucher's 摘要: required, at most 200 characters."""
    return forms.CharField(
        label="摘要",
        max_length=200,
        error_messages={"required": "请填写摘要", "max_length": "摘要不能超过200字"},
    )


def _via_field(**kwargs) -> forms.ChoiceField:
    """现金 or 银行存款, the bank first."""
    return forms.ChoiceField(
        choices=VIA_CHOICES,
        widget=forms.RadioSelect,
        initial="bank",
        error_messages={"required": "请选择现金或银行存款", "invalid_choice": "请选择现金或银行存款"},
        **kwargs,
    )


def _money_amount_field() -> AmountField:
    """The 金额 a receipt, a payment or a 补助下级 asks for: one amount, typed as on a calculator."""
    return AmountField(
        label="金额（元）",
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "1,234.50"}
        ),
        error_messages={"required": "请输入金额"},
    )


def _branch_field() -> forms.TypedChoiceField:
    """分会 (辅助核算 部门/分会): one of the union's 分工会 that keep no books of their own, or none. Its choices
    come from the view (``offer_branches``); a union without such branches is not offered the field at all."""
    return forms.TypedChoiceField(
        label="分会（辅助核算，可不选）",
        choices=[],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "请从列表中选择分会（本工会不单独建账的分工会）"},
    )


def offer_branches(form: forms.Form, branches: Iterable) -> None:
    """The ``branch`` field's choices, the union's 分工会 without books (by id); or no field where there are none."""
    branches = list(branches)
    if branches:
        form.fields["branch"].choices = [("", "（不选）")] + [(str(b.pk), b.name) for b in branches]
    else:
        del form.fields["branch"]


class _EntryForm(OnceForm, YearBoundForm):
    """What a 收入 and a 支出 share: category, amount, date, cash or bank, 摘要, counterparty."""

    error_fields = {AmountError: "amount", UnknownAccount: "category", DateOutsideYear: "date"}

    category = AccountField(label="类别（科目）")
    amount = _money_amount_field()
    date = _date_field(label="日期")
    via = _via_field()
    summary = _summary_field()
    attachment_count = CountField(
        label="附单据数（张）",
        min_value=0,
        max_value=999,
        required=False,
        initial=0,
        error_messages={
            "invalid": "附单据数须是整数",
            "min_value": "附单据数不能是负数",
            "max_value": "附单据数不能超过999",
        },
    )

    scans = ScansField()
    branch = _branch_field()

    def __init__(self, *args, categories: Iterable[Account], branches: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].set_accounts(categories)
        offer_branches(self, branches)


class ReceiptForm(_EntryForm):
    """A 收入: money comes in to the bank or the cash box, credited to an income account."""

    account_type = AccountType.INCOME

    payer = forms.CharField(
        label="交款单位/个人（可不填）",
        max_length=100,
        required=False,
        error_messages={"max_length": "交款单位/个人不能超过100字"},
    )
    payer_kind = _counterparty_kind_field("交款方是（可不选）")

    field_order = [
        "category",
        "branch",
        "amount",
        "date",
        "via",
        "summary",
        "payer",
        "payer_kind",
        "attachment_count",
        "scans",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].label = "收入类别"
        self.fields["via"].label = "存入"


class PaymentForm(_EntryForm):
    """A 支出: money goes out of the bank or the cash box, debited to a spending account."""

    account_type = AccountType.EXPENSE

    payee = forms.CharField(
        label="收款单位/个人（可不填）",
        max_length=100,
        required=False,
        error_messages={"max_length": "收款单位/个人不能超过100字"},
    )
    payee_kind = _counterparty_kind_field("收款方是（可不选）")

    field_order = [
        "category",
        "branch",
        "amount",
        "date",
        "via",
        "summary",
        "payee",
        "payee_kind",
        "attachment_count",
        "scans",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].label = "支出类别"
        self.fields["via"].label = "付款方式"


class VoucherForm(OnceForm, YearBoundForm):
    """The head of a general 记账凭证; its lines are a ``LineFormSet``."""

    date = _date_field(label="日期")
    summary = _summary_field()
    counterparty = forms.CharField(
        label="对方单位/个人（可不填）",
        max_length=100,
        required=False,
        error_messages={"max_length": "对方单位/个人不能超过100字"},
    )
    counterparty_kind = _counterparty_kind_field("对方是（可不选）")
    attachment_count = _EntryForm.base_fields["attachment_count"]
    scans = ScansField()

    error_fields = {DateOutsideYear: "date"}


class LineForm(forms.Form):
    """One 分录 row: an account and a 借方 or a 贷方 amount. A row left wholly blank is ignored."""

    account = AccountField(label="会计科目", required=False, grouped=True, empty_label="（空行）")
    debit = AmountField(label="借方金额", required=False)
    credit = AmountField(label="贷方金额", required=False)
    memo = forms.CharField(label="行摘要", max_length=200, required=False)
    branch = _branch_field()

    def __init__(self, *args, accounts: Iterable[Account], branches: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].set_accounts(accounts)
        self.fields["branch"].label = "分会"
        offer_branches(self, branches)

    @property
    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (
            data.get("account")
            or data.get("debit")
            or data.get("credit")
            or data.get("memo")
            or data.get("branch")
        )

    def clean(self):
        data = super().clean()
        if self.errors or self.is_blank:
            return data
        if not data.get("account"):
            raise forms.ValidationError("请为这一行选择会计科目")
        if data.get("debit") and data.get("credit"):
            raise forms.ValidationError("一行只能填借方或贷方，不能两边都填")
        if not data.get("debit") and not data.get("credit"):
            raise forms.ValidationError("请填写这一行的借方或贷方金额")
        return data


class BaseLineFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if len(self.lines()) < 2:
            raise forms.ValidationError("一张记账凭证至少要有两行分录（一借一贷）")

    def lines(self) -> list[dict]:
        return [form.cleaned_data for form in self.forms if form.cleaned_data and not form.is_blank]


LineFormSet = forms.formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=LINE_ROWS,
    max_num=MAX_LINES,
    absolute_max=MAX_LINES,
    validate_max=True,
)


class SubAccountForm(LedgerErrorsMixin, forms.Form):
    """A union's own 明细科目 under an income or spending account."""

    parent = AccountField(label="上级科目", grouped=True)
    name = forms.CharField(
        label="明细科目名称",
        max_length=60,
        error_messages={"required": "请填写明细科目名称", "max_length": "名称不能超过60字"},
    )

    error_fields = {UnknownAccount: "parent"}

    def __init__(self, *args, parents: Iterable[Account], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].set_accounts(parents)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("请填写明细科目名称")
        return name


class BatchForm(forms.Form):
    """审核 or 记账 of the vouchers ticked in the list."""

    action = forms.ChoiceField(
        choices=[("review", "审核"), ("post", "记账")], error_messages={"required": "请选择操作"}
    )
    ids = forms.TypedMultipleChoiceField(
        coerce=int, error_messages={"required": "请先勾选凭证", "invalid_choice": "所选凭证不存在或已处理"}
    )

    def __init__(self, *args, choices: Iterable[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(pk, pk) for pk in choices]


class ReverseForm(LedgerErrorsMixin, OnceForm):
    reason = forms.CharField(
        label="冲销原因",
        max_length=150,
        error_messages={"required": "请填写冲销原因", "max_length": "冲销原因不能超过150字"},
    )


class AttachmentForm(LedgerErrorsMixin, forms.Form):
    file = forms.FileField(
        label="原始凭证扫描件（PDF、JPEG 或 PNG）",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": "请选择要上传的扫描件",
            "empty": "文件是空的，请重新选择扫描件",
            "invalid": "没有收到文件，请重新选择",
            "max_length": "文件名太长",
        },
        max_length=200,
    )


class OpenYearForm(LedgerErrorsMixin, forms.Form):
    year = forms.IntegerField(
        label="年度",
        min_value=1950,
        max_value=2200,
        error_messages={
            "required": "请填写年度",
            "invalid": "年度须是四位数字",
            "min_value": "年度不正确",
            "max_value": "年度不正确",
        },
    )
    chart = forms.ChoiceField(
        label="会计制度",
        required=False,
        help_text="一般按年度自动选择：2022年起为2021年《工会会计制度》，之前为2009年制度。",
        error_messages={"invalid_choice": "请从列表中选择会计制度"},
    )

    def __init__(self, *args, charts: Iterable[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chart"].choices = [("", "按年度自动选择（推荐）"), *charts]


STATE_CHOICES = [("", "全部"), *Voucher.State.choices]


class VoucherFilterForm(forms.Form):
    """The filters of the voucher list (GET). Every field is optional."""

    state = forms.ChoiceField(label="状态", choices=STATE_CHOICES, required=False)
    scans_differ = forms.BooleanField(label="附单据数与扫描件数不符", required=False)

    start = _date_field(label="起始日期", required=False)
    end = _date_field(label="截止日期", required=False)
    category = AccountField(label="收支类别", required=False, empty_label="全部")
    account = AccountField(label="会计科目", required=False, grouped=True, empty_label="全部")
    min_amount = AmountField(label="金额从", required=False)
    max_amount = AmountField(label="金额到", required=False)
    q = forms.CharField(label="摘要含", max_length=100, required=False)

    def __init__(self, *args, categories: Iterable[Account], accounts: Iterable[Account], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].set_accounts(categories)
        self.fields["account"].set_accounts(accounts)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "截止日期不能早于起始日期")
        low, high = data.get("min_amount"), data.get("max_amount")
        if low is not None and high is not None and low > high:
            self.add_error("max_amount", "金额上限不能小于下限")
        return data


MONTH_CHOICES = [(str(month), f"{month}月") for month in range(1, 13)]


class MonthForm(forms.Form):
    """Which page of a 日记账 / 明细账 (GET): a month, and where in it (keys from the page's own links)."""

    month = forms.TypedChoiceField(
        label="月份",
        choices=MONTH_CHOICES,
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "请选择1至12月"},
    )
    after = forms.CharField(required=False, widget=forms.HiddenInput)
    before = forms.CharField(required=False, widget=forms.HiddenInput)
    last = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def _key(self, name: str):
        text = self.cleaned_data.get(name) or ""
        if not text:
            return None
        try:
            return LineKey.parse(text)
        except ValueError:
            raise forms.ValidationError("翻页位置无效，已显示本月第一页") from None

    def clean_after(self):
        return self._key("after")

    def clean_before(self):
        return self._key("before")


class MonthRangeForm(forms.Form):
    """The months of a 科目余额表 (GET); empty means the whole year."""

    start = forms.TypedChoiceField(
        label="起始月份",
        choices=MONTH_CHOICES,
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "请选择1至12月"},
    )
    end = forms.TypedChoiceField(
        label="截止月份",
        choices=MONTH_CHOICES,
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "请选择1至12月"},
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "截止月份不能早于起始月份")
        return data


class CloseYearForm(LedgerErrorsMixin, forms.Form):
    confirm = forms.BooleanField(
        label="我已核对以上检查结果，确认结账。结账后本年度不能再记账，各科目余额结转下年。",
        error_messages={"required": "请勾选确认后再结账"},
    )


class ReopenYearForm(LedgerErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="反结账原因",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写反结账原因", "max_length": "反结账原因不能超过200字"},
    )


class OpeningBalanceForm(LedgerErrorsMixin, OnceForm):
    """期初余额 of a year a union starts keeping here: cash and bank, less what is owed upward; the rest is 结余."""

    cash = AmountField(label="库存现金", required=False)
    bank = AmountField(label="银行存款", required=False)
    payable_upper = AmountField(label="应付上级经费（年初尚未上缴的部分，没有则不填）", required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("cash") or data.get("bank")):
            raise forms.ValidationError("请至少填写库存现金或银行存款的期初余额")
        return data


class VoucherTemplateForm(forms.Form):
    """存为常用凭证: the name a voucher's 摘要 and lines are kept under."""

    name = forms.CharField(
        label="常用凭证名称",
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "如 提现、存现、拨缴经费"}),
        error_messages={"required": "请填写常用凭证的名称", "max_length": "名称不能超过40字"},
    )


class AllocationForm(OnceForm, YearBoundForm):
    """补助下级 (下拨) to a 分工会 that keeps its own books: posted in both books at once."""

    error_fields = {AmountError: "amount", DateOutsideYear: "date"}

    branch = forms.ChoiceField(
        label="分工会", error_messages={"required": "请选择分工会", "invalid_choice": "请选择分工会"}
    )
    amount = _money_amount_field()
    date = _date_field(label="日期")
    via = _via_field(label="付款方式")
    summary = _summary_field()

    field_order = ["branch", "amount", "date", "via", "summary"]

    def __init__(self, *args, branches: Iterable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [("", "（请选择）")] + [(b.slug, b.name) for b in branches]
