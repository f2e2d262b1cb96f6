"""Backup and restore round-trip the whole database: the restored books give the identical figures."""

import hashlib
import hmac
import json
import tracemalloc
import zipfile
from io import StringIO

import pytest
from django.conf import settings as settings_module
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from ledger import services, totals
from ledger.models import Attachment, AuditEvent, DayTotal, Union, Voucher
from tests.conftest import d, nth, settle_year_end

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
    voucher = nth(demo, 3)
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
    services.reverse_voucher(voucher=nth(demo, 4), user=treasurer, reason="测试冲销")
    settle_year_end(demo, treasurer)
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
    assert "凭证 41 张，附件 1 个" in run("backup", "--output", str(archive))
    counts = {
        "users": get_user_model().objects.count(),
        "vouchers": Voucher.objects.count(),
        "events": AuditEvent.objects.count(),
        "day_totals": sorted(
            DayTotal.objects.values_list(
                "year__year", "account__code", "date", "part", "debit_fen", "credit_fen"
            )
        ),
    }
    with zipfile.ZipFile(archive) as zipped:
        assert f"media/{books['attachment']}" in zipped.namelist()
        assert "ledger.daytotal" not in json.loads(zipped.read("manifest.json"))["counts"]  # derived: rebuilt

    call_command("flush", interactive=False, verbosity=0)
    (settings.MEDIA_ROOT / books["attachment"]).unlink()
    assert Union.objects.count() == 0

    assert "凭证 41 张" in run("restore", str(archive))
    assert figures(2012) == books["2012"]
    assert figures(2013) == books["2013"]
    assert books["2012"]["report"]["closing_balance"] == "14012.90"  # 15562.90 less the reversed dues 1550.00
    assert get_user_model().objects.count() == counts["users"]
    assert Voucher.objects.count() == counts["vouchers"]
    assert AuditEvent.objects.count() == counts["events"] + 1
    assert AuditEvent.objects.order_by("-id").first().action == "backup_restored"
    # The per-day totals, never backed up, are rebuilt from the restored lines, row for row.
    assert (
        counts["day_totals"]
        and sorted(
            DayTotal.objects.values_list(
                "year__year", "account__code", "date", "part", "debit_fen", "credit_fen"
            )
        )
        == counts["day_totals"]
    )
    assert totals.differences() == []
    assert (settings.MEDIA_ROOT / books["attachment"]).read_bytes() == PNG
    assert get_user_model().objects.get(username="treasurer").check_password("unionledger-demo")
    # The restored books are guarded again: a posted voucher still cannot change.
    with pytest.raises(Exception, match="已记账"):
        Voucher.objects.filter(year__year=2013, number=1).update(summary="改")
    # And the next voucher number continues without a gap.
    year_2013 = services.get_year(union=Union.objects.get(slug="blzq-hospital"), year=2013)
    nxt = services.record_receipt(
        union=year_2013.union,
        date=d("2013-01-25"),
        account="401",
        amount="1.00",
        into="cash",
        summary="x",
        user=get_user_model().objects.get(username="treasurer"),
    )
    assert nxt.full_no == "2013年1月 记-0003"  # after the opening and the receipt of 20 January


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
    with pytest.raises(CommandError, match="备份没有签名，拒绝恢复"):
        run("restore", str(tampered), "--replace")
    with pytest.raises(CommandError, match="借贷不平衡"):
        run("restore", str(tampered), "--replace", "--trust-unsigned")
    assert figures(2012) == before


# --- hostile archives (issue 9, item 2) ----------------------------------------------------------------


def members(archive) -> dict[str, bytes]:
    with zipfile.ZipFile(archive) as zipped:
        return {name: zipped.read(name) for name in zipped.namelist()}


def write_signed(path, manifest: dict, files: dict[str, bytes], key: str = "") -> None:
    """An archive signed as ``backup`` signs one: the manifest lists every member, HMAC-SHA256 of the manifest."""
    key = key or settings_module.BACKUP_SIGNING_KEY
    manifest = dict(
        manifest,
        files={
            name: {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
            for name, content in files.items()
        },
    )
    manifest_bytes = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("manifest.json", manifest_bytes)
        zipped.writestr("manifest.sig", hmac.new(key.encode(), manifest_bytes, hashlib.sha256).hexdigest())
        for name, content in files.items():
            zipped.writestr(name, content)


def resign(source, target, change=None, extra: dict[str, bytes] | None = None, key: str = "") -> None:
    """Re-pack a real backup with ``change(rows)`` applied to data.json and ``extra`` members added, signed."""
    content = members(source)
    manifest = json.loads(content.pop("manifest.json"))
    content.pop("manifest.sig", None)
    if change:
        rows = json.loads(content["data.json"])
        change(rows)
        content["data.json"] = json.dumps(rows).encode()
        manifest["counts"] = {
            label: sum(row["model"] == label for row in rows) for label in manifest["counts"]
        }
    write_signed(target, manifest, content | (extra or {}), key=key)


def test_a_backup_is_signed_and_a_hand_edited_one_is_refused(books, tmp_path, settings):
    archive = tmp_path / "backup.zip"
    run("backup", "--output", str(archive))
    manifest = json.loads(members(archive)["manifest.json"])
    assert set(manifest["files"]) == {"data.json", f"media/{books['attachment']}"}
    assert (
        members(archive)["manifest.sig"].decode()
        == hmac.new(
            settings.BACKUP_SIGNING_KEY.encode(), members(archive)["manifest.json"], hashlib.sha256
        ).hexdigest()
    )

    def edit(rows):
        for row in rows:
            if row["model"] == "ledger.voucher" and row["fields"]["summary"] == "会费":
                row["fields"]["date"] = "2099-01-20"  # a voucher of 2013 moved to 2099
            if row["model"] == "auth.user" and row["fields"]["username"] == "auditor":
                row["fields"]["is_superuser"] = True
        rows[:] = [
            row
            for row in rows
            if row["model"] != "ledger.auditevent" or row["fields"]["action"] != "voucher_reversed"
        ]

    # Edited data under the original signed manifest: the listed hash no longer matches.
    content = members(archive)
    rows = json.loads(content["data.json"])
    edit(rows)
    edited = tmp_path / "edited.zip"
    with zipfile.ZipFile(edited, "w") as zipped:
        for name, body in content.items():
            zipped.writestr(name, json.dumps(rows) if name == "data.json" else body)
    # Edited and re-signed with a key that is not ours; edited with the manifest re-written but the old signature.
    forged = tmp_path / "forged.zip"
    resign(archive, forged, edit, key="an-attackers-key-that-is-long-enough-0000")
    unsigned = tmp_path / "unsigned.zip"
    with zipfile.ZipFile(unsigned, "w") as zipped:
        for name, body in members(forged).items():
            if name != "manifest.sig":
                zipped.writestr(name, body)
    before = (Voucher.objects.count(), AuditEvent.objects.count())
    with pytest.raises(CommandError, match="备份中的 data.json 与签名清单不符"):
        run("restore", str(edited), "--replace")
    with pytest.raises(
        CommandError, match="备份的签名不符（文件被改动过，或用的是另一个签名密钥），拒绝恢复"
    ):
        run("restore", str(forged), "--replace")
    with pytest.raises(CommandError, match="备份没有签名，拒绝恢复"):
        run("restore", str(unsigned), "--replace")
    assert (Voucher.objects.count(), AuditEvent.objects.count()) == before
    assert not Voucher.objects.filter(date__year=2099).exists()

    # The operator may still restore it, explicitly; the trail says so.
    run("restore", str(forged), "--replace", "--trust-unsigned")
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == "backup_restored"
    assert event.changes["signature_verified"] is False
    assert event.changes["trust_unsigned"] is True
    assert "--trust-unsigned" in event.summary
    assert get_user_model().objects.get(username="auditor").is_superuser

    # A genuine backup restores with no flag and is recorded as verified.
    run("restore", str(archive), "--replace")
    event = AuditEvent.objects.order_by("-id").first()
    assert event.changes["signature_verified"] is True
    assert "trust_unsigned" not in event.changes
    assert not get_user_model().objects.get(username="auditor").is_superuser


def test_a_key_from_the_fallbacks_still_verifies_and_backup_needs_a_key(books, tmp_path, settings):
    archive = tmp_path / "backup.zip"
    run("backup", "--output", str(archive))
    old_key = settings.BACKUP_SIGNING_KEY
    settings.BACKUP_SIGNING_KEY = "the-new-key-after-rotation-0123456789abcdef"
    with pytest.raises(CommandError, match="备份的签名不符"):
        run("restore", str(archive), "--replace")
    settings.BACKUP_SIGNING_KEY_FALLBACKS = [old_key]
    run("restore", str(archive), "--replace")
    settings.BACKUP_SIGNING_KEY = "short"
    with pytest.raises(CommandError, match="未设置备份签名密钥"):
        run("backup", "--output", str(tmp_path / "again.zip"))
    assert not (tmp_path / "again.zip").exists()


def test_a_member_that_resolves_outside_media_root_is_refused(books, tmp_path, settings):
    archive = tmp_path / "backup.zip"
    run("backup", "--output", str(archive))
    elsewhere = tmp_path / "elsewhere"
    digest = hashlib.sha256(PNG).hexdigest()
    before = (Voucher.objects.count(), AuditEvent.objects.count())
    for name in [
        f"media/{elsewhere}/{digest}",  # media//srv/elsewhere/<hash>: an absolute path after media/
        f"media/attachments/../../elsewhere/{digest}",
        f"media/attachments/ab/{digest}/../../../../elsewhere/{digest}",
    ]:
        hostile = tmp_path / "hostile.zip"
        resign(archive, hostile, extra={name: PNG})
        with pytest.raises(CommandError, match="备份中有不允许的文件名"):
            run("restore", str(hostile), "--replace")
        assert not elsewhere.exists()
        assert not any(
            path.is_file()
            for path in elsewhere.parent.glob(f"**/{digest}")
            if settings.MEDIA_ROOT not in path.parents
        )
    assert (Voucher.objects.count(), AuditEvent.objects.count()) == before


def test_media_no_attachment_row_names_is_refused(books, tmp_path, settings):
    archive = tmp_path / "backup.zip"
    run("backup", "--output", str(archive))
    stray = b"<html>not a scan</html>"
    digest = hashlib.sha256(stray).hexdigest()
    hostile = tmp_path / "hostile.zip"
    resign(archive, hostile, extra={f"media/attachments/{digest[:2]}/{digest}": stray})
    before = (Voucher.objects.count(), AuditEvent.objects.count())
    with pytest.raises(CommandError, match="不属于任何附件"):
        run("restore", str(hostile), "--replace")
    assert (Voucher.objects.count(), AuditEvent.objects.count()) == before
    assert not (settings.MEDIA_ROOT / "attachments" / digest[:2] / digest).exists()
    assert [path.name for path in settings.MEDIA_ROOT.iterdir() if path.name.startswith(".restore-")] == []


def test_the_uncompressed_size_is_limited(books, tmp_path, settings):
    archive = tmp_path / "backup.zip"
    run("backup", "--output", str(archive))
    bomb = b"\0" * (40 * 1024 * 1024)  # 40 MB of zeros: a zip of a few dozen KB
    digest = hashlib.sha256(bomb).hexdigest()
    hostile = tmp_path / "bomb.zip"
    resign(archive, hostile, extra={f"media/attachments/{digest[:2]}/{digest}": bomb})
    assert hostile.stat().st_size < 1024 * 1024
    settings.BACKUP_MAX_BYTES = 8 * 1024 * 1024
    before = (Voucher.objects.count(), AuditEvent.objects.count())
    with pytest.raises(CommandError, match="解压后超过 8388608 字节的上限（BACKUP_MAX_BYTES）"):
        run("restore", str(hostile), "--replace")
    assert (Voucher.objects.count(), AuditEvent.objects.count()) == before


def test_scans_stream_to_disk_instead_of_memory(books, tmp_path, settings):
    """A 24 MB scan restores with a small fraction of its size in Python memory."""
    big = bytes(range(256)) * (24 * 4096)
    digest = hashlib.sha256(big).hexdigest()
    treasurer = get_user_model().objects.get(username="treasurer")
    attachment = Attachment(
        voucher=Voucher.objects.get(year__year=2013, summary="会费"),
        sha256=digest,
        original_name="大扫描件.png",
        content_type="image/png",
        size=len(big),
        uploaded_by=treasurer,
    )
    attachment.file.save("big.png", ContentFile(big), save=True)
    archive = tmp_path / "backup.zip"
    run("backup", "--output", str(archive))
    call_command("flush", interactive=False, verbosity=0)
    (settings.MEDIA_ROOT / attachment.file.name).unlink()
    tracemalloc.start()
    try:
        run("restore", str(archive))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (settings.MEDIA_ROOT / attachment.file.name).read_bytes() == big
    assert peak < 12 * 1024 * 1024
