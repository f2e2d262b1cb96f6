"""Per-account-per-day totals of the posted lines (``DayTotal``), kept by the database.

- When a voucher turns posted (its state changes to 'posted'), a trigger adds its lines, summed by account, to
  the row of (year, account, date, part) — an upsert, in the same statement and transaction as the posting.
  ``part`` is 'opening' for the opening voucher and its reversals, 'closing' for the closing voucher (结转) and
  its reversals, else 'normal'. Amounts are integer 分 and may be negative (a 红字 reversal): sums stay exact.
- The same trigger moves the year's counter ``next_number`` (posted vouchers plus one, the bound of 99,999
  entered vouchers a year) on by one, so posting never writes the year row: it reads the counter fresh from the
  row it locks. The 凭证号 themselves run per month and are drawn by posting (``services._draw_number``).
- Posted lines never change (migration 0003), so nothing else needs upkeep.
- Nobody else writes the totals. PostgreSQL refuses any INSERT, UPDATE or DELETE on ``ledger_daytotal`` that
  does not come from a trigger (``pg_trigger_depth()``). SQLite cannot tell who writes, so it refuses every
  DELETE and every INSERT or UPDATE after which the row is not equal to the posted lines it stands for
  (recomputed from that day's vouchers of the year, by index; checked AFTER the write, so that an upsert is
  judged by the row it leaves and INSERT OR REPLACE cannot slip a value past the check).
- Existing books are summed into the table before the triggers are made.

Errors use SQLSTATE 23514 on PostgreSQL and RAISE(ABORT) on SQLite, as in migration 0003. Django rebuilds a
SQLite table for some schema changes and drops its triggers: a later migration that rebuilds ``ledger_voucher``
or ``ledger_daytotal`` on SQLite must make these triggers again (see migration 0008).
"""

import django.db.models.deletion
from django.db import migrations, models

MESSAGE = "科目日发生额由记账自动维护，不能直接写入、修改或删除"

# The voucher's part, for a voucher aliased v and the voucher it reverses aliased r (LEFT JOIN).
PART = (
    "COALESCE(CASE WHEN v.kind IN ('opening', 'closing') THEN v.kind END, "
    "CASE WHEN r.kind IN ('opening', 'closing') THEN r.kind END, 'normal')"
)
NEW_PART = (
    "COALESCE(CASE WHEN NEW.kind IN ('opening', 'closing') THEN NEW.kind END, "
    "(SELECT r.kind FROM ledger_voucher r WHERE r.id = NEW.reverses_id AND r.kind IN ('opening', 'closing')), "
    "'normal')"
)
PG_FEN = "({}* 100)::bigint"
SQLITE_FEN = "CAST(round({} * 100) AS INTEGER)"


def backfill_sql(fen: str) -> str:
    return (
        "INSERT INTO ledger_daytotal (year_id, account_id, date, part, debit_fen, credit_fen) "
        f"SELECT v.year_id, l.account_id, v.date, {PART}, SUM({fen.format('l.debit')}), SUM({fen.format('l.credit')}) "
        "FROM ledger_voucherline l JOIN ledger_voucher v ON v.id = l.voucher_id "
        "LEFT JOIN ledger_voucher r ON r.id = v.reverses_id "
        f"WHERE v.state = 'posted' GROUP BY v.year_id, l.account_id, v.date, {PART}"
    )


def add_sql(fen: str) -> str:
    """The upsert of a voucher turned posted (NEW), its lines summed by account."""
    return (
        "INSERT INTO ledger_daytotal (year_id, account_id, date, part, debit_fen, credit_fen) "
        f"SELECT NEW.year_id, l.account_id, NEW.date, {NEW_PART}, "
        f"SUM({fen.format('l.debit')}), SUM({fen.format('l.credit')}) "
        "FROM ledger_voucherline l WHERE l.voucher_id = NEW.id GROUP BY l.account_id "
        "ON CONFLICT (year_id, account_id, date, part) DO UPDATE SET "
        "debit_fen = ledger_daytotal.debit_fen + excluded.debit_fen, "
        "credit_fen = ledger_daytotal.credit_fen + excluded.credit_fen"
    )


# The year's counter of posted vouchers goes on by one, so the posting that waits for the year's row lock reads it
# fresh from that row (PostgreSQL re-reads a row it waited for; a subquery would see the old snapshot).
NEXT_NUMBER_SQL = "UPDATE ledger_accountingyear SET next_number = next_number + 1 WHERE id = NEW.year_id"

POSTGRES_FORWARD = [
    f"""
CREATE OR REPLACE FUNCTION ledger_daytotal_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {add_sql(PG_FEN)};
    {NEXT_NUMBER_SQL};
    RETURN NULL;
END;
$$;
""",
    """
CREATE TRIGGER ledger_daytotal_add AFTER UPDATE OF state ON ledger_voucher FOR EACH ROW
    WHEN (OLD.state IS DISTINCT FROM 'posted' AND NEW.state = 'posted')
    EXECUTE FUNCTION ledger_daytotal_add();
""",
    f"""
CREATE OR REPLACE FUNCTION ledger_daytotal_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
""",
    """
CREATE TRIGGER ledger_daytotal_guard BEFORE INSERT OR UPDATE OR DELETE ON ledger_daytotal
    FOR EACH ROW EXECUTE FUNCTION ledger_daytotal_guard();
""",
]

POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_daytotal_guard ON ledger_daytotal",
    "DROP FUNCTION IF EXISTS ledger_daytotal_guard()",
    "DROP TRIGGER IF EXISTS ledger_daytotal_add ON ledger_voucher",
    "DROP FUNCTION IF EXISTS ledger_daytotal_add()",
]

# What the row of NEW's key must hold: that day's posted lines of the account, in its part. Read through the
# (year, date) index of the vouchers, never through all the account's lines (the unary + keeps SQLite off the
# (account, voucher) index of the lines).
_RECOMPUTED = (
    "(SELECT coalesce(SUM(CAST(round(l.debit * 100) AS INTEGER)), 0), "
    "coalesce(SUM(CAST(round(l.credit * 100) AS INTEGER)), 0) "
    "FROM ledger_voucher v JOIN ledger_voucherline l ON l.voucher_id = v.id "
    "LEFT JOIN ledger_voucher r ON r.id = v.reverses_id "
    "WHERE v.year_id = NEW.year_id AND v.date = NEW.date AND v.state = 'posted' "
    f"AND +l.account_id = NEW.account_id AND {PART} = NEW.part)"
)

SQLITE_FORWARD = [
    "CREATE TRIGGER ledger_daytotal_add AFTER UPDATE OF state ON ledger_voucher "
    "WHEN OLD.state <> 'posted' AND NEW.state = 'posted' "
    f"BEGIN {add_sql(SQLITE_FEN)}; {NEXT_NUMBER_SQL}; END",
    "CREATE TRIGGER ledger_daytotal_insert_verified AFTER INSERT ON ledger_daytotal "
    f"WHEN (NEW.debit_fen, NEW.credit_fen) IS NOT {_RECOMPUTED} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    "CREATE TRIGGER ledger_daytotal_update_verified AFTER UPDATE ON ledger_daytotal "
    f"WHEN (NEW.debit_fen, NEW.credit_fen) IS NOT {_RECOMPUTED} "
    "OR NEW.year_id <> OLD.year_id OR NEW.account_id <> OLD.account_id OR NEW.date <> OLD.date "
    "OR NEW.part <> OLD.part "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER ledger_daytotal_no_delete BEFORE DELETE ON ledger_daytotal BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]

SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_daytotal_no_delete",
    "DROP TRIGGER IF EXISTS ledger_daytotal_update_verified",
    "DROP TRIGGER IF EXISTS ledger_daytotal_insert_verified",
    "DROP TRIGGER IF EXISTS ledger_daytotal_add",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = [backfill_sql(PG_FEN), *POSTGRES_FORWARD]
    elif vendor == "sqlite":
        statements = [backfill_sql(SQLITE_FEN), *SQLITE_FORWARD]
    else:
        raise RuntimeError(f"unionledger supports SQLite and PostgreSQL, not {vendor}")
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0017_audit_review_actions"),
    ]

    operations = [
        migrations.CreateModel(
            name="DayTotal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="日期")),
                (
                    "part",
                    models.CharField(
                        choices=[("opening", "期初"), ("normal", "本期"), ("closing", "结转")],
                        max_length=10,
                        verbose_name="部分",
                    ),
                ),
                ("debit_fen", models.BigIntegerField(default=0, verbose_name="借方（分）")),
                ("credit_fen", models.BigIntegerField(default=0, verbose_name="贷方（分）")),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ledger.account",
                        verbose_name="科目",
                    ),
                ),
                (
                    "year",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ledger.accountingyear",
                        verbose_name="会计年度",
                    ),
                ),
            ],
            options={
                "verbose_name": "科目日发生额",
                "verbose_name_plural": "科目日发生额",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("year", "account", "date", "part"), name="daytotal_unique_key"
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
