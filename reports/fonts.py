"""The CJK fonts the 财务工作报告 PDF embeds, and what the server lacks for them.

A formal Chinese report is set in a 宋体-style serif with 黑体-style headings: here Noto Serif CJK SC and
Noto Sans CJK SC from Debian's ``fonts-noto-cjk``. Those ship as TTC collections (JP, KR, SC, TC, HK faces
in one 20–27 MB file). Loaded by ``@font-face`` straight from the collection, WeasyPrint picks the JP face,
and its ~65,000-glyph CFF makes every render pay for a 20 MB font.

So, once at install time (``python manage.py prepare_report_fonts``, run by ``make install``), each face
is cut out of its collection and reduced to what a union's report writes: the 6,763 hanzi of GB 2312,
Latin, punctuation and full-width forms — about 2–3 MB each, with the SC glyph forms. Requests only read
the prepared files. A character outside them (a rare name) falls back to the installed system font, by
family name, so nothing is lost; it only costs that one render a little more time.
"""

from __future__ import annotations

import functools
import json
import logging
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

# Bump when the way fonts are prepared changes; prepared files of another version are made again.
PREPARE_VERSION = 2


@dataclass(frozen=True)
class Face:
    key: str
    # The CSS family of the prepared file; the PDF names its font after it. It must differ from the system
    # family, and not look like the system font's PostScript name (fontconfig would match that one instead).
    family: str
    weight: int
    source_file: str  # the collection in one of settings.REPORT_FONT_DIRS
    source_name: str  # the face's full name (name ID 4) inside the collection
    system_family: str  # fontconfig family to fall back to

    @property
    def file_name(self) -> str:
        return f"{self.family.replace(' ', '')}-{'Bold' if self.weight >= 700 else 'Regular'}.otf"


FACES = (
    Face(
        "serif",
        "Noto Serif CJK SC GB2312",
        400,
        "NotoSerifCJK-Regular.ttc",
        "Noto Serif CJK SC",
        "Noto Serif CJK SC",
    ),
    Face(
        "sans",
        "Noto Sans CJK SC GB2312",
        400,
        "NotoSansCJK-Regular.ttc",
        "Noto Sans CJK SC",
        "Noto Sans CJK SC",
    ),
    Face(
        "sans-bold",
        "Noto Sans CJK SC GB2312",
        700,
        "NotoSansCJK-Bold.ttc",
        "Noto Sans CJK SC Bold",
        "Noto Sans CJK SC",
    ),
)


# Characters beyond the CJK fonts (a rare name such as 𠀀, U+20000, in CJK Extension B) come from Hanazono
# Mincho B (Debian's fonts-hanazono), which covers Extensions B to F. It is embedded by @font-face from its
# file, like the report faces, and named last in every font stack, so it only ever draws what Noto lacks.
FALLBACK_FAMILY = "Unionledger Han Fallback"
FALLBACK_FILE = "HanaMinB.ttf"


def fallback_file() -> Path | None:
    for directory in settings.REPORT_FONT_DIRS:
        candidate = Path(directory) / FALLBACK_FILE
        if candidate.is_file():
            return candidate
    return None


def embedded_files() -> list[str]:
    """The font files a PDF may embed, for the report cache's key."""
    fallback = fallback_file()
    return sorted([str(path) for path in prepared_files().values()] + ([str(fallback)] if fallback else []))


def font_dir() -> Path:
    return Path(settings.REPORT_FONT_DIR)


def manifest_path() -> Path:
    return font_dir() / "manifest.json"


def find_source(face: Face) -> Path | None:
    for directory in settings.REPORT_FONT_DIRS:
        candidate = Path(directory) / face.source_file
        if candidate.is_file():
            return candidate
    return None


def _manifest() -> dict:
    try:
        return json.loads(manifest_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def prepared_files() -> dict[str, Path]:
    """key → prepared font file, for the faces prepared by this version that are on disk."""
    manifest = _manifest()
    if manifest.get("version") != PREPARE_VERSION:
        return {}
    found = {}
    for face in FACES:
        entry = manifest.get("faces", {}).get(face.key)
        path = font_dir() / face.file_name
        if entry and path.is_file() and path.stat().st_size == entry.get("size"):
            found[face.key] = path
    return found


def report_charset() -> set[int]:
    """What the prepared fonts keep: GB 2312's hanzi and every non-Han character a report may use."""
    hanzi = set()
    for first in range(0xB0, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                hanzi.add(ord(bytes((first, second)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return hanzi


def _keep(codepoint: int, hanzi: set[int]) -> bool:
    return (
        codepoint < 0x2E80  # Latin, Greek, Cyrillic, general punctuation, symbols, box drawing
        or 0x3000 <= codepoint <= 0x303F  # CJK symbols and punctuation: 、。〇《》「」【】
        or 0x3200 <= codepoint <= 0x33FF  # enclosed CJK (㈠) and CJK compatibility (㎡)
        or 0xFE10 <= codepoint <= 0xFE4F  # vertical and compatibility forms
        or 0xFF00 <= codepoint <= 0xFFEF  # full-width forms: （）：；，！％＋－＝
        or codepoint in hanzi
    )


def prepare(*, force: bool = False, stdout=None) -> list[str]:
    """Cut the SC faces out of their collections and subset them. Idempotent; returns what it did."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    directory = font_dir()
    directory.mkdir(parents=True, exist_ok=True)
    manifest = _manifest() if not force else {}
    if manifest.get("version") != PREPARE_VERSION:
        manifest = {"version": PREPARE_VERSION, "faces": {}}
    hanzi = report_charset()
    done = []
    for face in FACES:
        source = find_source(face)
        if source is None:
            done.append(
                f"{face.source_name}：未找到 {face.source_file}（在 {', '.join(map(str, settings.REPORT_FONT_DIRS))}）"
            )
            continue
        stat = source.stat()
        target = directory / face.file_name
        entry = manifest["faces"].get(face.key, {})
        if (
            not force
            and target.is_file()
            and entry.get("source") == str(source)
            and entry.get("source_size") == stat.st_size
            and entry.get("source_mtime") == int(stat.st_mtime)
            and entry.get("size") == target.stat().st_size
        ):
            done.append(f"{face.source_name}：已准备，跳过")
            continue
        collection = TTCollection(str(source), lazy=True)
        index = next(
            (
                i
                for i, font in enumerate(collection.fonts)
                if font["name"].getDebugName(4) == face.source_name
            ),
            None,
        )
        collection.close()
        if index is None:
            done.append(f"{face.source_name}：{source} 中没有这个字形")
            continue
        font = TTFont(str(source), fontNumber=index)
        keep = {codepoint for codepoint in font.getBestCmap() if _keep(codepoint, hanzi)}
        options = subset.Options()
        options.layout_features = ["kern", "halt", "palt"]  # horizontal text only
        options.drop_tables += ["BASE", "VORG", "vhea", "vmtx"]
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=keep)
        subsetter.subset(font)
        partial = target.with_suffix(".tmp")
        font.save(str(partial))
        font.close()
        partial.replace(target)
        manifest["faces"][face.key] = {
            "source": str(source),
            "source_size": stat.st_size,
            "source_mtime": int(stat.st_mtime),
            "index": index,
            "characters": len(keep),
            "size": target.stat().st_size,
        }
        manifest_path().write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        done.append(
            f"{face.source_name}：已生成 {target}（{len(keep)} 字符，{target.stat().st_size // 1024} KiB）"
        )
    manifest_path().write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return done


def font_face_css() -> str:
    """``@font-face`` rules for the prepared files present (none: the CSS falls back to system families)."""
    prepared = prepared_files()
    rules = []
    for face in FACES:
        if face.key in prepared:
            rules.append(
                f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; font-style: normal; '
                f'src: url("{prepared[face.key].resolve().as_uri()}"); }}'
            )
    fallback = fallback_file()
    if fallback is not None:
        rules.append(
            f'@font-face {{ font-family: "{FALLBACK_FAMILY}"; font-weight: 400; font-style: normal; '
            f'src: url("{fallback.resolve().as_uri()}"); }}'
        )
    return "\n".join(rules)


@functools.lru_cache(maxsize=1)
def system_cjk_families() -> tuple[str, ...]:
    """Font families fontconfig offers for Simplified Chinese (cached for the process)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ()
    try:
        result = subprocess.run(
            [fc_list, ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ()
    families = {
        name.strip() for line in result.stdout.splitlines() for name in line.split(",") if name.strip()
    }
    return tuple(sorted(families))


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint found libharfbuzz-subset (without it each CJK PDF takes about ten seconds)."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return bool(harfbuzz_subset) and bool(harfbuzz.hb_version_atleast(4, 1, 0))


@dataclass(frozen=True)
class FontStatus:
    prepared: tuple[str, ...]
    system_families: tuple[str, ...]
    harfbuzz_subset: bool

    @property
    def fully_prepared(self) -> bool:
        return len(self.prepared) == len(FACES)

    @property
    def has_cjk_font(self) -> bool:
        return self.fully_prepared or bool(self.system_families)

    @property
    def problems(self) -> list[str]:
        """Plain Chinese, for the PDF's refusal page, the report page and ``manage.py check``."""
        problems = []
        if not self.has_cjk_font:
            problems.append(
                "服务器上没有中文字体：财务工作报告的 PDF 无法生成（否则中文会印成空白方框）。"
                "请管理员安装 fonts-noto-cjk（Debian/Ubuntu：运行 make install），"
                "再运行 python manage.py prepare_report_fonts。"
            )
        elif not self.fully_prepared:
            problems.append(
                "报告字体尚未准备：请管理员运行 python manage.py prepare_report_fonts（make install 会运行）。"
                "在此之前 PDF 直接使用系统字体，生成较慢。"
            )
        if not self.harfbuzz_subset:
            problems.append(
                "服务器未安装 libharfbuzz-subset0：每生成一份中文 PDF 需要约 10 秒。"
                "请管理员安装 libharfbuzz-subset0（Debian/Ubuntu：运行 make install）。"
            )
        return problems


def status() -> FontStatus:
    return FontStatus(
        prepared=tuple(prepared_files()),
        system_families=system_cjk_families(),
        harfbuzz_subset=harfbuzz_subset_available(),
    )


class MissingGlyphs(Exception):
    """Characters no installed font can draw; WeasyPrint would print empty boxes for them."""

    def __init__(self, characters: list[str]):
        self.characters = characters
        shown = "".join(characters[:20])
        super().__init__(f"以下字符没有可用的字体，PDF 中会显示为空白方框：{shown}")


class _GlyphWarnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.characters: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, str) and record.msg.startswith(".notdef glyph") and record.args:
            self.characters.add(str(record.args[0]))


@contextmanager
def refuse_missing_glyphs() -> Iterator[None]:
    """Raise ``MissingGlyphs`` if WeasyPrint drew a .notdef box while rendering inside the block."""
    handler = _GlyphWarnings()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    if handler.characters:
        raise MissingGlyphs(sorted(handler.characters))
