"""Backup and restore of the whole database and the scanned receipts, as one zip file.

The archive holds ``manifest.json`` (format, time, row counts), ``data.json`` (Django's serialisation of
every model, natural keys for content types and permissions, original primary keys for the rest) and
``media/`` (attachments, named by their SHA-256). A backup is read in one transaction, so it is one
consistent state of the books even while treasurers keep working.

Restore refuses a database that holds users or unions unless told to replace it. It loads everything in
one transaction: the guard triggers that refuse to write a posted voucher are suspended only while the
rows go back in, and afterwards every posted voucher is checked to balance before the commit.
"""

import hashlib
import json
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from audit import trail as audit
from ledger.backends.sqlite.base import triggers_on
from ledger.errors import LedgerError
from ledger.models import Attachment, AuditEvent, Union, Voucher
from ledger.queries import fen_sum

FORMAT = "unionledger-backup"
VERSION = 1
EXCLUDED_MODELS = {"contenttypes.contenttype", "auth.permission", "sessions.session", "admin.logentry"}
GUARDED_TABLES = ["ledger_voucher", "ledger_voucherline", "ledger_attachment"]


class BackupError(LedgerError):
    """A backup file that cannot be restored, or a restore that would overwrite data."""


def _models():
    for model in serializers.sort_dependencies(
        [(config, None) for config in apps.get_app_configs() if config.models_module is not None]
    ):
        if model._meta.label_lower not in EXCLUDED_MODELS and not model._meta.proxy and model._meta.managed:
            yield model


def create_backup(output: Path) -> dict:
    """Write the whole database and the attachments to ``output``; return the manifest."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        models = list(_models())
        counts = {model._meta.label_lower: model._default_manager.count() for model in models}
        data = serializers.serialize(
            "json",
            (obj for model in models for obj in model._default_manager.order_by("pk").iterator()),
            use_natural_foreign_keys=True,
            indent=None,
        )
        attachments = list(Attachment.objects.values_list("file", flat=True))
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "counts": counts,
        "attachments": len(attachments),
    }
    media_root = Path(settings.MEDIA_ROOT)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        archive.writestr("data.json", data)
        for name in attachments:
            archive.write(media_root / name, f"media/{name}")
    return manifest


def database_is_empty() -> bool:
    return not (get_user_model().objects.exists() or Union.objects.exists())


def _read_archive(path: Path) -> tuple[dict, bytes, dict[str, bytes]]:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(f"无法读取备份文件：{error}") from None
    with archive:
        names = set(archive.namelist())
        if not {"manifest.json", "data.json"} <= names:
            raise BackupError("这不是工会经费账的备份文件（缺少 manifest.json 或 data.json）")
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except ValueError:
            raise BackupError("备份文件的 manifest.json 已损坏") from None
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise BackupError(f"不支持的备份格式：{manifest.get('format')} {manifest.get('version')}")
        media = {}
        for name in names:
            if name.startswith("media/") and not name.endswith("/"):
                content = archive.read(name)
                relative = name.removeprefix("media/")
                if Path(relative).name != hashlib.sha256(content).hexdigest() or ".." in Path(relative).parts:
                    raise BackupError(f"备份中的附件已损坏：{relative}")
                media[relative] = content
        return manifest, archive.read("data.json"), media


@contextmanager
def _guards_suspended():
    """Let rows of posted vouchers go back in as they were; the caller's transaction restores the guards."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in GUARDED_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            yield
            for table in GUARDED_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            triggers = triggers_on(cursor, GUARDED_TABLES)
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            yield
            for _, sql in triggers:
                cursor.execute(sql)


def _check_books() -> None:
    unbalanced = (
        Voucher.objects.filter(state=Voucher.State.POSTED)
        .annotate(
            lines_n=Count("lines"), debit_fen=fen_sum("lines__debit"), credit_fen=fen_sum("lines__credit")
        )
        .filter(Q(lines_n__lt=2) | ~Q(debit_fen=F("credit_fen")))
    )
    found = list(unbalanced.values_list("pk", flat=True)[:10])
    if found:
        raise BackupError(f"备份中的凭证借贷不平衡（凭证 id：{found}），未恢复")


def restore_backup(path: Path, *, replace: bool = False, user=None) -> dict:
    """Replace the database's contents with the backup in ``path``; return its manifest."""
    manifest, data, media = _read_archive(Path(path))
    if not replace and not database_is_empty():
        raise BackupError("数据库中已有用户或工会数据，拒绝覆盖。确需用备份替换现有全部数据，请加 --replace")
    with transaction.atomic():
        call_command("flush", interactive=False, verbosity=0)
        with _guards_suspended(), tempfile.TemporaryDirectory() as folder:
            fixture = Path(folder) / "unionledger-backup.json"
            fixture.write_bytes(data)
            replaying = audit.replaying.set(True)
            try:
                call_command("loaddata", str(fixture), verbosity=0)
            except (serializers.base.DeserializationError, LookupError, ValueError, DatabaseError) as error:
                raise BackupError(f"备份数据无法读取：{error}") from None
            finally:
                audit.replaying.reset(replaying)
        _check_books()
        for model_label, expected in manifest.get("counts", {}).items():
            model = apps.get_model(model_label)
            if model._default_manager.count() != expected:
                raise BackupError(f"恢复后 {model_label} 的行数与备份不符，未恢复")
        audit.record(
            AuditEvent.Action.BACKUP_RESTORED,
            user=user,
            username="manage.py restore" if user is None else "",
            summary=f"从备份恢复（{manifest['created_at']}）",
            changes={"counts": manifest.get("counts", {})},
        )
    media_root = Path(settings.MEDIA_ROOT)
    for relative, content in media.items():
        target = media_root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return manifest
