"""The 2021 工会会计制度 chart (财会〔2021〕7号, in force from 2022-01-01), installed from its data file.

Accounts learn where their code comes from and whether it is still to be checked (``code_provisional``: the
chart page shows 科目编码待核对); a chart loaded by ``import_chart`` names the chart file whose forms it keeps
(``form_code``). No table here carries a trigger, so SQLite's rebuild of ``ledger_account`` loses nothing.
"""

from django.db import migrations, models

from ledger.charts import install_chart, load_chart_file


def forwards(apps, schema_editor):
    Chart, Account = apps.get_model("ledger", "Chart"), apps.get_model("ledger", "Account")
    install_chart(Chart, Account, load_chart_file("gonghui-2021.json"))
    # The 2009 codes are confirmed: record their source too.
    source = load_chart_file("gonghui-2009.json")["source"]
    Account.objects.filter(chart__code="2009", union__isnull=True, code_source="").update(code_source=source)


def backwards(apps, schema_editor):
    Chart, Account = apps.get_model("ledger", "Chart"), apps.get_model("ledger", "Account")
    Account.objects.filter(chart__code="2021", union__isnull=True).order_by("-code").delete()
    Chart.objects.filter(code="2021").delete()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0013_voucher_constraints")]
    operations = [
        migrations.AddField(
            model_name="chart",
            name="form_code",
            field=models.CharField(blank=True, max_length=20, verbose_name="报表格式依据"),
        ),
        migrations.AddField(
            model_name="account",
            name="code_source",
            field=models.CharField(blank=True, max_length=200, verbose_name="编码来源"),
        ),
        migrations.AddField(
            model_name="account",
            name="code_provisional",
            field=models.BooleanField(default=False, verbose_name="编码待核对"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
