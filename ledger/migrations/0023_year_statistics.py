"""PostgreSQL: a larger statistics sample of the union-year key of the vouchers and the per-day totals.

One table holds the vouchers of thousands of union-years (2,000 unions × 3 years: 6,000 values of ``year_id``,
some 500 vouchers each). ANALYZE's default sample (30,000 rows) sees each year about five times, and a year it
happened to see thirteen times went into the most-common-values list at two and a half times its size: the
planner then expected 1,303 vouchers of that year instead of 501 and started parallel workers for the spending
rules' query, 4.4 ms instead of 0.8 ms (one union's report data 1.30× the same union alone; ``benchmarks/
federation.py``). A sample ten times larger (statistics target 1,000) sees each year about fifty times. It takes
effect at the next ANALYZE (autovacuum's or the operator's).
"""

from django.db import migrations

COLUMNS = (("ledger_voucher", "year_id"), ("ledger_daytotal", "year_id"))


def _target(value: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table, column in COLUMNS:
                schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS {value}")

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0022_count_posted_per_statement")]

    operations = [migrations.RunPython(_target(1000), _target(-1))]
