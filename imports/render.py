"""The import templates and the export in their layout, written with openpyxl in write-only mode.

A renderer: it lays out the rows it is given (``imports.queries``) and never reads the books itself.
"""

import io
from collections.abc import Iterable

from imports import reader
from imports.queries import OpeningRow, VoucherRow

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"

NOTES = {
    "凭证": [
        ("日期", "凭证日期，如 2012-03-08；须在导入的年度内"),
        ("凭证号", "同一日期、同一凭证号的相邻几行是一张凭证；有“对方科目”的行自成一张凭证，可不填"),
        ("摘要", "一张凭证第一行的摘要是凭证的摘要；其他行的摘要记在分录上"),
        ("科目", "科目编码（如 401）、科目名称（如 会费收入）、“编码 名称”或“上级科目/明细科目”"),
        ("借方金额 / 贷方金额", "每行只填一边，金额大于零，最多两位小数；一张凭证借贷合计须相等"),
        (
            "红字冲销",
            "金额全为负数、与被冲销凭证逐行相同科目相同方向，并在“备注”写明冲销哪张凭证，"
            "如“红字冲销 2012年12月 记-0005”（本文件中排在前面的或已在本年度账中的凭证）",
        ),
        ("对方科目", "可选：填了就以本行金额在对方科目记另一边，一行即一张凭证"),
        ("附单据数", "可选：原始凭证张数"),
        ("备注", "可选：记在分录上"),
        ("对方单位", "可选：交款人或收款人"),
        ("对方类型", "可选：对方单位是“单位”还是“个人”，不填也可以"),
    ],
    "收支流水": [
        ("日期", "如 2012-03-08；须在导入的年度内"),
        ("摘要", "如 收3月会费"),
        ("类别", "收入或支出科目，或其明细科目：编码、名称或“上级科目/明细科目”"),
        ("收入金额 / 支出金额", "每行只填一个，金额大于零；红字冲销请用凭证模板"),
        ("账户", "现金 或 银行"),
        ("备注", "可选：记在分录上"),
        ("对方单位", "可选：交款人或收款人"),
        ("对方类型", "可选：对方单位是“单位”还是“个人”，不填也可以"),
    ],
    "期初余额": [
        ("科目", "资产、负债、净资产科目的编码或名称"),
        ("期初借方 / 期初贷方", "年初余额，每行只填一边；借方合计须等于贷方合计"),
    ],
}


def _workbook():
    from openpyxl import Workbook

    return Workbook(write_only=True)


def _header(sheet, columns: Iterable[str], widths: dict[str, int]):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    for index, name in enumerate(columns):
        letter = chr(ord("A") + index)
        sheet.column_dimensions[letter].width = widths.get(name, 12)
    sheet.freeze_panes = "A2"
    cells = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)


def _cell(sheet, value, number_format: str | None = None):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if number_format:
        cell.number_format = number_format
    return cell


def _notes(workbook, title: str) -> None:
    sheet = workbook.create_sheet("填写说明")
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 80
    sheet.append(["列", "怎么填"])
    for row in NOTES[title]:
        sheet.append(list(row))


WIDTHS = {"日期": 12, "摘要": 30, "科目": 24, "类别": 24, "对方科目": 24, "备注": 20, "对方单位": 18}


def _save(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def voucher_sheet(workbook, rows: Iterable[VoucherRow]) -> None:
    sheet = workbook.create_sheet(reader.VOUCHER_SHEET)
    _header(sheet, [name for name, _ in reader.VOUCHER_COLUMNS], WIDTHS)
    for row in rows:
        sheet.append(
            [
                _cell(sheet, row.date, DATE_FORMAT),
                row.number,
                row.summary,
                row.account,
                _cell(sheet, row.debit or None, MONEY_FORMAT),
                _cell(sheet, row.credit or None, MONEY_FORMAT),
                None,
                row.attachment_count,
                row.memo or None,
                row.counterparty or None,
                row.counterparty_kind or None,
            ]
        )


def opening_sheet(workbook, rows: Iterable[OpeningRow]) -> None:
    sheet = workbook.create_sheet(reader.OPENING_SHEET)
    _header(sheet, [name for name, _ in reader.OPENING_COLUMNS], WIDTHS)
    for row in rows:
        sheet.append(
            [
                row.account,
                _cell(sheet, row.debit or None, MONEY_FORMAT),
                _cell(sheet, row.credit or None, MONEY_FORMAT),
            ]
        )


def export(vouchers: Iterable[VoucherRow], opening: Iterable[OpeningRow]) -> bytes:
    """The year's vouchers (sheet 凭证) and its 期初余额 (sheet 期初余额), each importable as it is."""
    workbook = _workbook()
    voucher_sheet(workbook, vouchers)
    opening_sheet(workbook, opening)
    _notes(workbook, "凭证")
    return _save(workbook)


def template(kind: str) -> bytes:
    """An empty template: the header, and a sheet saying how to fill each column."""
    workbook = _workbook()
    if kind == "vouchers":
        voucher_sheet(workbook, [])
        _notes(workbook, "凭证")
    elif kind == "cashbook":
        sheet = workbook.create_sheet(reader.CASHBOOK_SHEET)
        _header(sheet, [name for name, _ in reader.CASHBOOK_COLUMNS], WIDTHS)
        _notes(workbook, "收支流水")
    else:
        opening_sheet(workbook, [])
        _notes(workbook, "期初余额")
    return _save(workbook)
