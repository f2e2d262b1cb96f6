"""The plan's forms: shape only (an amount, a date, a choice); rules stay in ``plan.services``."""

from django import forms

from ledger.forms import (
    VIA_CHOICES,
    AmountField,
    CountField,
    LedgerErrorsMixin,
    OnceForm,
    YearBoundForm,
    _date_field,
)
from plan import queries
from plan.models import GiftForm, MemberStatus, PlanSettings, Purpose, Rounding

MONTHS = [(m, f"{m}月") for m in range(1, 13)]


class PaymentFactsForm(forms.Form):
    """The field group under the 支出 form: what a spending rule needs to know (optional for most spending)."""

    purpose = forms.ChoiceField(
        label="用途", choices=[("", "（不涉及发放给会员）"), *Purpose.choices], required=False
    )
    form = forms.ChoiceField(label="发放形式", choices=[("", "—"), *GiftForm.choices], required=False)
    headcount = forms.IntegerField(
        label="人数",
        min_value=1,
        max_value=1_000_000,
        required=False,
        error_messages={"invalid": "人数须是整数", "min_value": "人数至少为1"},
    )
    per_head = AmountField(label="人均（元，可不填，按金额÷人数计算）", required=False)
    reason = forms.CharField(
        label="仍然记账的理由（出现提示时填写）",
        max_length=200,
        required=False,
        error_messages={"max_length": "理由不能超过200字"},
    )

    def __init__(self, *args, year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year

    @property
    def needing_ids(self) -> list[int]:
        """The spending categories whose payments reach members: the page shows this group for those only."""
        from plan.hooks import needs_facts  # noqa: PLC0415 - the one list of such categories

        if self.year is None:
            return []
        return [account.pk for account in queries.fact_categories(self.year) if needs_facts(account)]

    def clean(self):
        data = super().clean()
        if data.get("purpose") and data.get("purpose") != Purpose.OTHER:
            if not data.get("form"):
                self.add_error("form", "请选择发放形式")
            if not data.get("headcount"):
                self.add_error("headcount", "请填写人数")
        data["reason"] = (data.get("reason") or "").strip()
        return data


class SettingsForm(forms.ModelForm):
    province = forms.CharField(
        label="所在省份",
        max_length=20,
        required=False,
        help_text="适用该省（区、市）总工会的经费使用规定，如“内蒙古”",
    )

    class Meta:
        model = PlanSettings
        fields = ["province", "levy_kept_percent", "dues_permille", "dues_rounding", "budget_adjustments"]

    def __init__(self, *args, union, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].initial = union.province


class LevyForm(OnceForm, YearBoundForm):
    """收到拨缴经费 (the 2%): the whole amount; the split follows the union's share."""

    amount = AmountField(label="收到金额（元）", error_messages={"required": "请输入金额"})
    date = _date_field(label="日期")
    via = forms.ChoiceField(label="存入", choices=VIA_CHOICES, widget=forms.RadioSelect, initial="bank")
    summary = forms.CharField(label="摘要", max_length=200, initial="收到拨缴工会经费")
    payer = forms.CharField(label="交款单位（可不填）", max_length=100, required=False)
    attachment_count = CountField(
        label="附单据数（张）", min_value=0, max_value=999, required=False, initial=0
    )


class RemitForm(OnceForm, YearBoundForm):
    """上缴上级经费: settles 应付上级经费."""

    amount = AmountField(label="上缴金额（元）", error_messages={"required": "请输入金额"})
    date = _date_field(label="日期")
    via = forms.ChoiceField(label="付款方式", choices=VIA_CHOICES, widget=forms.RadioSelect, initial="bank")
    summary = forms.CharField(label="摘要", max_length=200, initial="上缴上级工会经费")
    attachment_count = CountField(
        label="附单据数（张）", min_value=0, max_value=999, required=False, initial=0
    )


class BudgetForm(LedgerErrorsMixin, forms.Form):
    """One amount per category; the fields are made from the accounts the view offers."""

    approved_on = _date_field(label="批准日期（会员代表大会或委员会批准后填写）", required=False)
    reason = forms.CharField(label="调整原因（预算批准后修改时必填）", max_length=200, required=False)

    def __init__(self, *args, accounts, amounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = list(accounts)
        for account in self.accounts:
            name = f"a_{account.code}"
            self.fields[name] = AmountField(label=f"{account.code} {account.name}", required=False)
            self.initial[name] = amounts.get(account.code, "")

    def amounts(self) -> dict:
        return {
            account.code: self.cleaned_data.get(f"a_{account.code}") or 0
            for account in self.accounts
            if self.cleaned_data.get(f"a_{account.code}") is not None or account.code in self.initial_codes
        }

    @property
    def initial_codes(self) -> set[str]:
        return {name[2:] for name, value in self.initial.items() if name.startswith("a_") and value != ""}

    def budget_fields(self):
        return [self[f"a_{account.code}"] for account in self.accounts]


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Excel文件（.xlsx）", error_messages={"required": "请选择Excel文件", "empty": "文件是空的"}
    )
    reason = forms.CharField(label="调整原因（预算批准后导入时必填）", max_length=200, required=False)


class MemberForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    department = forms.CharField(label="部门/分会", max_length=50)
    wage_base = AmountField(label="月工资基数（元）")
    joined = _date_field(label="入会日期")
    status = forms.ChoiceField(label="状态", choices=MemberStatus.choices, initial=MemberStatus.ACTIVE)


class DuesForm(OnceForm, YearBoundForm):
    department = forms.ChoiceField(label="部门/分会")
    month = forms.TypedChoiceField(label="会费月份", choices=MONTHS, coerce=int)
    date = _date_field(label="收款日期")
    via = forms.ChoiceField(label="存入", choices=VIA_CHOICES, widget=forms.RadioSelect, initial="bank")

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d, d) for d in departments]


__all__ = ["Rounding"]
