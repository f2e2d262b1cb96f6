"""The 银行存款余额调节表 (PDF, workbook) and the 现金盘点表 (PDF): pure layouts of the values they are given.

PDFs go through the report's one WeasyPrint path (``reports.render.pdf.html_to_pdf``: the prepared fonts,
the print stylesheet with union, period, page X / Y and the time made on every page).
"""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import timezone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
Rendered = tuple[str, str, bytes]


# A form's grid on top of the report's print stylesheet: ruled cells, amounts right-aligned.
FORM_CSS = """
table { width: 100%; border-collapse: collapse; margin: 4mm 0; font-size: 10.5pt; }
th, td { border: 0.5pt solid #333; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
h1 { text-align: center; }
.table-meta { text-align: center; }
"""


def _pdf(template: str, context: dict) -> bytes:
    from reports.render.pdf import html_to_pdf  # noqa: PLC0415 - WeasyPrint is heavy

    html = render_to_string(template, {**context, "made_at": timezone.localtime()})
    return html_to_pdf(html, extra_css=FORM_CSS)


def reconciliation_name(data, suffix: str) -> str:
    return f"{data.year.union.name}{data.year.year}年{data.month}月银行存款余额调节表.{suffix}"


def reconciliation_pdf(data, *, signatures: list[str]) -> Rendered:
    content = _pdf("bank/reconciliation_pdf.html", {"data": data, "signatures": signatures})
    return reconciliation_name(data, "pdf"), PDF, content


def reconciliation_xlsx(data, *, signatures: list[str]) -> Rendered:
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415

    book = Workbook()
    sheet = book.active
    sheet.title = f"{data.month}月调节表"
    bold = Font(bold=True)
    money = "#,##0.00"
    sheet.append([f"{data.year.union.name} 银行存款余额调节表"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"{data.end:%Y年%m月%d日}", "", "", "单位：元"])
    sheet.append(["项目", "金额", "项目", "金额"])
    for cell in sheet[3]:
        cell.font = bold

    def row(left: str, left_amount, right: str, right_amount) -> None:
        sheet.append([left, left_amount, right, right_amount])
        for column in (2, 4):
            sheet.cell(row=sheet.max_row, column=column).number_format = money

    row("银行对账单余额", data.bank_balance, "银行存款日记账余额", data.book_balance)
    row("加：企业已收银行未收", data.book_in_total, "加：银行已收企业未收", data.bank_in_total)
    row("减：企业已付银行未付", data.book_out_total, "减：银行已付企业未付", data.bank_out_total)
    row("调节后余额", data.adjusted_bank, "调节后余额", data.adjusted_book)
    sheet.append(["结论", "平衡" if data.reconciled else "不平衡"])
    sheet.append([])
    sheet.append(["未达账项", "日期", "摘要", "金额", "凭证/对账单"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for title, items in (
        ("企业已收银行未收", data.book_in),
        ("企业已付银行未付", data.book_out),
        ("银行已收企业未收", data.bank_in),
        ("银行已付企业未付", data.bank_out),
    ):
        for item in items:
            sheet.append([title, item.date, item.summary, item.amount, item.ref])
            sheet.cell(row=sheet.max_row, column=2).number_format = "yyyy-mm-dd"
            sheet.cell(row=sheet.max_row, column=4).number_format = money
    sheet.append([])
    sheet.append(signatures)
    for column, width in zip("ABCDE", (24, 16, 30, 16, 18), strict=True):
        sheet.column_dimensions[column].width = width
    output = io.BytesIO()
    book.save(output)
    return reconciliation_name(data, "xlsx"), XLSX, output.getvalue()


def cash_count_pdf(count, *, union_name: str, signatures: list[str]) -> Rendered:
    content = _pdf(
        "bank/cash_count_pdf.html", {"count": count, "union_name": union_name, "signatures": signatures}
    )
    return f"{union_name}{count.date:%Y%m%d}库存现金盘点表.pdf", PDF, content
