"""The count of a union's roster changes (``RosterChanges``), kept by the database.

Every INSERT, UPDATE or DELETE of ``plan_member`` adds to the count of the union it touches (both unions when
a member moves): the service, an import, the admin or a shell alike. On PostgreSQL one statement trigger per
kind of write adds the statement's rows in one upsert (an import of thousands of members writes the count once,
not once a member: migration 0022 of the ledger says why); SQLite has row triggers only.
"""

import django.db.models.deletion
from django.db import migrations, models


UPSERT = (
    "INSERT INTO plan_rosterchanges (union_id, changes) {rows} "
    "ON CONFLICT (union_id) DO UPDATE SET changes = plan_rosterchanges.changes + excluded.changes"
)

SQLITE_FORWARD = [
    "CREATE TRIGGER plan_roster_added AFTER INSERT ON plan_member BEGIN "
    + UPSERT.format(rows="VALUES (NEW.union_id, 1)")
    + "; END",
    "CREATE TRIGGER plan_roster_changed AFTER UPDATE ON plan_member BEGIN "
    + UPSERT.format(rows="VALUES (OLD.union_id, 1)")
    + "; "
    + UPSERT.format(rows="VALUES (NEW.union_id, 1)")
    + "; END",
    "CREATE TRIGGER plan_roster_removed AFTER DELETE ON plan_member BEGIN "
    + UPSERT.format(rows="VALUES (OLD.union_id, 1)")
    + "; END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS plan_roster_added",
    "DROP TRIGGER IF EXISTS plan_roster_changed",
    "DROP TRIGGER IF EXISTS plan_roster_removed",
]


def _pg(name: str, when: str, tables: str, rows: str) -> list[str]:
    return [
        f"CREATE FUNCTION plan_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        + UPSERT.format(rows=f"SELECT union_id, COUNT(*) FROM ({rows}) w GROUP BY union_id")
        + "; RETURN NULL; END; $$",
        f"CREATE TRIGGER plan_{name} AFTER {when} ON plan_member REFERENCING {tables} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION plan_{name}()",
    ]


POSTGRES_FORWARD = [
    *_pg("roster_added", "INSERT", "NEW TABLE AS plan_member_new", "SELECT union_id FROM plan_member_new"),
    *_pg(
        "roster_changed",
        "UPDATE",
        "OLD TABLE AS plan_member_old NEW TABLE AS plan_member_new",
        "SELECT union_id FROM plan_member_old UNION ALL SELECT union_id FROM plan_member_new",
    ),
    *_pg("roster_removed", "DELETE", "OLD TABLE AS plan_member_old", "SELECT union_id FROM plan_member_old"),
]
POSTGRES_REVERSE = [
    f"DROP TRIGGER IF EXISTS plan_{name} ON plan_member; DROP FUNCTION IF EXISTS plan_{name}()"
    for name in ("roster_added", "roster_changed", "roster_removed")
]


def _run(forward: bool):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            statements = POSTGRES_FORWARD if forward else POSTGRES_REVERSE
        else:
            statements = SQLITE_FORWARD if forward else SQLITE_REVERSE
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0023_year_statistics"),
        ("plan", "0002_spending_rules"),
    ]

    operations = [
        migrations.CreateModel(
            name="RosterChanges",
            fields=[
                (
                    "union",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="ledger.union",
                        verbose_name="工会",
                    ),
                ),
                ("changes", models.BigIntegerField(default=0, verbose_name="会员名册变动次数")),
            ],
            options={
                "verbose_name": "会员名册变动计数",
                "verbose_name_plural": "会员名册变动计数",
            },
        ),
        migrations.RunPython(_run(True), _run(False)),
    ]
