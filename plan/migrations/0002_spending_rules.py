"""The spending rules of ``plan/rules/spending-rules.json``, installed as data an administrator can edit."""

from django.db import migrations

from plan.rules_data import install_rules


def forwards(apps, schema_editor):
    install_rules(apps.get_model("plan", "SpendingRule"))


class Migration(migrations.Migration):
    dependencies = [("plan", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
