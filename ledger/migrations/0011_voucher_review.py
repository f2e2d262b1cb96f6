"""Voucher life: 未审核 → 已审核 → 已记账, the reviewer role, a union's review and 出纳签字 settings, and the month a
凭证号 belongs to.

The old constraints that stand in the way of the data migration that follows (0012: numbers by month, 红字
reversals) are removed here; 0013 adds their replacements and the triggers. Unions that exist already keep
posting in one step as before (``review_required`` off): turning review on is their administrator's choice.
A union created from now on has it on.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from ledger.migrations._guards import keep

note, restore = keep(["ledger_voucher", "ledger_voucherline"])

REVIEWER = "会计主管/审核"
REVIEWER_PERMISSIONS = {
    "review_voucher": "审核凭证（审核、反审核、记账）",
    "read_books": "查阅账簿和凭证",
    "download_reports": "查看和下载财务报告、报表",
}


def existing_unions_post_in_one_step(apps, schema_editor):
    apps.get_model("ledger", "Union").objects.update(review_required=False)


def create_reviewer_role(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    voucher_type, _ = ContentType.objects.get_or_create(app_label="ledger", model="voucher")
    permissions = [
        Permission.objects.get_or_create(
            content_type=voucher_type, codename=codename, defaults={"name": name}
        )[0]
        for codename, name in REVIEWER_PERMISSIONS.items()
    ]
    group, _ = Group.objects.get_or_create(name=REVIEWER)
    group.permissions.add(*permissions)


def remove_reviewer_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=REVIEWER).delete()
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="ledger", codename="review_voucher"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0010_audit_year_opened"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("ledger", "0005_roles_and_audit_guard"),
    ]

    operations = [
        note,
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
                ],
                "verbose_name": "记账凭证",
                "verbose_name_plural": "记账凭证",
            },
        ),
        migrations.RemoveConstraint(
            model_name="voucher",
            name="voucher_number_unique_in_year",
        ),
        migrations.RemoveConstraint(
            model_name="voucher",
            name="voucher_state_consistent",
        ),
        migrations.RemoveConstraint(
            model_name="voucherline",
            name="line_one_positive_side",
        ),
        migrations.AddField(
            model_name="union",
            name="cashier_sign_required",
            field=models.BooleanField(
                default=False,
                help_text="开启后，涉及库存现金或银行存款的凭证须出纳签字后才能记账",
                verbose_name="现金、银行凭证须出纳签字",
            ),
        ),
        migrations.AddField(
            model_name="union",
            name="review_required",
            field=models.BooleanField(
                default=True,
                help_text="开启后，记收入、记支出、记凭证保存为未审核凭证，须由另一位会计主管/审核审核后才能记账",
                verbose_name="凭证须经审核",
            ),
        ),
        migrations.AddField(
            model_name="voucher",
            name="cashier_signed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="出纳签字时间"),
        ),
        migrations.AddField(
            model_name="voucher",
            name="cashier_signed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="出纳",
            ),
        ),
        migrations.AddField(
            model_name="voucher",
            name="month",
            field=models.PositiveSmallIntegerField(
                blank=True, editable=False, null=True, verbose_name="凭证月份"
            ),
        ),
        migrations.AddField(
            model_name="voucher",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="审核时间"),
        ),
        migrations.AddField(
            model_name="voucher",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="审核",
            ),
        ),
        migrations.AlterField(
            model_name="accountingyear",
            name="next_number",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="已记账凭证数加一"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("login", "登录"),
                    ("login_failed", "登录失败"),
                    ("logout", "退出"),
                    ("voucher_created", "填制凭证"),
                    ("voucher_posted", "凭证记账"),
                    ("voucher_changed", "修改凭证"),
                    ("voucher_reviewed", "审核"),
                    ("voucher_unreviewed", "反审核"),
                    ("cashier_signed", "出纳签字"),
                    ("voucher_reversed", "冲销凭证"),
                    ("draft_deleted", "删除草稿"),
                    ("opening_recorded", "录入期初余额"),
                    ("account_added", "增加明细科目"),
                    ("attachment_added", "上传附件"),
                    ("report_text_changed", "修改报告文字"),
                    ("year_opened", "建立年度账套"),
                    ("year_closed", "年度结账"),
                    ("year_reopened", "反结账"),
                    ("user_changed", "用户或角色变更"),
                    ("backup_restored", "恢复备份"),
                ],
                max_length=30,
                verbose_name="操作",
            ),
        ),
        migrations.AlterField(
            model_name="voucher",
            name="state",
            field=models.CharField(
                choices=[("draft", "未审核"), ("reviewed", "已审核"), ("posted", "已记账")],
                default="draft",
                max_length=10,
                verbose_name="状态",
            ),
        ),
        migrations.RunPython(existing_unions_post_in_one_step, migrations.RunPython.noop),
        migrations.RunPython(create_reviewer_role, remove_reviewer_role),
        restore,
    ]
