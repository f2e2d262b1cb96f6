"""The 新旧科目对照表 as a workbook: the balances moved (旧科目 → 新科目) and the whole mapping table.

Amounts are real numbers with a number format and the totals are formulas, so the auditor can re-add them.
"""

import io

from ledger.transition import Transition
from reports.render import Rendered

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY = "#,##0.00"


def render_transition_xlsx(moved: Transition, *, union_name: str, year: int) -> Rendered:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "结转金额"
    bold = Font(bold=True)
    sheet.append([f"{union_name}新旧科目对照表（{moved.old_chart.name} → {moved.new_chart.name}）"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(["旧科目编码", "旧科目名称", "新科目编码", "新科目名称", "借方", "贷方", "说明"])
    first = sheet.max_row + 1
    for move in moved.moves:
        if move.new is not None:
            code, name = move.new.code, move.new.name
        elif move.create_under is not None:
            code, name = move.create_under.code, f"{move.create_under.name} › {move.new_name}（新建明细）"
        else:
            code, name = "", "无对应科目"
        sheet.append(
            [
                move.old.code,
                move.old.name,
                code,
                name,
                move.amount if move.amount > 0 else None,
                -move.amount if move.amount < 0 else None,
                move.note,
            ]
        )
    last = sheet.max_row
    sheet.append(["合计", None, None, None, f"=SUM(E{first}:E{last})", f"=SUM(F{first}:F{last})"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in sheet.iter_rows(min_row=first, max_row=sheet.max_row, min_col=5, max_col=6):
        for cell in row:
            cell.number_format = MONEY
    for column, width in zip("ABCDEFG", (12, 24, 12, 34, 15, 15, 40), strict=True):
        sheet.column_dimensions[column].width = width

    table = workbook.create_sheet("科目对照表")
    table.append(["旧科目编码", "旧科目名称", "新科目编码", "新科目名称", "结转金额（借为正）", "说明"])
    for old_code, old_name, new_code, new_name, note, amount in moved.table_rows:
        table.append([old_code, old_name, new_code, new_name, amount, note])
        table.cell(table.max_row, 5).number_format = MONEY
    for column, width in zip("ABCDEF", (12, 24, 12, 24, 18, 50), strict=True):
        table.column_dimensions[column].width = width
    if moved.table is not None:
        table.append([])
        table.append([f"来源：{moved.table.source}"])
        table.append([moved.table.sub_accounts])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return f"{union_name}{year}年度新旧科目对照表.xlsx", CONTENT_TYPE, buffer.getvalue()
