"""PostgreSQL: the year's counter of posted vouchers moves once per statement, not once per voucher.

Migration 0018's posting trigger (``ledger_daytotal_add``, FOR EACH ROW) also ran
``UPDATE ledger_accountingyear SET next_number = next_number + 1`` for every voucher turning posted. Posting
in bulk (``BulkPosting``: one UPDATE posts a part of up to hundreds of vouchers, an import thousands in one
transaction) so updated one row thousands of times in one transaction; PostgreSQL keeps a version of the row
per update and every later update walks them: importing 10,000 rows took 104 s, 27 s without that statement.

Now the row trigger only adds the per-day totals (with the line count of 0020), and a statement trigger with
transition tables adds to each year's counter the number of its vouchers the statement turned posted — the
same count, in one UPDATE per statement. The counter's meaning (posted vouchers plus one, the 99,999 bound
read from the locked year row) is unchanged, and it still moves inside the posting transaction. SQLite keeps
its row trigger: it has no statement triggers, and there one UPDATE of a row in a transaction costs the same
the thousandth time as the first.
"""

import importlib

from django.db import migrations

lines_migration = importlib.import_module("ledger.migrations.0020_day_total_lines")

ROW_FUNCTION = f"""
CREATE OR REPLACE FUNCTION ledger_daytotal_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {lines_migration.add_sql(lines_migration.PG_FEN, counted=True)};
    RETURN NULL;
END;
$$;
"""

STATEMENT_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_voucher_count_posted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ledger_accountingyear y SET next_number = y.next_number + c.posted
    FROM (
        SELECT n.year_id, COUNT(*) AS posted
        FROM ledger_voucher_posted_new n JOIN ledger_voucher_posted_old o ON o.id = n.id
        WHERE o.state IS DISTINCT FROM 'posted' AND n.state = 'posted'
        GROUP BY n.year_id
    ) c
    WHERE y.id = c.year_id;
    RETURN NULL;
END;
$$;
"""

STATEMENT_TRIGGER = """
CREATE TRIGGER ledger_voucher_count_posted AFTER UPDATE ON ledger_voucher
    REFERENCING OLD TABLE AS ledger_voucher_posted_old NEW TABLE AS ledger_voucher_posted_new
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_voucher_count_posted();
"""

FORWARD = [ROW_FUNCTION, STATEMENT_FUNCTION, STATEMENT_TRIGGER]
REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_voucher_count_posted ON ledger_voucher",
    "DROP FUNCTION IF EXISTS ledger_voucher_count_posted()",
    lines_migration.postgres_function(counted=True),
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0021_voucher_counterparty_kind")]

    operations = [migrations.RunPython(_run(FORWARD), _run(REVERSE))]
