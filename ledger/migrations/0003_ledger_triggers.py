"""Database guards for the books, so that raw SQL cannot do what the services refuse.

- A posted voucher and its lines are never updated or deleted.
- Nothing is written into a closed year; a voucher's date lies inside its year.
- A voucher enters the books as a draft; when it is posted it has two or more lines and debits equal
  credits. On PostgreSQL this is a deferred constraint trigger checked at commit (so a whole voucher can
  be written in one transaction in any order); SQLite has no deferred triggers, so there the check runs
  when the state changes to posted, and lines of a posted voucher cannot be added afterwards.

Errors use SQLSTATE 23514 (check_violation) on PostgreSQL and RAISE(ABORT) on SQLite: Django raises
IntegrityError for both.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    r"""
CREATE OR REPLACE FUNCTION ledger_voucher_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    year_closed boolean;
    year_number integer;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.state = 'posted' THEN
        RAISE EXCEPTION '已记账的凭证不能修改或删除（凭证 id %），更正请填制红字冲销凭证', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        SELECT is_closed INTO year_closed FROM ledger_accountingyear WHERE id = OLD.year_id;
        IF year_closed THEN
            RAISE EXCEPTION '会计年度已结账，不能删除凭证' USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.state <> 'draft' THEN
        RAISE EXCEPTION '凭证须先以草稿录入分录，再记账' USING ERRCODE = 'check_violation';
    END IF;
    SELECT is_closed, year INTO year_closed, year_number FROM ledger_accountingyear WHERE id = NEW.year_id;
    IF year_closed THEN
        RAISE EXCEPTION '%年度已结账，不能再记账', year_number USING ERRCODE = 'check_violation';
    END IF;
    IF EXTRACT(YEAR FROM NEW.date)::integer <> year_number THEN
        RAISE EXCEPTION '凭证日期 % 不在 %年度内', NEW.date, year_number USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
""",
    """
CREATE TRIGGER ledger_voucher_guard BEFORE INSERT OR UPDATE OR DELETE ON ledger_voucher
    FOR EACH ROW EXECUTE FUNCTION ledger_voucher_guard();
""",
    r"""
CREATE OR REPLACE FUNCTION ledger_line_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE')
       AND EXISTS (SELECT 1 FROM ledger_voucher WHERE id = OLD.voucher_id AND state = 'posted') THEN
        RAISE EXCEPTION '已记账凭证的分录不能修改或删除' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE')
       AND EXISTS (SELECT 1 FROM ledger_voucher WHERE id = NEW.voucher_id AND state = 'posted') THEN
        RAISE EXCEPTION '不能向已记账的凭证添加分录' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
""",
    """
CREATE TRIGGER ledger_line_guard BEFORE INSERT OR UPDATE OR DELETE ON ledger_voucherline
    FOR EACH ROW EXECUTE FUNCTION ledger_line_guard();
""",
    r"""
CREATE OR REPLACE FUNCTION ledger_voucher_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target bigint;
    line_count integer;
    debit_total numeric;
    credit_total numeric;
BEGIN
    IF TG_TABLE_NAME = 'ledger_voucher' THEN
        target := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        target := OLD.voucher_id;
    ELSE
        target := NEW.voucher_id;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ledger_voucher v WHERE v.id = target AND v.state = 'posted') THEN
        RETURN NULL;
    END IF;
    SELECT count(*), coalesce(sum(l.debit), 0), coalesce(sum(l.credit), 0)
      INTO line_count, debit_total, credit_total
      FROM ledger_voucherline l WHERE l.voucher_id = target;
    IF line_count < 2 OR debit_total <> credit_total THEN
        RAISE EXCEPTION '记账凭证借贷不平衡或分录少于两行（凭证 id %：借方 %，贷方 %，% 行）',
            target, debit_total, credit_total, line_count USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;
""",
    """
CREATE CONSTRAINT TRIGGER ledger_voucher_balanced AFTER INSERT OR UPDATE ON ledger_voucher
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_voucher_balanced();
""",
    """
CREATE CONSTRAINT TRIGGER ledger_line_balanced AFTER INSERT OR UPDATE OR DELETE ON ledger_voucherline
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_voucher_balanced();
""",
]

POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_line_balanced ON ledger_voucherline",
    "DROP TRIGGER IF EXISTS ledger_voucher_balanced ON ledger_voucher",
    "DROP FUNCTION IF EXISTS ledger_voucher_balanced()",
    "DROP TRIGGER IF EXISTS ledger_line_guard ON ledger_voucherline",
    "DROP FUNCTION IF EXISTS ledger_line_guard()",
    "DROP TRIGGER IF EXISTS ledger_voucher_guard ON ledger_voucher",
    "DROP FUNCTION IF EXISTS ledger_voucher_guard()",
]

_YEAR = "(SELECT year FROM ledger_accountingyear WHERE id = NEW.year_id)"
_CLOSED = "(SELECT is_closed FROM ledger_accountingyear WHERE id = {ref}.year_id)"
_POSTED = "(SELECT state FROM ledger_voucher WHERE id = {ref}.voucher_id) = 'posted'"
_CENTS = "(SELECT coalesce(round(sum({col}) * 100), 0) FROM ledger_voucherline WHERE voucher_id = NEW.id)"

SQLITE_TRIGGERS = {
    "ledger_voucher_posted_no_update": (
        "BEFORE UPDATE ON ledger_voucher WHEN OLD.state = 'posted'",
        "已记账的凭证不能修改或删除，更正请填制红字冲销凭证",
    ),
    "ledger_voucher_posted_no_delete": (
        "BEFORE DELETE ON ledger_voucher WHEN OLD.state = 'posted'",
        "已记账的凭证不能修改或删除，更正请填制红字冲销凭证",
    ),
    "ledger_voucher_closed_year_no_delete": (
        f"BEFORE DELETE ON ledger_voucher WHEN {_CLOSED.format(ref='OLD')}",
        "会计年度已结账，不能删除凭证",
    ),
    "ledger_voucher_insert_as_draft": (
        "BEFORE INSERT ON ledger_voucher WHEN NEW.state <> 'draft'",
        "凭证须先以草稿录入分录，再记账",
    ),
    "ledger_voucher_closed_year_insert": (
        f"BEFORE INSERT ON ledger_voucher WHEN {_CLOSED.format(ref='NEW')}",
        "会计年度已结账，不能再记账",
    ),
    "ledger_voucher_closed_year_update": (
        f"BEFORE UPDATE ON ledger_voucher WHEN {_CLOSED.format(ref='NEW')}",
        "会计年度已结账，不能再记账",
    ),
    "ledger_voucher_date_in_year_insert": (
        f"BEFORE INSERT ON ledger_voucher WHEN CAST(strftime('%Y', NEW.date) AS INTEGER) <> {_YEAR}",
        "凭证日期不在会计年度内",
    ),
    "ledger_voucher_date_in_year_update": (
        f"BEFORE UPDATE ON ledger_voucher WHEN CAST(strftime('%Y', NEW.date) AS INTEGER) <> {_YEAR}",
        "凭证日期不在会计年度内",
    ),
    "ledger_voucher_post_balanced": (
        "BEFORE UPDATE OF state ON ledger_voucher WHEN NEW.state = 'posted' AND ("
        "(SELECT count(*) FROM ledger_voucherline WHERE voucher_id = NEW.id) < 2"
        f" OR {_CENTS.format(col='debit')} <> {_CENTS.format(col='credit')})",
        "记账凭证借贷不平衡或分录少于两行",
    ),
    "ledger_line_posted_no_insert": (
        f"BEFORE INSERT ON ledger_voucherline WHEN {_POSTED.format(ref='NEW')}",
        "不能向已记账的凭证添加分录",
    ),
    "ledger_line_posted_no_update": (
        f"BEFORE UPDATE ON ledger_voucherline WHEN {_POSTED.format(ref='OLD')} OR {_POSTED.format(ref='NEW')}",
        "已记账凭证的分录不能修改或删除",
    ),
    "ledger_line_posted_no_delete": (
        f"BEFORE DELETE ON ledger_voucherline WHEN {_POSTED.format(ref='OLD')}",
        "已记账凭证的分录不能修改或删除",
    ),
}


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = POSTGRES_FORWARD
    elif vendor == "sqlite":
        statements = [
            f"CREATE TRIGGER {name} {when} BEGIN SELECT RAISE(ABORT, '{message}'); END"
            for name, (when, message) in SQLITE_TRIGGERS.items()
        ]
    else:
        raise RuntimeError(f"unionledger supports SQLite and PostgreSQL, not {vendor}")
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = POSTGRES_REVERSE
    else:
        statements = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_chart_2009")]
    operations = [migrations.RunPython(forwards, backwards)]
