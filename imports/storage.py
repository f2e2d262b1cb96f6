"""Uploaded workbooks kept between preview and confirmation, named by their SHA-256 (never by the user's name),
under MEDIA_ROOT/imports/ — a folder no web server serves. Also the progress file of a background import."""

from pathlib import Path

from django.conf import settings

from ledger.errors import LedgerError


def _path(sha256: str, suffix: str = ".xlsx") -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise LedgerError("导入文件的标识不正确")
    return Path(settings.MEDIA_ROOT) / "imports" / sha256[:2] / f"{sha256}{suffix}"


def keep(sha256: str, content: bytes) -> None:
    path = _path(sha256)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(content)
        partial.replace(path)


def read(sha256: str) -> bytes:
    try:
        return _path(sha256).read_bytes()
    except FileNotFoundError:
        raise LedgerError("上传的文件已不在服务器上，请重新上传") from None


def write_progress(sha256: str, done: int, total: int) -> None:
    path = _path(sha256, ".progress")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".progress-part")
    partial.write_text(f"{done} {total}")
    partial.replace(path)


def read_progress(sha256: str) -> tuple[int, int]:
    try:
        done, total = _path(sha256, ".progress").read_text().split()
        return int(done), int(total)
    except (FileNotFoundError, ValueError):
        return 0, 0
