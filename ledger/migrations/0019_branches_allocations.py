"""Branches (分工会) and federations: a branch keeps books of its own or is a dimension (辅助核算) of its parent's
lines; 补助下级 (下拨) between the two books; the 总工会 role that reads the table of the unions under it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from ledger.migrations._guards import keep

note, restore = keep(["ledger_voucherline"])
FEDERATION = "总工会"
FEDERATION_PERMISSIONS = {
    "download_reports": "查看和下载财务报告、报表",
    "read_federation": "查看所属工会汇总表（总工会）",
}


def create_federation_role(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    voucher_type, _ = ContentType.objects.get_or_create(app_label="ledger", model="voucher")
    permissions = [
        Permission.objects.get_or_create(
            content_type=voucher_type, codename=codename, defaults={"name": name}
        )[0]
        for codename, name in FEDERATION_PERMISSIONS.items()
    ]
    group, _ = Group.objects.get_or_create(name=FEDERATION)
    group.permissions.add(*permissions)


def remove_federation_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=FEDERATION).delete()
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="ledger", codename="read_federation"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0018_day_totals"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="voucher",
            options={
                "ordering": ["year", "date", "number", "id"],
                "permissions": [
                    ("record_voucher", "记账（录入、记账、冲销凭证）"),
                    ("review_voucher", "审核凭证（审核、反审核、记账）"),
                    ("read_books", "查阅账簿和凭证"),
                    ("download_reports", "查看和下载财务报告、报表"),
                    ("read_audit_trail", "查看操作记录（审计轨迹）"),
                    ("close_year", "年度结账"),
                    ("read_federation", "查看所属工会汇总表（总工会）"),
                ],
                "verbose_name": "记账凭证",
                "verbose_name_plural": "记账凭证",
            },
        ),
        migrations.AddField(
            model_name="union",
            name="keeps_books",
            field=models.BooleanField(
                default=True,
                help_text="分工会单独建账（有自己的会计年度和凭证）；关闭则不建账，在上级工会的凭证分录上按分会辅助核算",
                verbose_name="单独建账",
            ),
        ),
        note,
        migrations.AddField(
            model_name="voucherline",
            name="branch",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.union",
                verbose_name="分会（辅助核算）",
            ),
        ),
        restore,
        migrations.CreateModel(
            name="Allocation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("amount_fen", models.BigIntegerField(verbose_name="金额（分）")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="时间")),
                (
                    "branch_voucher",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="allocation_in",
                        to="ledger.voucher",
                        verbose_name="分工会凭证",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="经办人",
                    ),
                ),
                (
                    "parent_voucher",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="allocation_out",
                        to="ledger.voucher",
                        verbose_name="上级工会凭证",
                    ),
                ),
            ],
            options={
                "verbose_name": "补助下级（下拨）",
                "verbose_name_plural": "补助下级（下拨）",
                "ordering": ["parent_voucher"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("amount_fen__gt", 0)), name="allocation_positive"
                    )
                ],
            },
        ),
        migrations.RunPython(create_federation_role, remove_federation_role),
    ]
