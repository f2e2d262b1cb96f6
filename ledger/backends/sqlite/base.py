"""SQLite with one difference: ``flush`` empties tables past the books' guard triggers.

The triggers of migrations 0003, 0005 and 0006 refuse to delete posted vouchers, audit events and scans. PostgreSQL's
flush uses TRUNCATE, which row triggers do not see; SQLite's uses DELETE, which they do. So here flush
drops the triggers on the tables it empties and recreates them, word for word, in the same transaction.
Only ``manage.py flush`` and the test runner's reset between transactional tests call this.
"""

from django.db.backends.sqlite3 import base, operations


def triggers_on(cursor, tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of every trigger on ``tables``, to drop them and later recreate them."""
    placeholders = ", ".join(["%s"] * len(tables))
    cursor.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({placeholders})",
        list(tables),
    )
    return cursor.fetchall()


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if not statements:
            return statements
        with self.connection.cursor() as cursor:
            triggers = triggers_on(cursor, list(tables))
        return [f'DROP TRIGGER "{name}"' for name, _ in triggers] + statements + [sql for _, sql in triggers]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
