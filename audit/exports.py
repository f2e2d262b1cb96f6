"""Excel export of the audit trail: write-only openpyxl, real date-time cells, Chinese headers."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from audit.readable import ReadableEvent

HEADERS = ["时间", "用户", "操作", "说明", "对象", "来源地址", "变更内容"]
WIDTHS = [20, 14, 14, 60, 18, 16, 60]


def audit_workbook(events: Iterable[ReadableEvent], *, title: str) -> bytes:
    """One row per event: the object by its name and each change on a line of its own (字段：旧值 → 新值)."""
    from openpyxl import Workbook  # noqa: PLC0415 - heavy, only for the download
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    book = Workbook(write_only=True)
    sheet = book.create_sheet("操作记录")
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    caption = WriteOnlyCell(sheet, value=f"{title}（导出时间 {timezone.localtime():%Y-%m-%d %H:%M}）")
    caption.font = Font(bold=True)
    sheet.append([caption])
    header = []
    for text in HEADERS:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for event in events:
        at = WriteOnlyCell(sheet, value=timezone.localtime(event.at).replace(tzinfo=None))
        at.number_format = "yyyy-mm-dd hh:mm:ss"
        sheet.append(
            [
                at,
                event.username,
                event.get_action_display(),
                event.summary,
                event.object_label,
                event.ip_address or "",
                "\n".join(event.changes),
            ]
        )
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
