"""The role groups with their permissions, and the database guard that keeps the audit trail append-only."""

from django.db import migrations

ROLE_PERMISSIONS = {
    "出纳/会计": ["record_voucher", "read_books", "download_reports", "close_year"],
    "工会委员": ["read_books", "download_reports"],
    "经费审查": ["read_books", "download_reports", "read_audit_trail"],
}
PERMISSION_NAMES = {
    "record_voucher": "记账（录入、记账、冲销凭证）",
    "read_books": "查阅账簿和凭证",
    "download_reports": "查看和下载财务报告、报表",
    "read_audit_trail": "查看操作记录（审计轨迹）",
    "close_year": "年度结账",
}


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    voucher_type, _ = ContentType.objects.get_or_create(app_label="ledger", model="voucher")
    permissions = {
        codename: Permission.objects.get_or_create(
            content_type=voucher_type, codename=codename, defaults={"name": name}
        )[0]
        for codename, name in PERMISSION_NAMES.items()
    }
    for group_name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*(permissions[codename] for codename in codenames))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


POSTGRES = [
    r"""
CREATE OR REPLACE FUNCTION ledger_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '操作记录只能追加，不能修改或删除' USING ERRCODE = 'check_violation';
END;
$$;
""",
    """
CREATE TRIGGER ledger_audit_append_only BEFORE UPDATE OR DELETE ON ledger_auditevent
    FOR EACH ROW EXECUTE FUNCTION ledger_audit_append_only();
""",
]
SQLITE = [
    "CREATE TRIGGER ledger_audit_no_update BEFORE UPDATE ON ledger_auditevent "
    "BEGIN SELECT RAISE(ABORT, '操作记录只能追加，不能修改或删除'); END",
    "CREATE TRIGGER ledger_audit_no_delete BEFORE DELETE ON ledger_auditevent "
    "BEGIN SELECT RAISE(ABORT, '操作记录只能追加，不能修改或删除'); END",
]


def guard(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = [
            "DROP TRIGGER IF EXISTS ledger_audit_append_only ON ledger_auditevent",
            "DROP FUNCTION IF EXISTS ledger_audit_append_only()",
        ]
    else:
        statements = ["DROP TRIGGER IF EXISTS ledger_audit_no_update", "DROP TRIGGER IF EXISTS ledger_audit_no_delete"]
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_attachments_audit_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [
        migrations.RunPython(create_roles, remove_roles),
        migrations.RunPython(guard, unguard),
    ]
