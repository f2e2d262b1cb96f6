"""会费收缴情况表 as an Excel workbook, from the frozen ``DuesSummary``: real numbers with a number format."""

import io

from plan.queries import DuesSummary

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def dues_workbook(union_name: str, year: int, summary: DuesSummary | None) -> tuple[str, str, bytes]:
    from openpyxl import Workbook  # noqa: PLC0415 - heavy import inside the renderer

    book = Workbook()
    sheet = book.active
    sheet.title = "会费收缴情况表"
    sheet.append([f"{union_name}{year}年度会费收缴情况表"])
    sheet.append(["编制单位：" + union_name, f"{year}年度", "单位：元"])
    sheet.append(["月份", "应缴会费", "实缴会费", "收缴率（%）"])
    if summary is not None:
        for month in summary.months:
            sheet.append([f"{month.month}月", month.due, month.collected, month.rate])
        sheet.append(["全年", summary.due, summary.collected, summary.rate])
        sheet.append([])
        sheet.append(["欠缴会员", "部门/分会", "欠缴月份", "欠缴金额"])
        for row in summary.arrears:
            sheet.append([row.name, row.department, "、".join(f"{m}月" for m in row.months), row.amount])
    for row in sheet.iter_rows(min_row=4):
        for cell in row[1:]:
            if isinstance(cell.value, (int, float)) or cell.value.__class__.__name__ == "Decimal":
                cell.number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return f"{union_name}{year}年度会费收缴情况表.xlsx", XLSX, out.getvalue()
