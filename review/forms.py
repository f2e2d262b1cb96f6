"""The auditor's and the treasurer's forms on a voucher: shape only; the rules are in ``review.services``."""

from django import forms

from ledger.attachments import ACCEPT
from review.models import Remark

COMMENT = {"max_length": "不能超过1000字"}


class RaiseForm(forms.Form):
    """疑点 on the voucher, a line (``line-<id>``) or a scan (``scan-<id>``)."""

    target = forms.ChoiceField(label="针对", choices=[("voucher", "整张凭证")])
    comment = forms.CharField(
        label="疑点说明",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写疑点说明", **COMMENT},
    )

    def __init__(self, *args, lines=(), scans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [
            ("voucher", "整张凭证"),
            *((f"line-{line.pk}", f"第{line.position}行 {line.account.name}") for line in lines),
            *((f"scan-{scan.pk}", f"扫描件 {scan.original_name}") for scan in scans),
        ]


class CheckForm(forms.Form):
    comment = forms.CharField(
        label="审查意见（可不填）", max_length=1000, required=False, error_messages=COMMENT
    )


class AnswerForm(forms.Form):
    text = forms.CharField(
        label="答复说明",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=COMMENT,
    )
    file = forms.FileField(
        label="补充扫描件（可不选）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        max_length=200,
        error_messages={"empty": "文件是空的，请重新选择扫描件", "max_length": "文件名太长"},
    )
    link_reversal = forms.BooleanField(label="关联本凭证的冲销凭证", required=False)


class DecideForm(forms.Form):
    text = forms.CharField(
        label="意见",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=COMMENT,
    )


class RemarkFilterForm(forms.Form):
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部"), *Remark.Kind.choices])
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *Remark.State.choices])
    q = forms.CharField(label="包含文字", required=False, max_length=100)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"kind": data["kind"], "state": data["state"], "text": data["q"].strip()}


class AuditTextForm(forms.ModelForm):
    class Meta:
        from review.models import AuditReportText

        model = AuditReportText
        fields = AuditReportText.TEXT_FIELDS
        widgets = {"report_date": forms.DateInput(attrs={"type": "date"})}
