"""The form for the words of the 财务工作报告. It checks shape only; the figures are not on it at all."""

import datetime

from django import forms

from reports.data import AnnualReportData
from reports.models import DateStyle

PARAGRAPH = forms.Textarea(attrs={"rows": 4})


class ReportTextForm(forms.Form):
    salutation = forms.CharField(label="称呼", max_length=100)
    mandate = forms.CharField(
        label="开头语",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="写明向哪一届大会报告（届次），请予审议",
    )
    opening = forms.CharField(label="年度工作概述", max_length=3000, widget=PARAGRAPH)
    priorities = forms.CharField(
        label="今后财务工作的重点",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="每行一段，如“（一）……”；段首空两格由排版自动完成",
    )
    closing = forms.CharField(label="结束语", max_length=2000, widget=PARAGRAPH)
    report_date = forms.DateField(
        label="报告日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_style = forms.ChoiceField(label="日期写法", choices=DateStyle.choices, widget=forms.RadioSelect)

    def __init__(self, *args, data_source: AnnualReportData, **kwargs):
        self.report = data_source
        text = data_source.text
        kwargs.setdefault(
            "initial",
            {
                "salutation": text.salutation,
                "mandate": text.mandate,
                "opening": text.opening,
                "priorities": text.priorities,
                "closing": text.closing,
                "report_date": text.report_date,
                "date_style": text.date_style,
            },
        )
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

    def label_bound_fields(self):
        return [self[name] for name in self.label_fields]

    def text_bound_fields(self):
        return [
            self[name]
            for name in (
                "salutation",
                "mandate",
                "opening",
                "priorities",
                "closing",
                "report_date",
                "date_style",
            )
        ]

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
        return cleaned
