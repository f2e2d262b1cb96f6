"""Keep SQLite's guard triggers across a migration that makes Django rebuild a table.

SQLite cannot alter a table's constraints; Django rebuilds the table instead (a new table, the rows copied,
the old one dropped, the new one renamed), and the triggers on the old table go with it, while a trigger
elsewhere that reads the table stops the rename. ``keep(tables)`` returns two operations to put around such a
change: the first notes and drops every trigger on ``tables`` or reading them (ours and any later
migration's, word for word), the second recreates them. PostgreSQL alters tables in place and keeps its
triggers, so there both do nothing. The module's name starts with ``_``, so Django does not load it as a
migration.
"""

from django.db import migrations

_noted: dict[tuple[str, ...], list[tuple[str, str]]] = {}


def keep(
    tables: list[str], *, replaced: tuple[str, ...] = ()
) -> tuple[migrations.RunPython, migrations.RunPython]:
    """(note, restore) around a rebuild of ``tables``; triggers named in ``replaced`` are not restored."""
    key = tuple(tables)

    def note(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
                noted = [
                    (name, sql)
                    for name, table, sql in cursor.fetchall()
                    if table in tables or any(other in sql for other in tables)
                ]
                for name, _ in noted:
                    cursor.execute(f'DROP TRIGGER "{name}"')
                _noted[key] = noted

    def restore(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            for name, sql in _noted.pop(key, []):
                if name not in replaced:
                    cursor.execute(sql)

    return (
        migrations.RunPython(note, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(restore, migrations.RunPython.noop, elidable=False),
    )
