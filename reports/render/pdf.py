"""The 财务工作报告 as a PDF: A4, CJK fonts embedded as subsets, page X / Y, union and time made on every page.

WeasyPrint is imported here only (it is heavy). Fonts come from the files prepared at install time, by
``@font-face`` with a ``FontConfiguration``; the stylesheet and any image come from disk, never over HTTP.
"""

import datetime
import logging
import threading
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from reports import fonts
from reports.data import AnnualReportData
from reports.render import (
    Rendered,
    consolidated_context,
    consolidated_statements_context,
    file_name,
    report_context,
    statements_file_name,
)

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/pdf"
STATIC_DIR = Path(settings.BASE_DIR) / "static" / "reports"
PRINT_CSS = STATIC_DIR / "report-print.css"


# One font configuration per process, reused by every render: registering the @font-face files (copying
# them to a temporary directory and letting fontconfig scan them) is then paid once, not per PDF. WeasyPrint
# documents do not share a configuration safely between threads, so renders take turns.
_render_lock = threading.Lock()
_font_configs: dict[str, object] = {}


def _font_config(face_css: str):
    from weasyprint.text.fonts import FontConfiguration

    if face_css not in _font_configs:
        _font_configs.clear()  # the prepared fonts changed: forget the old files
        _font_configs[face_css] = FontConfiguration()
    return _font_configs[face_css]


class PdfUnavailable(Exception):
    """No CJK font on the server: a PDF would show empty boxes, so none is made."""


def report_html(data: AnnualReportData, made_at: datetime.datetime | None = None) -> str:
    return render_to_string("reports/annual_pdf.html", report_context(data, made_at))


def html_to_pdf(html: str, *, extra_css: str = "", use_prepared_fonts: bool = True) -> bytes:
    """Lay out ``html`` with the report's print stylesheet. Raises ``fonts.MissingGlyphs`` on empty boxes."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)
    face_css = fonts.font_face_css() if use_prepared_fonts else ""
    with _render_lock:
        font_config = _font_config(face_css)
        stylesheets = []
        if face_css:
            stylesheets.append(CSS(string=face_css, font_config=font_config, url_fetcher=fetcher))
        stylesheets.append(CSS(filename=str(PRINT_CSS), font_config=font_config, url_fetcher=fetcher))
        if extra_css:
            stylesheets.append(CSS(string=extra_css, font_config=font_config, url_fetcher=fetcher))
        document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
        with fonts.refuse_missing_glyphs():
            return document.write_pdf(stylesheets=stylesheets, font_config=font_config)


# 〓 (U+3013, the 缺字符号) is what Chinese typesetting prints for a character the type lacks.
MISSING_CHARACTER = "〓"


def render_pdf(data: AnnualReportData, *, made_at: datetime.datetime | None = None) -> Rendered:
    """The report's PDF. Never refused for a character no font has (an account name the treasurer cannot
    change, a rare character in the text): such characters are printed as 〓 rather than as empty boxes."""
    if not fonts.status().has_cjk_font:
        raise PdfUnavailable(" ".join(fonts.status().problems))
    body = _pdf_marking_missing(report_html(data, made_at), logged_as=f"{data.union_slug} {data.year}")
    return file_name(data, "pdf"), CONTENT_TYPE, body


def render_statements_pdf(data: AnnualReportData, *, made_at: datetime.datetime | None = None) -> Rendered:
    """资产负债表 and 收入支出表 (``data.statements``) on A4, with the union's signature lines."""
    if not fonts.status().has_cjk_font:
        raise PdfUnavailable(" ".join(fonts.status().problems))
    context = report_context(data, made_at) | {"statements": data.statements}
    body = _pdf_marking_missing(render_to_string("reports/statements_pdf.html", context))
    return statements_file_name(data, "pdf"), CONTENT_TYPE, body


def _pdf_marking_missing(html: str, *, extra_css: str = "", logged_as: str = "") -> bytes:
    """The PDF of ``html``, a character no font has printed as 〓 (and said in the log, ``logged_as`` naming the
    file, where given)."""
    try:
        return html_to_pdf(html, extra_css=extra_css)
    except fonts.MissingGlyphs as error:
        if logged_as:
            log.warning("PDF of %s: no font for %s, printed as 〓", logged_as, error.characters)
        for character in {character for run in error.characters for character in run}:
            html = html.replace(character, MISSING_CHARACTER)
        return html_to_pdf(html, extra_css=extra_css)


def render_consolidated_pdf(report, *, made_at: datetime.datetime | None = None) -> Rendered:
    """The consolidated (合并) report (``reports.consolidated.ConsolidatedReport``) on A4."""
    if not fonts.status().has_cjk_font:
        raise PdfUnavailable(" ".join(fonts.status().problems))
    body = _pdf_marking_missing(
        render_to_string("reports/consolidated_pdf.html", consolidated_context(report, made_at))
    )
    return f"{report.title}.pdf", CONTENT_TYPE, body


# 本级, each 分工会, 抵销 and 合并 side by side: the consolidated statements are printed across the page.
LANDSCAPE = "@page { size: A4 landscape; margin: 18mm 16mm 18mm 18mm; }"


def render_consolidated_statements_pdf(consolidated, *, made_at: datetime.datetime | None = None) -> Rendered:
    """The consolidated 收入支出表 and 资产负债表 (``reports.consolidated_statements.ConsolidatedStatements``) on
    A4 landscape, with the eliminated pairs and the union's signature lines."""
    if not fonts.status().has_cjk_font:
        raise PdfUnavailable(" ".join(fonts.status().problems))
    html = render_to_string(
        "reports/consolidated_statements_pdf.html", consolidated_statements_context(consolidated, made_at)
    )
    return f"{consolidated.title}.pdf", CONTENT_TYPE, _pdf_marking_missing(html, extra_css=LANDSCAPE)
