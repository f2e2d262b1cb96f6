"""The report as one self-contained HTML file (for the command line): the PDF's markup and stylesheet."""

import datetime

from django.template.loader import render_to_string

from reports.data import AnnualReportData
from reports.render import Rendered, consolidated_context, file_name, report_context
from reports.render.pdf import PRINT_CSS

CONTENT_TYPE = "text/html; charset=utf-8"


def render_html(data: AnnualReportData, *, made_at: datetime.datetime | None = None) -> Rendered:
    context = report_context(data, made_at) | {"stylesheet": PRINT_CSS.read_text(encoding="utf-8")}
    body = render_to_string("reports/annual_standalone.html", context)
    return file_name(data, "html"), CONTENT_TYPE, body.encode("utf-8")


def render_consolidated_html(report, *, made_at: datetime.datetime | None = None) -> Rendered:
    context = consolidated_context(report, made_at) | {"stylesheet": PRINT_CSS.read_text(encoding="utf-8")}
    body = render_to_string("reports/consolidated_pdf.html", context)
    return f"{report.title}.html", CONTENT_TYPE, body.encode("utf-8")
