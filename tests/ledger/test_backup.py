"""Backup and restore round-trip the whole database: the restored books give the identical figures."""

import hashlib
import json
import zipfile
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from ledger import services
from ledger.models import Attachment, AuditEvent, Union, Voucher
from tests.conftest import d

pytestmark = pytest.mark.django_db(transaction=True)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


REPORT_KEYS = ["opening_balance", "income", "expense", "total_income", "total_expense", "closing_balance"]


def figures(year: int) -> dict:
    """The trial balance and the annual report's figures, as the commands print them."""
    args = ["--union", "blzq-hospital", "--year", str(year), "--format", "json"]
    report = json.loads(run("annual_report", *args, "--output", "-"))
    return {
        "trial_balance": json.loads(run("trial_balance", *args)),
        "report": {key: report[key] for key in REPORT_KEYS},
    }


@pytest.fixture
def books(demo, settings, tmp_path):
    """The demo year, closed into 2013, with a reversal, an attachment and a sign-in in the trail."""
    settings.MEDIA_ROOT = tmp_path / "media"
    treasurer = get_user_model().objects.get(username="treasurer")
    voucher = Voucher.objects.get(year=demo, number=3)
    sha = hashlib.sha256(PNG).hexdigest()
    attachment = Attachment(
        voucher=voucher,
        sha256=sha,
        original_name="收据.png",
        content_type="image/png",
        size=len(PNG),
        uploaded_by=treasurer,
    )
    attachment.file.save("scan.png", ContentFile(PNG), save=True)
    services.reverse_voucher(
        voucher=Voucher.objects.get(year=demo, number=4), user=treasurer, reason="测试冲销"
    )
    services.close_year(year=demo, user=treasurer)
    services.record_receipt(
        union=demo.union,
        date=d("2013-01-20"),
        account="401",
        amount="1600.00",
        into="cash",
        summary="会费",
        user=treasurer,
    )
    return {"2012": figures(2012), "2013": figures(2013), "attachment": attachment.file.name}


def test_backup_and_restore_round_trip(books, tmp_path, settings):
    archive = tmp_path / "backup.zip"
    assert "凭证 19 张，附件 1 个" in run("backup", "--output", str(archive))
    counts = {
        "users": get_user_model().objects.count(),
        "vouchers": Voucher.objects.count(),
        "events": AuditEvent.objects.count(),
    }
    with zipfile.ZipFile(archive) as zipped:
        assert f"media/{books['attachment']}" in zipped.namelist()

    call_command("flush", interactive=False, verbosity=0)
    (settings.MEDIA_ROOT / books["attachment"]).unlink()
    assert Union.objects.count() == 0

    assert "凭证 19 张" in run("restore", str(archive))
    assert figures(2012) == books["2012"]
    assert figures(2013) == books["2013"]
    assert books["2012"]["report"]["closing_balance"] == "14012.90"  # 15562.90 less the reversed dues 1550.00
    assert get_user_model().objects.count() == counts["users"]
    assert Voucher.objects.count() == counts["vouchers"]
    assert AuditEvent.objects.count() == counts["events"] + 1
    assert AuditEvent.objects.order_by("-id").first().action == "backup_restored"
    assert (settings.MEDIA_ROOT / books["attachment"]).read_bytes() == PNG
    assert get_user_model().objects.get(username="treasurer").check_password("unionledger-demo")
    # The restored books are guarded again: a posted voucher still cannot change.
    with pytest.raises(Exception, match="已记账"):
        Voucher.objects.filter(year__year=2013, number=1).update(summary="改")
    # And the next voucher number continues without a gap.
    year_2013 = services.get_year(union=Union.objects.get(slug="blzq-hospital"), year=2013)
    nxt = services.record_receipt(
        union=year_2013.union,
        date=d("2013-02-01"),
        account="401",
        amount="1.00",
        into="cash",
        summary="x",
        user=get_user_model().objects.get(username="treasurer"),
    )
    assert nxt.number == 3


def test_restore_refuses_a_non_empty_database_unless_told_to_replace(books, tmp_path):
    archive = tmp_path / "backup.zip"
    run("backup", "--output", str(archive))
    treasurer = get_user_model().objects.get(username="treasurer")
    year_2013 = services.get_year(union=Union.objects.get(slug="blzq-hospital"), year=2013)
    services.record_receipt(
        union=year_2013.union,
        date=d("2013-03-01"),
        account="401",
        amount="9.99",
        into="cash",
        summary="备份之后",
        user=treasurer,
    )
    before = Voucher.objects.count()
    with pytest.raises(CommandError, match="数据库中已有用户或工会数据，拒绝覆盖"):
        run("restore", str(archive))
    assert Voucher.objects.count() == before
    run("restore", str(archive), "--replace")
    assert not Voucher.objects.filter(summary="备份之后").exists()
    assert figures(2013) == books["2013"]


def test_restore_refuses_files_that_are_not_backups(db, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="无法读取备份文件"):
        run("restore", str(junk))
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zipped:
        zipped.writestr("manifest.json", json.dumps({"format": "something-else", "version": 1}))
        zipped.writestr("data.json", "[]")
    with pytest.raises(CommandError, match="不支持的备份格式"):
        run("restore", str(other))
    with pytest.raises(CommandError, match="这不是工会经费账的备份文件"):
        with zipfile.ZipFile(other, "w") as zipped:
            zipped.writestr("readme.txt", "x")
        run("restore", str(other))


def test_restore_refuses_an_unbalanced_backup_and_changes_nothing(books, tmp_path):
    archive = tmp_path / "backup.zip"
    run("backup", "--output", str(archive))
    with zipfile.ZipFile(archive) as zipped:
        manifest = zipped.read("manifest.json")
        rows = json.loads(zipped.read("data.json"))
    for row in rows:
        if row["model"] == "ledger.voucherline" and row["fields"]["debit"] == "723.00":
            row["fields"]["debit"] = "724.00"
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as zipped:
        zipped.writestr("manifest.json", manifest)
        zipped.writestr("data.json", json.dumps(rows))
    before = figures(2012)
    with pytest.raises(CommandError, match="借贷不平衡"):
        run("restore", str(tampered), "--replace")
    assert figures(2012) == before
