"""A voucher's payer or payee is a 单位 or a 个人 (``Voucher.counterparty_kind``; blank for the vouchers before).

Adding a column that is not null makes Django rebuild ``ledger_voucher`` on SQLite, which drops its triggers:
``keep`` notes them and makes them again word for word (PostgreSQL adds the column in place).
"""

from django.db import migrations, models

from ledger.migrations._guards import keep

note, restore = keep(["ledger_voucher"])


class Migration(migrations.Migration):
    dependencies = [("ledger", "0020_day_total_lines")]

    operations = [
        note,
        migrations.AddField(
            model_name="voucher",
            name="counterparty_kind",
            field=models.CharField(
                blank=True,
                choices=[("unit", "单位"), ("person", "个人")],
                default="",
                db_default="",
                max_length=6,
                verbose_name="对方类型",
            ),
        ),
        restore,
    ]
