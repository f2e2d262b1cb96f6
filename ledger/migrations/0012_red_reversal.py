"""The books already kept move to numbers by month and to 红字 reversals, every figure unchanged.

- Each posted voucher gets the month of its date, and the vouchers of a union-year-month are numbered 1, 2, …
  in the order of their date and their old number (记-0016 of 2012年3月 becomes, say, 2012年3月 记-0003).
- An old reversal booked every line of its original on the other side with a positive amount; it now repeats
  the line on the same side with the amount negated. 借 minus 贷 of every line is the same number, so every
  balance, 期初, 期末 and report figure stays exactly what it was; only 发生额 stop being inflated.

Posted vouchers are immutable, so the guard triggers of ledger_voucher and ledger_voucherline are suspended
inside this migration's transaction only (as ``restore`` does) and are back before it commits.
"""

from contextlib import contextmanager
from itertools import groupby

from django.db import migrations

from ledger.backends.sqlite.base import triggers_on

GUARDED = ["ledger_voucher", "ledger_voucherline"]


@contextmanager
def guards_suspended(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in GUARDED:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            yield
            # A row changed twice in one transaction queues its foreign-key checks (deferred); they must run
            # before the triggers can be enabled again (PostgreSQL refuses to alter a table with pending events).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in GUARDED:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            triggers = triggers_on(cursor, GUARDED)
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            yield
            for _, sql in triggers:
                cursor.execute(sql)


def number_by_month(apps) -> int:
    """Give every posted voucher its month and a gapless number within it. Returns how many moved."""
    Voucher = apps.get_model("ledger", "Voucher")
    posted = Voucher.objects.filter(state="posted").order_by("year_id", "date", "number", "id")
    changed = []
    for _, vouchers in groupby(
        posted.only("id", "year_id", "date", "number", "month"), lambda v: (v.year_id, v.date.month)
    ):
        for number, voucher in enumerate(vouchers, start=1):
            if (voucher.month, voucher.number) != (voucher.date.month, number):
                voucher.month, voucher.number = voucher.date.month, number
                changed.append(voucher)
    Voucher.objects.bulk_update(changed, ["month", "number"], batch_size=500)
    return len(changed)


def red_reversals(connection) -> int:
    """Turn every old (opposite-side, positive) reversal line into the same-side negative one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_voucherline"
            " SET debit = CASE WHEN credit = 0 THEN 0 ELSE -credit END,"
            " credit = CASE WHEN debit = 0 THEN 0 ELSE -debit END"
            " WHERE debit >= 0 AND credit >= 0"
            " AND voucher_id IN (SELECT id FROM ledger_voucher WHERE kind = 'reversal')"
        )
        return cursor.rowcount


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    with guards_suspended(connection):
        number_by_month(apps)
        red_reversals(connection)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0011_voucher_review")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
