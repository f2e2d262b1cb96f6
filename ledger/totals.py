"""The per-account-per-day totals (``DayTotal``): rebuilt from the posted lines, and checked against them.

The database keeps the totals itself (the triggers of migration 0018, in the transaction that posts a voucher);
this module is for the two moments the triggers cannot cover and for proving them right:

- ``rebuild`` after a restore, which loads posted vouchers with the guards suspended (``ledger.backup``);
- ``differences`` for ``manage.py verify_books``: every row recomputed from the lines, to the 分.

The recomputation is the same sum the triggers add up, voucher by voucher: the lines of posted vouchers, by
year, account, date and part (opening / normal / closing, as ``DayTotal.part`` says), in integer 分, and how many.
"""

import datetime
from dataclasses import dataclass

from django.db import connection

_PART = (
    "COALESCE(CASE WHEN v.kind IN ('opening', 'closing') THEN v.kind END, "
    "CASE WHEN r.kind IN ('opening', 'closing') THEN r.kind END, 'normal')"
)


def _fen(column: str) -> str:
    # NUMERIC is exact on PostgreSQL; SQLite keeps DECIMAL as a REAL, so round to whole 分 before the cast.
    if connection.vendor == "postgresql":
        return f"({column} * 100)::bigint"
    return f"CAST(round({column} * 100) AS INTEGER)"


def _recomputed(where: str) -> str:
    return (
        f"SELECT v.year_id, l.account_id, v.date, {_PART} AS part, "
        f"SUM({_fen('l.debit')}) AS debit_fen, SUM({_fen('l.credit')}) AS credit_fen, COUNT(*) AS line_count "
        "FROM ledger_voucherline l JOIN ledger_voucher v ON v.id = l.voucher_id "
        "LEFT JOIN ledger_voucher r ON r.id = v.reverses_id "
        f"WHERE v.state = 'posted'{where} GROUP BY v.year_id, l.account_id, v.date, {_PART}"
    )


def rebuild() -> int:
    """Empty the totals and write them again from every posted line; the number of rows. The caller has the
    totals' guard suspended (``ledger.backup._guards_suspended``) and holds the transaction."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_daytotal")
        cursor.execute(
            "INSERT INTO ledger_daytotal (year_id, account_id, date, part, debit_fen, credit_fen, line_count) "
            + _recomputed("")
        )
        rows = cursor.rowcount
    # Check the new rows' foreign keys now (PostgreSQL defers them), so that the guard can be switched back on.
    connection.check_constraints(table_names=["ledger_daytotal"])
    return rows


@dataclass(frozen=True)
class Difference:
    """A total that is not what the lines say: (借 分, 贷 分, lines) as stored and as recomputed (0 where a row is
    missing)."""

    year_id: int
    account_id: int
    date: datetime.date
    part: str
    stored: tuple[int, int, int]
    recomputed: tuple[int, int, int]


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def differences(*, year_ids: list[int] | None = None) -> list[Difference]:
    """Every (year, account, date, part) whose stored 借/贷 分 or line count differ from the posted lines. Two
    queries."""
    where, params = "", []
    if year_ids is not None:
        if not year_ids:
            return []
        where = f" AND v.year_id IN ({', '.join(['%s'] * len(year_ids))})"
        params = list(year_ids)
    stored_where = where.replace("v.year_id", "year_id")
    with connection.cursor() as cursor:
        cursor.execute(_recomputed(where), params)
        recomputed = {
            (year, account, _as_date(day), part): (int(debit), int(credit), int(lines))
            for year, account, day, part, debit, credit, lines in cursor.fetchall()
        }
        cursor.execute(
            "SELECT year_id, account_id, date, part, debit_fen, credit_fen, line_count FROM ledger_daytotal "
            f"WHERE 1 = 1{stored_where}",
            params,
        )
        stored = {
            (year, account, _as_date(day), part): (int(debit), int(credit), int(lines))
            for year, account, day, part, debit, credit, lines in cursor.fetchall()
        }
    found = []
    for key in sorted(recomputed.keys() | stored.keys(), key=lambda k: (k[0], k[2], k[1], k[3])):
        mine, theirs = stored.get(key, (0, 0, 0)), recomputed.get(key, (0, 0, 0))
        if mine != theirs:
            found.append(Difference(*key, stored=mine, recomputed=theirs))
    return found
