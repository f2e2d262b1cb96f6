"""Rendered PDF and Excel files, kept on disk and served again while nothing they show has changed.

The key is a hash of the union and year, the state of the books (``ledger.queries.books_state``), the names
of the chart and of every account the report may show, every field of the report text, the fonts, and the
code, templates and stylesheet of the renderers. A new voucher, closing the year, a saved
text or a new release changes the key; the stale file of the same union-year and format is then removed.
Finding a cached file costs four small queries and a file read, so a repeated download is fast.

A web request only looks a file up (``lookup``); on a miss it asks a background worker to render it
(``reports.jobs``), which stores it here (``store``). ``fmt`` names the file: ``pdf`` and ``xlsx`` are the
财务工作报告, ``statements-06.pdf`` the statements at the end of June.
"""

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Q

from ledger.models import Account, AccountingYear
from ledger.queries import books_state
from reports import fonts
from reports.models import ReportText
from reports.render import RENDERER_VERSION, Rendered


@dataclass(frozen=True)
class CachedFile:
    filename: str
    content_type: str
    path: Path
    hit: bool


def row_fields(row) -> list[tuple[str, str]]:
    """A saved row's own field values (not Django's ``_state``) as ``data_key`` takes them: for a file that prints
    one row besides the books (a 现金盘点)."""
    return sorted((name, repr(value)) for name, value in vars(row).items() if not name.startswith("_"))


def data_key(*parts: object) -> str:
    """The key of a file that reads more than one union's books and words (the 合并 report, the 经费审查报告): a
    hash of what it prints, as built, and of its layout."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


REPORT_LAYOUT = (
    "reports/*.py",
    "reports/render/*.py",
    "reports/presets/*.json",
    "templates/reports/*.html",
    "static/reports/report-print.css",
)


def _files_hash(patterns: tuple[str, ...]) -> str:
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256(RENDERER_VERSION.encode())
    for path in sorted({path for pattern in patterns for path in base.glob(pattern)}):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# The hashes this process computed, kept for its life: they describe the code it loaded at its start.
_loaded: dict[tuple[str, ...], str] = {}


def layout_fingerprint(*patterns: str) -> str:
    """A hash of the report's code, templates and stylesheet and of the files ``patterns`` (globs under the
    project) that lay a file out, as they were when this process first asked, so a new release renders afresh."""
    patterns = REPORT_LAYOUT + patterns
    if patterns not in _loaded:
        _loaded[patterns] = _files_hash(patterns)
    return _loaded[patterns]


def renderer_fingerprint() -> str:
    """A hash of the code, templates and stylesheet that shape a report, so a new release renders afresh."""
    return layout_fingerprint()


def code_is_stale() -> bool:
    """Whether the files behind a fingerprint this process uses changed on disk since it loaded them (a release
    came and the process was not restarted): hashing them again, a few milliseconds."""
    return any(_files_hash(patterns) != loaded for patterns, loaded in list(_loaded.items()))


def _accounts_state(year: AccountingYear, chart_ids: list[int]) -> list:
    """Every account the report of ``year`` (or of the year before, for comparison) may name: one query.

    A rename, a new 明细科目 or a moved one changes this, so the workbook never keeps an old name.
    """
    return list(
        Account.objects.filter(chart_id__in=chart_ids)
        .filter(Q(union__isnull=True) | Q(union_id=year.union_id))
        .order_by("pk")
        .values_list("pk", "code", "name", "parent_id", "type", "is_active", "chart__code", "chart__name")
    )


def cache_key(year: AccountingYear, fmt: str) -> str:
    """A hash of everything the renderers read: the books, the names of the union, its chart and accounts,
    every word of the report text, the fonts and the renderers' own code. Four small queries."""
    text = ReportText.objects.filter(union_id=year.union_id, year=year.year).values().first()
    books = books_state(year)
    chart_ids = sorted({chart_id for _, _, chart_id in books["years"]} | {year.chart_id})
    parts = {
        "renderer": renderer_fingerprint(),
        "format": fmt,
        "union": [year.union_id, year.union.name, year.union.slug],
        "year": year.year,
        "books": books,
        "accounts": _accounts_state(year, chart_ids),
        "text": text,
        "fonts": fonts.embedded_files() if fmt.endswith("pdf") else None,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _directory(year: AccountingYear) -> Path:
    return Path(settings.REPORT_CACHE_DIR) / f"{year.union.slug}-{year.year}"


def lookup(year: AccountingYear, fmt: str, key: str | None = None) -> CachedFile | None:
    """The cached file of ``fmt`` for the union-year if it is current (or of ``key`` when given), else None."""
    directory = _directory(year)
    key = key or cache_key(year, fmt)
    meta_path = directory / f"{key}.{fmt}.json"
    body_path = directory / f"{key}.{fmt}"
    if meta_path.is_file() and body_path.is_file():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        return CachedFile(meta["filename"], meta["content_type"], body_path, hit=True)
    return None


def cached(year: AccountingYear, fmt: str, render: Callable[[], Rendered]) -> CachedFile:
    """The cached file of ``fmt`` for the union-year, rendering (and storing) it first if it is stale."""
    return lookup(year, fmt) or store(year, fmt, render)


def store(
    year: AccountingYear, fmt: str, render: Callable[[], Rendered], key: str | None = None
) -> CachedFile:
    """Render ``fmt`` for the union-year and keep it under the key of the books as they are now (or ``key``)."""
    directory = _directory(year)
    key = key or cache_key(year, fmt)
    meta_path = directory / f"{key}.{fmt}.json"
    body_path = directory / f"{key}.{fmt}"
    filename, content_type, body = render()
    directory.mkdir(parents=True, exist_ok=True)
    for pattern in (f"*.{fmt}", f"*.{fmt}.json"):
        for stale in directory.glob(pattern):
            stale.unlink(missing_ok=True)
    _write_atomic(body_path, body)
    _write_atomic(meta_path, json.dumps({"filename": filename, "content_type": content_type}).encode())
    return CachedFile(filename, content_type, body_path, hit=False)


def _write_atomic(path: Path, body: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(body)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
