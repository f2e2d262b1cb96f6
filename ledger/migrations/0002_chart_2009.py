from django.db import migrations

from ledger.charts import install_chart, load_chart_file


def forwards(apps, schema_editor):
    install_chart(apps.get_model("ledger", "Chart"), apps.get_model("ledger", "Account"), load_chart_file("gonghui-2009.json"))


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
