"""Forms of the bank reconciliation and the cash count: shape only; the rules are in ``bank.services``."""

from django import forms

from bank.models import COLUMNS, DENOMINATIONS

DATE_ERRORS = {"invalid": "请输入正确的日期，如 2012-12-31", "required": "请填写日期"}


class StatementForm(forms.Form):
    bank_name = forms.CharField(
        label="开户银行", max_length=60, error_messages={"required": "请填写开户银行"}
    )
    file = forms.FileField(
        label="银行对账单（.xlsx 或 .csv）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        max_length=200,
        error_messages={"required": "请选择对账单文件", "empty": "文件是空的", "max_length": "文件名太长"},
    )
    period_end = forms.DateField(
        label="对账单截止日期（可不填，默认为最后一笔交易日）", required=False, error_messages=DATE_ERRORS
    )
    date_column = forms.CharField(label="“交易日期”列的列名", max_length=60, initial="交易日期")
    summary_column = forms.CharField(label="“摘要”列的列名", max_length=60, required=False, initial="摘要")
    income_column = forms.CharField(label="“收入（存入）”列的列名", max_length=60, initial="收入")
    expense_column = forms.CharField(label="“支出（支取）”列的列名", max_length=60, initial="支出")
    balance_column = forms.CharField(label="“余额”列的列名", max_length=60, initial="余额")
    counterparty_column = forms.CharField(
        label="“对方户名”列的列名", max_length=60, required=False, initial="对方户名"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_end"].widget.input_type = "date"
        for field in COLUMNS:
            self.fields[field].error_messages["required"] = "请填写列名"

    def mapping(self) -> dict[str, str]:
        return {field: self.cleaned_data[field] for field in COLUMNS}


class HandMatchForm(forms.Form):
    row = forms.IntegerField(widget=forms.HiddenInput)
    line = forms.IntegerField(label="匹配到", error_messages={"required": "请选择要匹配的日记账记录"})


class CashCountForm(forms.Form):
    date = forms.DateField(label="盘点日期", error_messages=DATE_ERRORS)
    witness = forms.CharField(label="监盘人", max_length=50, error_messages={"required": "请填写监盘人"})
    explanation = forms.CharField(
        label="差异说明（长款、短款时必填）",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.input_type = "date"
        for denomination in DENOMINATIONS:
            label = f"{denomination}元" if "." not in denomination else f"{denomination}元"
            self.fields[f"n_{denomination}"] = forms.IntegerField(
                label=f"{label}（张/枚）",
                min_value=0,
                max_value=1_000_000,
                required=False,
                error_messages={"invalid": "请输入整数", "min_value": "不能为负数", "max_value": "数量太大"},
            )

    def pieces(self) -> dict[str, int]:
        return {d: self.cleaned_data[f"n_{d}"] for d in DENOMINATIONS if self.cleaned_data.get(f"n_{d}")}
