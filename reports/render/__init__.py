"""One pure renderer per format. Each takes the report data and returns ``(filename, content_type, bytes)``."""

import datetime

from django.utils import timezone

from reports.data import AnnualReportData
from reports.render.chart import spending_chart_svg

RENDERER_VERSION = "2026-11-25.1"  # part of the cache key: bump when any rendered output changes

Rendered = tuple[str, str, bytes]


def file_name(data: AnnualReportData, suffix: str) -> str:
    return f"{data.union_name}{data.year}年度财务工作报告.{suffix}"


def statements_file_name(data: AnnualReportData, suffix: str) -> str:
    period = data.statements.period_label if data.statements else f"{data.year}年度"
    return f"{data.union_name}{period}会计报表.{suffix}"


def report_context(data: AnnualReportData, made_at: datetime.datetime | None = None) -> dict:
    """What the report templates need: the data, the time the copy was made and the chart."""
    from django.utils.safestring import mark_safe

    made_at = timezone.localtime(made_at or timezone.now())
    svg = spending_chart_svg(
        [(line.label, line.amount) for line in data.expense_lines], title=f"{data.year}年度经费支出构成"
    )
    # The SVG is built from escaped parts only (see render/chart.py).
    return {"data": data, "made_at": made_at, "chart": mark_safe(svg)}


def consolidated_context(report, made_at: datetime.datetime | None = None) -> dict:
    """What the consolidated report's templates need: the report, the parent's data (names, signature lines)
    and the time the copy was made."""
    return {"report": report, "data": report.parent, "made_at": timezone.localtime(made_at or timezone.now())}


def consolidated_statements_context(consolidated, made_at: datetime.datetime | None = None) -> dict:
    """What the consolidated statements' templates need (``reports.consolidated_statements``)."""
    return {"consolidated": consolidated, "made_at": timezone.localtime(made_at or timezone.now())}
