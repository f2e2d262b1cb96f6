"""The filters of the 操作记录 page."""

from django import forms

from ledger.models import AuditEvent


class AuditFilterForm(forms.Form):
    """Every field optional; bad values are shown as errors and ignored."""

    start = forms.DateField(
        label="从", required=False, error_messages={"invalid": "请输入正确的日期，如 2012-03-08"}
    )
    end = forms.DateField(
        label="到", required=False, error_messages={"invalid": "请输入正确的日期，如 2012-03-08"}
    )
    action = forms.ChoiceField(
        label="操作", required=False, choices=[("", "全部"), *AuditEvent.Action.choices]
    )
    user = forms.CharField(label="用户", required=False, max_length=150)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].widget.input_type = "date"
        self.fields["end"].widget.input_type = "date"

    def filters(self) -> dict:
        """The valid filters, for ``audit.queries.events_for``; none when the form is unbound or wrong."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {key: data[key] for key in ("start", "end", "action", "user") if data[key]}
