"""The form for the words of the 财务工作报告. It checks shape only; the figures are not on it at all."""

import datetime

from django import forms

from reports.data import AnnualReportData
from reports.models import ReportText

PARAGRAPH = forms.Textarea(attrs={"rows": 4})


class ReportTextForm(forms.ModelForm):
    """The words of ``ReportText`` (fields, labels and limits from the model) and one label per line."""

    class Meta:
        model = ReportText
        fields = [name for name in ReportText.TEXT_FIELDS if name not in ("labels", "expense_order")]
        widgets = {
            "mandate": forms.Textarea(attrs={"rows": 2}),
            "opening": PARAGRAPH,
            "priorities": forms.Textarea(attrs={"rows": 8}),
            "closing": PARAGRAPH,
            "report_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "date_style": forms.RadioSelect,
        }

    def __init__(self, *args, data_source: AnnualReportData, **kwargs):
        self.report = data_source
        text = data_source.text
        kwargs.setdefault("initial", {name: getattr(text, name) for name in self._meta.fields})
        super().__init__(*args, **kwargs)
        self.label_fields = []
        for kind, lines in (("收入", data_source.income), ("支出", data_source.expense)):
            for line in lines:
                name = f"label_{line.code}"
                self.fields[name] = forms.CharField(
                    label=f"{kind}：{line.code} {line.name}",
                    max_length=40,
                    initial=line.label,
                    help_text="报告中的称谓" + ("（正文写作“……支出××元”）" if kind == "支出" else ""),
                )
                self.label_fields.append(name)
        self.order_fields = []
        for position, line in enumerate(data_source.expense, start=1):
            name = f"order_{line.code}"
            self.fields[name] = forms.IntegerField(
                label=f"顺序：{line.code} {line.label}",
                min_value=1,
                max_value=999,
                required=False,  # left out, the order stays as it is
                initial=position,
                error_messages={"invalid": "顺序须是整数", "min_value": "顺序须大于0"},
            )
            self.order_fields.append(name)

    def order_bound_fields(self):
        return [self[name] for name in self.order_fields]

    def label_bound_fields(self):
        return [self[name] for name in self.label_fields]

    def text_bound_fields(self):
        return [self[name] for name in self._meta.fields]

    def clean_report_date(self) -> datetime.date:
        value = self.cleaned_data["report_date"]
        year = self.report.year
        if not datetime.date(year, 1, 1) <= value <= datetime.date(year + 2, 12, 31):
            raise forms.ValidationError(f"报告日期应在{year}年至{year + 2}年之间")
        return value

    def clean(self):
        cleaned = super().clean()
        for name in ("salutation", "mandate", "opening", "closing"):
            if name in cleaned:
                cleaned[name] = cleaned[name].strip()
        if "priorities" in cleaned:
            cleaned["priorities"] = "\n".join(
                line.strip() for line in cleaned["priorities"].splitlines() if line.strip()
            )
        labels = {}
        for name in self.label_fields:
            if name in cleaned:
                labels[name.removeprefix("label_")] = cleaned[name].strip()
        cleaned["labels"] = labels
        if self.order_fields and all(cleaned.get(name) is not None for name in self.order_fields):
            # Ties keep the report's present order; the list names every spending line.
            ranked = sorted(enumerate(self.order_fields), key=lambda pair: (cleaned[pair[1]], pair[0]))
            order = [name.removeprefix("order_") for _, name in ranked]
            unchanged = order == [line.code for line in self.report.expense]
            cleaned["expense_order"] = list(self.report.text.expense_order) if unchanged else order
        else:
            cleaned["expense_order"] = list(self.report.text.expense_order)
        return cleaned


class MonthForm(forms.Form):
    """Which month's end the statements are made for (1–12; December when not given)."""

    month = forms.TypedChoiceField(
        label="报表期间",
        choices=[(str(month), f"{month}月") for month in range(1, 13)],
        coerce=int,
        required=False,
        empty_value=12,
        error_messages={"invalid_choice": "月份须是1到12"},
    )

    def chosen(self) -> int:
        return self.cleaned_data["month"] if self.is_valid() else 12
