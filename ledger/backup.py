"""Backup and restore of the whole database and the scanned receipts, as one zip file.

The archive holds ``manifest.json`` (format, time, row counts), ``data.json`` (Django's serialisation of
every model, natural keys for content types and permissions, original primary keys for the rest) and
``media/`` (attachments, named by their SHA-256). A backup is read in one transaction, so it is one
consistent state of the books even while treasurers keep working.

The manifest lists every other member with its SHA-256 and size, and ``manifest.sig`` holds an HMAC-SHA256
of the manifest under ``settings.BACKUP_SIGNING_KEY``. That key is the operator's, kept apart from the
database and from ``SECRET_KEY``: a backup must still restore years later, after ``SECRET_KEY`` has been
rotated, and whoever can read the database (or a backup) must not be able to forge one. So a hand-edited
archive (a back-dated voucher, a deleted audit event, a user made superuser) no longer verifies.

Restore refuses, before it touches the database or the disk:
- an archive whose signature does not verify under the key or one of ``BACKUP_SIGNING_KEY_FALLBACKS``, unless
  the operator passes ``trust_unsigned`` (``--trust-unsigned``), which the audit trail then records;
- any member other than the manifest, its signature, ``data.json`` and ``media/attachments/xx/<sha256>``, and
  any member whose path resolves outside ``MEDIA_ROOT``;
- more than ``BACKUP_MAX_BYTES`` uncompressed, counted as the members stream to disk (never read whole into
  memory), whatever the zip headers claim.
It refuses a database that holds users or unions unless told to replace it. It loads everything in one
transaction: the guard triggers that refuse to write a posted voucher are suspended only while the rows go
back in and the per-day totals (derived, never backed up) are rebuilt from them; afterwards every posted voucher
is checked to balance, and every scan must be named by an
attachment row with the same hash and size, before the commit. Only then are the scans moved into place.
"""

import hashlib
import hmac
import json
import re
import shutil
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
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
from ledger import totals
from ledger.backends.sqlite.base import triggers_on
from ledger.errors import LedgerError
from ledger.models import Attachment, AuditEvent, Union, Voucher
from ledger.queries import fen_sum

FORMAT = "unionledger-backup"
VERSION = 2  # 2: the manifest lists every member's hash and size and is signed; 1 was unsigned
READABLE_VERSIONS = {1, 2}
SIGNATURE = "manifest.sig"
MEDIA_MEMBER = re.compile(r"media/(attachments/[0-9a-f]{2}/[0-9a-f]{64})")
CHUNK = 1024 * 1024
MIN_KEY_LENGTH = 32
EXCLUDED_MODELS = {"contenttypes.contenttype", "auth.permission", "sessions.session", "admin.logentry"}
# django-axes' counts of failed sign-ins are passing state, not books; the audit trail keeps every sign-in.
EXCLUDED_MODELS |= {
    "axes.accessattempt",
    "axes.accessattemptexpiration",
    "axes.accesslog",
    "axes.accessfailurelog",
}
# The background render queue and its jobs are passing state: the files they made live in the report cache.
EXCLUDED_MODELS |= {"django_tasks_db.dbtaskresult", "reports.renderjob"}
# The per-day totals are derived from the posted lines: not backed up, rebuilt by the restore (``ledger.totals``).
EXCLUDED_MODELS |= {"ledger.daytotal"}
# The 总工会's table's kept figures are a memo of the books: not backed up, computed again on the next reading.
EXCLUDED_MODELS |= {"federation.yearfigures"}
# The count of roster writes is kept by the database's triggers on the roster: the restore's members count anew.
EXCLUDED_MODELS |= {"plan.rosterchanges"}
GUARDED_TABLES = ["ledger_voucher", "ledger_voucherline", "ledger_attachment", "ledger_daytotal"]


class BackupError(LedgerError):
    """A backup file that cannot be restored, or a restore that would overwrite data."""


def _models():
    for model in serializers.sort_dependencies(
        [(config, None) for config in apps.get_app_configs() if config.models_module is not None]
    ):
        if model._meta.label_lower not in EXCLUDED_MODELS and not model._meta.proxy and model._meta.managed:
            yield model


def signing_keys() -> list[bytes]:
    """The key new backups are signed with, then older keys a restore still accepts."""
    keys = [settings.BACKUP_SIGNING_KEY, *getattr(settings, "BACKUP_SIGNING_KEY_FALLBACKS", [])]
    return [key.encode() for key in keys if key]


def _signing_key() -> bytes:
    key = settings.BACKUP_SIGNING_KEY or ""
    if len(key) < MIN_KEY_LENGTH:
        raise BackupError(
            f"未设置备份签名密钥：请在环境变量 BACKUP_SIGNING_KEY 中设置至少{MIN_KEY_LENGTH}个字符的随机字符串"
            "（与 SECRET_KEY 不同，另行妥善保管），再备份"
        )
    return key.encode()


def sign(manifest_bytes: bytes, key: bytes) -> str:
    return hmac.new(key, manifest_bytes, hashlib.sha256).hexdigest()


def _file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def create_backup(output: Path) -> dict:
    """Write the whole database and the attachments to ``output``, signed; return the manifest."""
    key = _signing_key()
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
        ).encode()
        attachments = list(Attachment.objects.values_list("file", flat=True))
    files = {"data.json": {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}}
    media_root = Path(settings.MEDIA_ROOT)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", data)
        for name in attachments:
            digest, size = _file_digest(media_root / name)
            files[f"media/{name}"] = {"sha256": digest, "size": size}
            archive.write(media_root / name, f"media/{name}")
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "counts": counts,
            "attachments": len(attachments),
            "files": files,
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        archive.writestr("manifest.json", manifest_bytes)
        archive.writestr(SIGNATURE, sign(manifest_bytes, key))
    return manifest


def database_is_empty() -> bool:
    return not (get_user_model().objects.exists() or Union.objects.exists())


def _media_target(name: str, media_root: Path) -> str:
    """The path under MEDIA_ROOT a ``media/`` member restores to; refused if it could land anywhere else."""
    match = MEDIA_MEMBER.fullmatch(name)
    relative = name.removeprefix("media/")
    root = media_root.resolve()
    if match is None or not (root / relative).resolve().is_relative_to(root):
        raise BackupError(
            f"备份中有不允许的文件名：{name!r}（只能是 media/attachments/xx/<SHA-256>），未恢复"
        )
    return relative


def _extract(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: list[int]
) -> tuple[str, int]:
    """Stream one member to ``target``, never holding it in memory; count it against the size budget."""
    digest, size = hashlib.sha256(), 0
    with archive.open(info) as source, open(target, "wb") as sink:
        while chunk := source.read(CHUNK):
            size += len(chunk)
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise BackupError(_too_large())
            digest.update(chunk)
            sink.write(chunk)
    return digest.hexdigest(), size


def _too_large() -> str:
    return f"备份文件解压后超过 {settings.BACKUP_MAX_BYTES} 字节的上限（BACKUP_MAX_BYTES），未恢复"


@dataclass(frozen=True)
class _Archive:
    manifest: dict
    data: Path
    media: dict[str, Path]  # path under MEDIA_ROOT → extracted file
    verified: bool
    problem: str  # why the signature did not verify ("" when it did)


def _verify(manifest_bytes: bytes, signature: bytes | None, manifest: dict) -> str:
    """Empty if the manifest is signed with one of our keys; otherwise what is wrong, in Chinese."""
    if signature is None or "files" not in manifest:
        return "备份没有签名"
    keys = signing_keys()
    if not keys:
        return "未设置 BACKUP_SIGNING_KEY，无法验证备份的签名"
    given = signature.decode("ascii", "replace").strip()
    if not any(hmac.compare_digest(sign(manifest_bytes, key), given) for key in keys):
        return "备份的签名不符（文件被改动过，或用的是另一个签名密钥）"
    return ""


def _read_archive(path: Path, folder: Path, *, trust_unsigned: bool, media_root: Path) -> _Archive:
    """Check the archive and stream its members into ``folder``; nothing outside ``folder`` is written."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(f"无法读取备份文件：{error}") from None
    with archive:
        infos = {info.filename: info for info in archive.infolist() if not info.is_dir()}
        if not {"manifest.json", "data.json"} <= infos.keys():
            raise BackupError("这不是工会经费账的备份文件（缺少 manifest.json 或 data.json）")
        media_names = {}
        for name in infos:
            if name not in {"manifest.json", SIGNATURE, "data.json"}:
                media_names[name] = _media_target(name, media_root)
        if sum(info.file_size for info in infos.values()) > settings.BACKUP_MAX_BYTES:
            raise BackupError(_too_large())
        budget = [settings.BACKUP_MAX_BYTES]
        try:
            manifest_bytes = archive.open(infos["manifest.json"]).read(1024 * 1024 * 16 + 1)
            signature = archive.open(infos[SIGNATURE]).read(256) if SIGNATURE in infos else None
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
            raise BackupError(f"备份文件已损坏：{error}") from None
        if len(manifest_bytes) > 1024 * 1024 * 16:
            raise BackupError("备份文件的 manifest.json 过大，未恢复")
        try:
            manifest = json.loads(manifest_bytes)
        except ValueError:
            raise BackupError("备份文件的 manifest.json 已损坏") from None
        if not isinstance(manifest, dict):
            raise BackupError("备份文件的 manifest.json 已损坏")
        if manifest.get("format") != FORMAT or manifest.get("version") not in READABLE_VERSIONS:
            raise BackupError(f"不支持的备份格式：{manifest.get('format')} {manifest.get('version')}")
        problem = _verify(manifest_bytes, signature, manifest)
        if problem and not trust_unsigned:
            raise BackupError(
                f"{problem}，拒绝恢复。确认备份来源可信时，可加 --trust-unsigned 恢复（会记入操作记录）"
            )
        listed = manifest.get("files") if not problem else None
        if listed is not None and set(listed) != set(infos) - {"manifest.json", SIGNATURE}:
            raise BackupError("备份中的文件与签名清单不符，未恢复")
        extracted = {}
        for number, name in enumerate(sorted(set(infos) - {"manifest.json", SIGNATURE})):
            target = folder / f"member-{number}"
            try:
                digest, size = _extract(archive, infos[name], target, budget)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
                raise BackupError(f"备份中的 {name} 已损坏：{error}") from None
            if listed is not None and listed[name] != {"sha256": digest, "size": size}:
                raise BackupError(f"备份中的 {name} 与签名清单不符（被改动过），未恢复")
            if name in media_names and Path(name).name != digest:
                raise BackupError(f"备份中的附件已损坏：{media_names[name]}")
            extracted[name] = target
    return _Archive(
        manifest=manifest,
        data=extracted["data.json"],
        media={media_names[name]: file for name, file in extracted.items() if name in media_names},
        verified=not problem,
        problem=problem,
    )


def _check_media(media: dict[str, Path]) -> None:
    """Every scan in the archive must be one an attachment row names, with the row's hash and size."""
    rows = {name: (sha, size) for name, sha, size in Attachment.objects.values_list("file", "sha256", "size")}
    for relative, file in media.items():
        if relative not in rows:
            raise BackupError(f"备份中的文件 media/{relative} 不属于任何附件，未恢复")
        if rows[relative] != (Path(relative).name, file.stat().st_size):
            raise BackupError(f"备份中的文件 media/{relative} 与附件记录不符，未恢复")


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


def restore_backup(path: Path, *, replace: bool = False, user=None, trust_unsigned: bool = False) -> dict:
    """Replace the database's contents with the backup in ``path``; return its manifest."""
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    # Unpacked beside MEDIA_ROOT's files (same file system), so the scans move into place, never copied.
    with tempfile.TemporaryDirectory(dir=media_root, prefix=".restore-") as folder:
        archive = _read_archive(
            Path(path), Path(folder), trust_unsigned=trust_unsigned, media_root=media_root
        )
        manifest = archive.manifest
        if not replace and not database_is_empty():
            raise BackupError(
                "数据库中已有用户或工会数据，拒绝覆盖。确需用备份替换现有全部数据，请加 --replace"
            )
        with transaction.atomic():
            call_command("flush", interactive=False, verbosity=0)
            fixture = Path(folder) / "unionledger-backup.json"
            archive.data.rename(fixture)
            with _guards_suspended():
                replaying = audit.replaying.set(True)
                try:
                    call_command("loaddata", str(fixture), verbosity=0)
                except (
                    serializers.base.DeserializationError,
                    LookupError,
                    ValueError,
                    DatabaseError,
                ) as error:
                    raise BackupError(f"备份数据无法读取：{error}") from None
                finally:
                    audit.replaying.reset(replaying)
                totals.rebuild()
            _check_books()
            _check_media(archive.media)
            for model_label, expected in manifest.get("counts", {}).items():
                model = apps.get_model(model_label)
                if model._default_manager.count() != expected:
                    raise BackupError(f"恢复后 {model_label} 的行数与备份不符，未恢复")
            changes = {"counts": manifest.get("counts", {}), "signature_verified": archive.verified}
            summary = f"从备份恢复（{manifest['created_at']}）"
            if not archive.verified:
                changes["trust_unsigned"] = True
                changes["signature_problem"] = archive.problem
                summary += f"；{archive.problem}，操作人以 --trust-unsigned 确认可信"
            audit.record(
                AuditEvent.Action.BACKUP_RESTORED,
                user=user,
                username="manage.py restore" if user is None else "",
                summary=summary,
                changes=changes,
            )
        for relative, file in archive.media.items():
            target = media_root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_file():
                file.unlink()  # named by its hash: the same scan is already in place
            else:
                shutil.move(file, target)
    return manifest


def backup_file_name(now=None) -> str:
    """``unionledger-20261125-023000.zip``: the name ``backup --dir`` gives, in local time, sorting by age."""
    return f"unionledger-{timezone.localtime(now):%Y%m%d-%H%M%S}.zip"


def _created_at(path: Path) -> str | None:
    """When the backup in ``path`` was made, or None if ``path`` is not a readable backup of ours."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return None
    created_at = manifest.get("created_at")
    return created_at if isinstance(created_at, str) else None


def prune_backups(directory: Path, *, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest backups in ``directory``; return what was deleted, oldest first.

    Only files that are backups of ours count (read from their manifest, newest by its time): another zip
    file, or a backup cut short, is neither counted nor deleted.
    """
    if keep < 1:
        raise BackupError("至少要保留 1 份备份")
    backups = []
    for path in Path(directory).glob("*.zip"):
        created_at = _created_at(path)
        if path.is_file() and created_at is not None:
            backups.append((created_at, path.name, path))
    backups.sort()
    old = [path for _, _, path in backups[: max(len(backups) - keep, 0)]]
    for path in old:
        path.unlink()
    return old
