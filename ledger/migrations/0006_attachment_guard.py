"""Scanned receipts are append-only, and a closed year takes none: the database refuses it too."""

from django.db import migrations

POSTGRES = [
    r"""
CREATE OR REPLACE FUNCTION ledger_attachment_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        RAISE EXCEPTION '附件只能追加，不能修改或删除' USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (
        SELECT 1 FROM ledger_voucher v JOIN ledger_accountingyear y ON y.id = v.year_id
        WHERE v.id = NEW.voucher_id AND y.is_closed
    ) THEN
        RAISE EXCEPTION '会计年度已结账，不能再添加附件' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
""",
    """
CREATE TRIGGER ledger_attachment_guard BEFORE INSERT OR UPDATE OR DELETE ON ledger_attachment
    FOR EACH ROW EXECUTE FUNCTION ledger_attachment_guard();
""",
]
_CLOSED = (
    "(SELECT y.is_closed FROM ledger_voucher v JOIN ledger_accountingyear y ON y.id = v.year_id"
    " WHERE v.id = NEW.voucher_id)"
)
SQLITE = [
    "CREATE TRIGGER ledger_attachment_no_update BEFORE UPDATE ON ledger_attachment "
    "BEGIN SELECT RAISE(ABORT, '附件只能追加，不能修改或删除'); END",
    "CREATE TRIGGER ledger_attachment_no_delete BEFORE DELETE ON ledger_attachment "
    "BEGIN SELECT RAISE(ABORT, '附件只能追加，不能修改或删除'); END",
    f"CREATE TRIGGER ledger_attachment_closed_year BEFORE INSERT ON ledger_attachment WHEN {_CLOSED} "
    "BEGIN SELECT RAISE(ABORT, '会计年度已结账，不能再添加附件'); END",
]


def guard(apps, schema_editor):
    for statement in POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = [
            "DROP TRIGGER IF EXISTS ledger_attachment_guard ON ledger_attachment",
            "DROP FUNCTION IF EXISTS ledger_attachment_guard()",
        ]
    else:
        statements = [
            f"DROP TRIGGER IF EXISTS {name}"
            for name in (
                "ledger_attachment_no_update",
                "ledger_attachment_no_delete",
                "ledger_attachment_closed_year",
            )
        ]
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_roles_and_audit_guard")]
    operations = [migrations.RunPython(guard, unguard)]
