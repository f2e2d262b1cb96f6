"""The new states, numbers by month and 红字 reversals, kept by the database.

Constraints (both databases): a voucher's state and its 凭证号, month, reviewer and poster agree; nobody
reviews their own voucher; the 凭证号 is unique per union-year and month; a line has exactly one side that is
not zero.

Triggers (PostgreSQL and SQLite):
- a line with a negative (红字) amount is refused unless its voucher is a reversal whose original has a line on
  the same account and side with the amount negated;
- the lines of a reviewed voucher, like those of a posted one, are never added, changed or deleted (反审核
  returns the voucher to draft first);
- a posted voucher's month is the month of its date.

On SQLite, adding the constraints rebuilds both tables; every trigger on them is kept (``_guards.keep``), the
line guards of 0003 are replaced by the ones below.
"""

from django.db import migrations, models

from ledger.migrations._guards import keep

REPLACED_SQLITE = (
    "ledger_line_posted_no_insert",
    "ledger_line_posted_no_update",
    "ledger_line_posted_no_delete",
)
note, restore = keep(["ledger_voucher", "ledger_voucherline"], replaced=REPLACED_SQLITE)

POSTGRES = [
    r"""
CREATE OR REPLACE FUNCTION ledger_line_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE')
       AND EXISTS (SELECT 1 FROM ledger_voucher WHERE id = OLD.voucher_id AND state = 'posted') THEN
        RAISE EXCEPTION '已记账凭证的分录不能修改或删除' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE')
       AND EXISTS (SELECT 1 FROM ledger_voucher WHERE id = OLD.voucher_id AND state = 'reviewed') THEN
        RAISE EXCEPTION '已审核凭证的分录不能修改或删除，请先反审核' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE')
       AND EXISTS (SELECT 1 FROM ledger_voucher WHERE id = NEW.voucher_id AND state IN ('posted', 'reviewed')) THEN
        RAISE EXCEPTION '不能向已审核或已记账的凭证添加分录' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
""",
    r"""
CREATE OR REPLACE FUNCTION ledger_line_red() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.debit < 0 OR NEW.credit < 0) AND NOT EXISTS (
        SELECT 1 FROM ledger_voucher v JOIN ledger_voucherline o ON o.voucher_id = v.reverses_id
         WHERE v.id = NEW.voucher_id AND v.kind = 'reversal' AND o.account_id = NEW.account_id
           AND o.debit = -NEW.debit AND o.credit = -NEW.credit
    ) THEN
        RAISE EXCEPTION '负数（红字）金额只能出现在红字冲销凭证上，且须与原凭证同一科目、同一方向、金额相反'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
""",
    """
CREATE TRIGGER ledger_line_red BEFORE INSERT OR UPDATE ON ledger_voucherline
    FOR EACH ROW EXECUTE FUNCTION ledger_line_red();
""",
    r"""
CREATE OR REPLACE FUNCTION ledger_voucher_month() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '凭证号的月份（%）须是凭证日期 % 的月份', NEW.month, NEW.date USING ERRCODE = 'check_violation';
END;
$$;
""",
    """
CREATE TRIGGER ledger_voucher_month BEFORE INSERT OR UPDATE ON ledger_voucher FOR EACH ROW
    WHEN (NEW.month IS NOT NULL AND NEW.month <> EXTRACT(MONTH FROM NEW.date)::integer)
    EXECUTE FUNCTION ledger_voucher_month();
""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_voucher_month ON ledger_voucher",
    "DROP FUNCTION IF EXISTS ledger_voucher_month()",
    "DROP TRIGGER IF EXISTS ledger_line_red ON ledger_voucherline",
    "DROP FUNCTION IF EXISTS ledger_line_red()",
]

_LOCKED = "(SELECT state FROM ledger_voucher WHERE id = {ref}.voucher_id) IN ('posted', 'reviewed')"
_MIRRORED = (
    "EXISTS (SELECT 1 FROM ledger_voucher v JOIN ledger_voucherline o ON o.voucher_id = v.reverses_id"
    " WHERE v.id = NEW.voucher_id AND v.kind = 'reversal' AND o.account_id = NEW.account_id"
    " AND round(o.debit * 100) = round(-NEW.debit * 100) AND round(o.credit * 100) = round(-NEW.credit * 100))"
)
_RED = "负数（红字）金额只能出现在红字冲销凭证上，且须与原凭证同一科目、同一方向、金额相反"
_MONTH = "NEW.month IS NOT NULL AND NEW.month <> CAST(strftime('%m', NEW.date) AS INTEGER)"
SQLITE_TRIGGERS = {
    "ledger_line_posted_no_insert": (
        f"BEFORE INSERT ON ledger_voucherline WHEN {_LOCKED.format(ref='NEW')}",
        "不能向已审核或已记账的凭证添加分录",
    ),
    "ledger_line_posted_no_update": (
        f"BEFORE UPDATE ON ledger_voucherline WHEN {_LOCKED.format(ref='OLD')} OR {_LOCKED.format(ref='NEW')}",
        "已审核或已记账凭证的分录不能修改或删除",
    ),
    "ledger_line_posted_no_delete": (
        f"BEFORE DELETE ON ledger_voucherline WHEN {_LOCKED.format(ref='OLD')}",
        "已审核或已记账凭证的分录不能修改或删除",
    ),
    "ledger_line_red_insert": (
        f"BEFORE INSERT ON ledger_voucherline WHEN (NEW.debit < 0 OR NEW.credit < 0) AND NOT {_MIRRORED}",
        _RED,
    ),
    "ledger_line_red_update": (
        f"BEFORE UPDATE ON ledger_voucherline WHEN (NEW.debit < 0 OR NEW.credit < 0) AND NOT {_MIRRORED}",
        _RED,
    ),
    "ledger_voucher_month_insert": (
        f"BEFORE INSERT ON ledger_voucher WHEN {_MONTH}",
        "凭证号的月份须是凭证日期的月份",
    ),
    "ledger_voucher_month_update": (
        f"BEFORE UPDATE ON ledger_voucher WHEN {_MONTH}",
        "凭证号的月份须是凭证日期的月份",
    ),
}


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = POSTGRES
    else:
        statements = [f'DROP TRIGGER IF EXISTS "{name}"' for name in SQLITE_TRIGGERS] + [
            f"CREATE TRIGGER {name} {when} BEGIN SELECT RAISE(ABORT, '{message}'); END"
            for name, (when, message) in SQLITE_TRIGGERS.items()
        ]
    for statement in statements:
        schema_editor.execute(statement, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = POSTGRES_REVERSE
    else:
        statements = [f'DROP TRIGGER IF EXISTS "{name}"' for name in SQLITE_TRIGGERS]
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0012_red_reversal")]

    operations = [
        note,
        migrations.AddConstraint(
            model_name="voucher",
            constraint=models.UniqueConstraint(
                fields=("year", "month", "number"), name="voucher_number_unique_in_month"
            ),
        ),
        migrations.AddConstraint(
            model_name="voucher",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("month__isnull", True),
                        ("number__isnull", True),
                        ("posted_at__isnull", True),
                        ("posted_by__isnull", True),
                        ("reviewed_by__isnull", True),
                        ("state", "draft"),
                    ),
                    models.Q(
                        ("month__isnull", True),
                        ("number__isnull", True),
                        ("posted_at__isnull", True),
                        ("posted_by__isnull", True),
                        ("reviewed_by__isnull", False),
                        ("state", "reviewed"),
                    ),
                    models.Q(
                        ("month__isnull", False),
                        ("number__isnull", False),
                        ("posted_at__isnull", False),
                        ("posted_by__isnull", False),
                        ("state", "posted"),
                    ),
                    _connector="OR",
                ),
                name="voucher_state_consistent",
            ),
        ),
        migrations.AddConstraint(
            model_name="voucher",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("reviewed_at__isnull", True), ("reviewed_by__isnull", True)),
                    models.Q(("reviewed_at__isnull", False), ("reviewed_by__isnull", False)),
                    _connector="OR",
                ),
                name="voucher_review_recorded",
            ),
        ),
        migrations.AddConstraint(
            model_name="voucher",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("reviewed_by__isnull", True),
                    models.Q(("reviewed_by", models.F("prepared_by")), _negated=True),
                    _connector="OR",
                ),
                name="voucher_reviewer_not_preparer",
            ),
        ),
        migrations.AddConstraint(
            model_name="voucher",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("cashier_signed_at__isnull", True), ("cashier_signed_by__isnull", True)),
                    models.Q(("cashier_signed_at__isnull", False), ("cashier_signed_by__isnull", False)),
                    _connector="OR",
                ),
                name="voucher_cashier_signature_recorded",
            ),
        ),
        migrations.AddConstraint(
            model_name="voucher",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("month__isnull", True), models.Q(("month__gte", 1), ("month__lte", 12)), _connector="OR"
                ),
                name="voucher_month_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="voucherline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(models.Q(("debit__gt", 0), ("debit__lt", 0), _connector="OR"), ("credit", 0)),
                    models.Q(("debit", 0), models.Q(("credit__gt", 0), ("credit__lt", 0), _connector="OR")),
                    _connector="OR",
                ),
                name="line_one_side_nonzero",
            ),
        ),
        restore,
        migrations.RunPython(guard, unguard),
    ]
