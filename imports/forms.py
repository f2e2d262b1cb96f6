"""The import pages' forms: an upload, and the 上级科目 of each account a file names and the year lacks."""

from django import forms

from imports.models import ImportBatch

ACCEPT = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="导入什么",
        choices=ImportBatch.Kind.choices,
        initial=ImportBatch.Kind.CASHBOOK,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label="Excel文件（.xlsx）",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": "请选择要导入的Excel文件",
            "empty": "文件是空的（0字节），请选择填好的Excel文件",
        },
    )


class MissingAccountsForm(forms.Form):
    """One choice of 上级科目 per missing account, the suggested one preselected; 不增加 leaves it out."""

    def __init__(self, *args, missing=(), parents=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "不增加")] + [
            (str(account.pk), f"{account.code} {account.name}") for account in parents
        ]
        self.by_pk = {str(account.pk): account for account in parents}
        self.texts = {}
        for number, item in enumerate(missing):
            name = f"parent_{number}"
            self.texts[name] = item.text
            self.fields[name] = forms.ChoiceField(
                label=f"“{item.text}”增加为明细科目“{item.name}”，上级科目：",
                choices=choices,
                required=False,
                initial=str(item.parent.pk) if item.parent else "",
                help_text=("相近的科目：" + "、".join(item.suggestions)) if item.suggestions else "",
            )

    def chosen(self) -> dict:
        return {
            self.texts[name]: self.by_pk[value]
            for name, value in self.cleaned_data.items()
            if value and value in self.by_pk
        }
