"""The per-day totals count their lines too (``DayTotal.line_count``), so a book page numbers its pages from them.

A month of a 日记账 / 明细账 is paged by key, and "本月第 X / Y 页" needs how many lines the month holds and how many
come before the page. Counted from the lines, that was a join of every line of the account to its voucher (0.3–0.7 s
at a million lines); from the per-day totals it is ≤ 31 rows an account.

- The posting trigger of migration 0018 (``ledger_daytotal_add``) now adds the voucher's line count per account with
  its 借 and 贷; nothing else about it changes (the year's counter moves on as before).
- SQLite's check that a row is what its day's posted lines say covers the count as well.
- Existing rows are counted from the lines, with the totals' guard suspended for that one statement (PostgreSQL).

If another change rewrites ``ledger_daytotal_add`` (say, for posting in bulk), it must keep ``COUNT(*)`` into
``line_count`` next to the sums.
"""

from django.db import migrations, models

from ledger.migrations._guards import keep

MESSAGE = "科目日发生额由记账自动维护，不能直接写入、修改或删除"
NEW_PART = (
    "COALESCE(CASE WHEN NEW.kind IN ('opening', 'closing') THEN NEW.kind END, "
    "(SELECT r.kind FROM ledger_voucher r WHERE r.id = NEW.reverses_id AND r.kind IN ('opening', 'closing')), "
    "'normal')"
)
PART = (
    "COALESCE(CASE WHEN v.kind IN ('opening', 'closing') THEN v.kind END, "
    "CASE WHEN r.kind IN ('opening', 'closing') THEN r.kind END, 'normal')"
)
PG_FEN = "({}* 100)::bigint"
SQLITE_FEN = "CAST(round({} * 100) AS INTEGER)"
NEXT_NUMBER_SQL = "UPDATE ledger_accountingyear SET next_number = next_number + 1 WHERE id = NEW.year_id"


def add_sql(fen: str, counted: bool) -> str:
    """The upsert of a voucher turned posted (NEW), its lines summed (and counted) by account."""
    count_column = ", line_count" if counted else ""
    count_value = ", COUNT(*)" if counted else ""
    count_update = ", line_count = ledger_daytotal.line_count + excluded.line_count" if counted else ""
    return (
        f"INSERT INTO ledger_daytotal (year_id, account_id, date, part, debit_fen, credit_fen{count_column}) "
        f"SELECT NEW.year_id, l.account_id, NEW.date, {NEW_PART}, "
        f"SUM({fen.format('l.debit')}), SUM({fen.format('l.credit')}){count_value} "
        "FROM ledger_voucherline l WHERE l.voucher_id = NEW.id GROUP BY l.account_id "
        "ON CONFLICT (year_id, account_id, date, part) DO UPDATE SET "
        "debit_fen = ledger_daytotal.debit_fen + excluded.debit_fen, "
        f"credit_fen = ledger_daytotal.credit_fen + excluded.credit_fen{count_update}"
    )


def postgres_function(counted: bool) -> str:
    return f"""
CREATE OR REPLACE FUNCTION ledger_daytotal_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {add_sql(PG_FEN, counted)};
    {NEXT_NUMBER_SQL};
    RETURN NULL;
END;
$$;
"""


# Each existing row's lines, counted through the (year, date) index of the vouchers.
COUNTED = (
    "(SELECT COUNT(*) FROM ledger_voucher v JOIN ledger_voucherline l ON l.voucher_id = v.id "
    "LEFT JOIN ledger_voucher r ON r.id = v.reverses_id "
    "WHERE v.year_id = ledger_daytotal.year_id AND v.date = ledger_daytotal.date AND v.state = 'posted' "
    f"AND l.account_id = ledger_daytotal.account_id AND {PART} = ledger_daytotal.part)"
)
BACKFILL = f"UPDATE ledger_daytotal SET line_count = {COUNTED}"


def sqlite_recomputed(counted: bool) -> str:
    """What the row of NEW's key must hold (migration 0018's check, with the count)."""
    count = ", COUNT(*)" if counted else ""
    return (
        "(SELECT coalesce(SUM(CAST(round(l.debit * 100) AS INTEGER)), 0), "
        f"coalesce(SUM(CAST(round(l.credit * 100) AS INTEGER)), 0){count} "
        "FROM ledger_voucher v JOIN ledger_voucherline l ON l.voucher_id = v.id "
        "LEFT JOIN ledger_voucher r ON r.id = v.reverses_id "
        "WHERE v.year_id = NEW.year_id AND v.date = NEW.date AND v.state = 'posted' "
        f"AND +l.account_id = NEW.account_id AND {PART} = NEW.part)"
    )


def sqlite_triggers(counted: bool) -> list[str]:
    row = "(NEW.debit_fen, NEW.credit_fen, NEW.line_count)" if counted else "(NEW.debit_fen, NEW.credit_fen)"
    return [
        "CREATE TRIGGER ledger_daytotal_add AFTER UPDATE OF state ON ledger_voucher "
        "WHEN OLD.state <> 'posted' AND NEW.state = 'posted' "
        f"BEGIN {add_sql(SQLITE_FEN, counted)}; {NEXT_NUMBER_SQL}; END",
        "CREATE TRIGGER ledger_daytotal_insert_verified AFTER INSERT ON ledger_daytotal "
        f"WHEN {row} IS NOT {sqlite_recomputed(counted)} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        "CREATE TRIGGER ledger_daytotal_update_verified AFTER UPDATE ON ledger_daytotal "
        f"WHEN {row} IS NOT {sqlite_recomputed(counted)} "
        "OR NEW.year_id <> OLD.year_id OR NEW.account_id <> OLD.account_id OR NEW.date <> OLD.date "
        "OR NEW.part <> OLD.part "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    ]


SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS ledger_daytotal_update_verified",
    "DROP TRIGGER IF EXISTS ledger_daytotal_insert_verified",
    "DROP TRIGGER IF EXISTS ledger_daytotal_add",
]


def _run(schema_editor, statements: list[str]) -> None:
    for statement in statements:
        schema_editor.execute(statement, params=None)


# SQLite rebuilds the table to add the column: its guards (and the posting trigger that writes it) are noted and
# dropped first; the three this migration makes anew are not restored in their old words.
note, restore = keep(
    ["ledger_daytotal"],
    replaced=("ledger_daytotal_add", "ledger_daytotal_insert_verified", "ledger_daytotal_update_verified"),
)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(
            schema_editor,
            [
                "ALTER TABLE ledger_daytotal DISABLE TRIGGER ledger_daytotal_guard",
                BACKFILL,
                "ALTER TABLE ledger_daytotal ENABLE TRIGGER ledger_daytotal_guard",
                postgres_function(counted=True),
            ],
        )
    elif vendor == "sqlite":
        _run(schema_editor, [*SQLITE_DROP, BACKFILL, *sqlite_triggers(counted=True)])
    else:
        raise RuntimeError(f"unionledger supports SQLite and PostgreSQL, not {vendor}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, [postgres_function(counted=False)])
    else:
        _run(schema_editor, [*SQLITE_DROP, *sqlite_triggers(counted=False)])


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0019_branches_allocations"),
    ]

    operations = [
        note,
        migrations.AddField(
            model_name="daytotal",
            name="line_count",
            field=models.BigIntegerField(db_default=0, default=0, verbose_name="分录数"),
        ),
        restore,
        migrations.RunPython(forwards, backwards),
    ]
