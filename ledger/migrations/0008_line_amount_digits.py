"""A voucher line holds up to 9,999,999,999,999,999.99 (numeric(18,2)), so that the books' own vouchers
(期初余额, 期末结转) can carry a year of up to MAX_YEAR_TOTAL (ledger/money.py) in one line.

On PostgreSQL the column type widens in place (no row is rewritten by Django, and the guard triggers stay).
SQLite's DECIMAL has no declared precision to change; Django's SQLite schema editor would rebuild the table
and lose its guard triggers, so there only the migration state changes.
"""

import djmoney.models.fields
import djmoney.money
from django.db import migrations


def widen(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE ledger_voucherline ALTER COLUMN debit TYPE numeric(18, 2), "
            "ALTER COLUMN credit TYPE numeric(18, 2)"
        )


def narrow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE ledger_voucherline ALTER COLUMN debit TYPE numeric(14, 2), "
            "ALTER COLUMN credit TYPE numeric(14, 2)"
        )


def _money(verbose_name):
    return djmoney.models.fields.MoneyField(
        decimal_places=2, default=djmoney.money.Money(0, "CNY"), max_digits=18, verbose_name=verbose_name
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0007_union_signatures"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(widen, narrow)],
            state_operations=[
                migrations.AlterField(model_name="voucherline", name="debit", field=_money("借方金额")),
                migrations.AlterField(model_name="voucherline", name="credit", field=_money("贷方金额")),
            ],
        ),
    ]
