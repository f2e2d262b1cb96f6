"""Multi-row INSERTs for the bulk paths (``services.BulkPosting``, ``audit.trail.record_rows``, the import's
fingerprints): one statement per as many rows as the database takes parameters.

Written as SQL because a bulk ``bulk_create`` spent five times the database's work building and compiling a model
object per row (``benchmarks/README.md``, "Importing Excel books"). Values go in as the database takes them: the
caller adapts dates and datetimes (``connection.ops.adapt_*``) and JSON (the field's ``get_db_prep_save``).
"""

from collections.abc import Sequence

from django.db import connection


def max_params() -> int:
    """Parameters one statement may carry: SQLite's compiled limit (32,766 since 3.32), PostgreSQL's 65,535."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 65535


def insert(table: str, columns: Sequence[str], rows: Sequence[Sequence], *, returning: bool = False) -> list:
    """INSERT ``rows`` into ``table``; with ``returning``, the new ids in the rows' order (as ``bulk_create``
    relies on: PostgreSQL and SQLite return the rows of one multi-row INSERT in the order of its VALUES)."""
    per = max(1, max_params() // len(columns))
    ids: list = []
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for first in range(0, len(rows), per):
            part = rows[first : first + per]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row_sql] * len(part))}"
                + (" RETURNING id" if returning else ""),
                [value for row in part for value in row],
            )
            if returning:
                ids.extend(row[0] for row in cursor.fetchall())
    return ids
