"""The 总工会's table as a workbook (openpyxl, write-only): real numbers with a number format, Excel re-sums them."""

import io

from federation.queries import COLUMNS, UnionRow

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"


def render_table_xlsx(*, federation_name: str, year: int, rows: list[UnionRow]) -> tuple[str, str, bytes]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("所属工会汇总")
    sheet.freeze_panes = "A3"
    sheet.append([f"{federation_name}所属工会{year}年度经费汇总表"])
    sheet.append([heading for _, heading in COLUMNS])
    for row in rows:
        cells = []
        for key, _ in COLUMNS:
            value = getattr(row, key)
            if key == "is_closed":
                value = None if value is None else ("已结账" if value else "未结账")
            if key == "year" and value is None:
                value = "未建账"
            cell = WriteOnlyCell(sheet, value=value)
            if key in ("income", "expense", "closing", "owed_upward"):
                cell.number_format = MONEY_FORMAT
            elif key == "dues_rate":
                cell.number_format = "0.0"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return f"{federation_name}{year}年度所属工会汇总.xlsx", CONTENT_TYPE, out.getvalue()
