"""The books as Excel workbooks: 日记账 / 明细账, the 科目余额表 and the 总账, one sheet each.

A renderer: it lays out the frozen value a query gave it (``ledger.queries``) and never queries or writes.
openpyxl in write-only mode (a whole year's book streams through), real Decimal and date cells with the
number format ``#,##0.00;[Red]-#,##0.00`` (a 红字 amount prints red), a title, the union, the period and
单位：元 above a frozen header row, A4 page set-up with the union and page X/Y. Totals are ``=SUM(...)``
formulas where they add rows of the sheet (本月合计, a 本年累计 that follows another month of the sheet, the
科目余额表's 合计 of its first-level rows); elsewhere they are values.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone

from ledger.queries import AccountBalances, Balance, GeneralLedger, JournalBook, JournalLine, MonthEnd

MONEY = "#,##0.00;[Red]-#,##0.00"
DATE = "yyyy-mm-dd"


class _Sheet:
    """A write-only sheet with a title block and a frozen header; ``row`` is the last row written."""

    def __init__(self, title: str, *, union_name: str, period: str, headers: list[str], widths: list[float]):
        from openpyxl import Workbook  # noqa: PLC0415 - heavy, only for the download
        from openpyxl.utils import get_column_letter  # noqa: PLC0415

        self.book = Workbook(write_only=True)
        ws = self.ws = self.book.create_sheet(title[:31].replace("：", " "))
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.oddHeader.center.text = f"{union_name}　{title}　{period}"
        ws.oddFooter.left.text = f"打印时间：{timezone.localtime():%Y-%m-%d %H:%M}"
        ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"
        # A streaming sheet writes its views with the first row: the frozen header is set up front.
        ws.freeze_panes = "A5"
        ws.print_title_rows = "4:4"
        self.row = 0
        self.append([self.cell(title, bold=True, size=14)])
        self.append([self.cell(f"编制单位：{union_name}")])
        self.append([self.cell(f"期间：{period}"), *[None] * (len(headers) - 2), self.cell("单位：元")])
        self.append([self.cell(text, bold=True) for text in headers])

    def cell(
        self, value=None, *, bold: bool = False, size: int | None = None, number_format: str | None = None
    ):
        from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
        from openpyxl.styles import Font  # noqa: PLC0415

        cell = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # words from the books are text, never a formula
        if bold or size:
            cell.font = Font(bold=bold, size=size)
        if number_format:
            cell.number_format = number_format
        return cell

    def money(self, value: Decimal | str | None, *, bold: bool = False):
        """An amount, or a formula (``=SUM(...)``) that computes one."""
        if value is None:
            return None
        from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
        from openpyxl.styles import Font  # noqa: PLC0415

        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = MONEY
        if bold:
            cell.font = Font(bold=True)
        return cell

    def date(self, value):
        return self.cell(value, number_format=DATE)

    def append(self, values: list) -> int:
        self.ws.append(values)
        self.row += 1
        return self.row

    def save(self) -> bytes:
        output = io.BytesIO()
        self.book.save(output)
        return output.getvalue()


def _balance(sheet: _Sheet, balance: Balance, *, bold: bool = False) -> list:
    return [balance.direction, sheet.money(balance.amount, bold=bold)]


JOURNAL_HEADERS = ["日期", "凭证字号", "摘要", "对方科目", "借方", "贷方", "借或贷", "余额"]


def journal_workbook(book: JournalBook, *, union_name: str, title: str, period: str) -> bytes:
    """A 日记账 / 明细账: 上年结转 (or 上月结转), each month's lines, then its 本月合计 (a SUM of the month's
    rows) and 本年累计 (the previous 本年累计 plus this 本月合计 when both are in the sheet, else a value).
    A 明细账 of an account with 明细科目 names the line's account in its 摘要."""
    sheet = _Sheet(
        title,
        union_name=union_name,
        period=period,
        headers=JOURNAL_HEADERS,
        widths=[12, 11, 36, 22, 15, 15, 7, 16],
    )
    sheet.append([None, None, book.opening_label, None, None, None, *_balance(sheet, book.opening)])
    month_first = sheet.row + 1
    previous_ytd_row = None
    for item in book.rows:
        if isinstance(item, JournalLine):
            text = item.text
            if item.account_code != book.account.code:
                text = f"{text}（{item.account_code} {item.account_name}）"
            sheet.append(
                [
                    sheet.date(item.date),
                    item.voucher_no,
                    sheet.cell(text),
                    sheet.cell(item.other_accounts),
                    sheet.money(item.debit),
                    sheet.money(item.credit),
                    *_balance(sheet, item.balance),
                ]
            )
            continue
        month_end: MonthEnd = item
        last = sheet.row
        if last >= month_first:
            debit, credit = f"=SUM(E{month_first}:E{last})", f"=SUM(F{month_first}:F{last})"
        else:
            debit, credit = month_end.month_total.debit, month_end.month_total.credit
        total_row = sheet.append(
            [
                None,
                None,
                sheet.cell(f"{month_end.month}月 本月合计", bold=True),
                None,
                sheet.money(debit, bold=True),
                sheet.money(credit, bold=True),
                *_balance(sheet, month_end.month_total.balance, bold=True),
            ]
        )
        if previous_ytd_row:
            ytd_debit = f"=E{previous_ytd_row}+E{total_row}"
            ytd_credit = f"=F{previous_ytd_row}+F{total_row}"
        else:
            ytd_debit, ytd_credit = month_end.year_total.debit, month_end.year_total.credit
        previous_ytd_row = sheet.append(
            [
                None,
                None,
                sheet.cell(f"{month_end.month}月 本年累计", bold=True),
                None,
                sheet.money(ytd_debit, bold=True),
                sheet.money(ytd_credit, bold=True),
                *_balance(sheet, month_end.year_total.balance, bold=True),
            ]
        )
        month_first = sheet.row + 1
    return sheet.save()


BALANCE_HEADERS = [
    "科目编码",
    "科目名称",
    "期初借方",
    "期初贷方",
    "本期借方",
    "本期贷方",
    "本年累计借方",
    "本年累计贷方",
    "期末借方",
    "期末贷方",
]
BALANCE_FIELDS = [
    "opening_debit",
    "opening_credit",
    "debit",
    "credit",
    "ytd_debit",
    "ytd_credit",
    "closing_debit",
    "closing_credit",
]


def balances_workbook(data: AccountBalances, *, union_name: str) -> bytes:
    """The 科目余额表: every account (明细 indented under its first-level account), then 合计 as SUM formulas
    over the first-level rows (``SUMIF`` on the level column would hide what is summed)."""
    period = f"{data.year}年{data.first_month}月至{data.last_month}月"
    sheet = _Sheet(
        "科目余额表",
        union_name=union_name,
        period=period,
        headers=BALANCE_HEADERS,
        widths=[12, 30, *[15] * 8],
    )
    columns = "CDEFGHIJ"
    top_rows = []
    for row in data.rows:
        number = sheet.append(
            [
                row.account.code,
                sheet.cell("　" * (row.level - 1) + row.account.name, bold=row.level == 1),
                *(sheet.money(getattr(row, name) or None) for name in BALANCE_FIELDS),  # blank, not 0.00
            ]
        )
        if row.level == 1:
            top_rows.append(number)
    if top_rows:
        totals = [
            sheet.money("=" + "+".join(f"{column}{n}" for n in top_rows), bold=True) for column in columns
        ]
    else:
        totals = [sheet.money(getattr(data.totals, name), bold=True) for name in BALANCE_FIELDS]
    sheet.append([None, sheet.cell("合计", bold=True), *totals])
    return sheet.save()


GENERAL_HEADERS = ["月份", "摘要", "借方", "贷方", "借或贷", "余额"]


def general_ledger_workbook(data: GeneralLedger, *, union_name: str) -> bytes:
    """The 总账: 上年结转, then per month 本月合计 and 本年累计 (a formula over the 本月合计 rows above)."""
    title = f"总账 {data.account.code} {data.account.name}"
    sheet = _Sheet(
        title,
        union_name=union_name,
        period=f"{data.year}年",
        headers=GENERAL_HEADERS,
        widths=[8, 20, 15, 15, 7, 16],
    )
    sheet.append([None, "上年结转", None, None, *_balance(sheet, data.opening)])
    month_rows = []
    for month in data.months:
        month_rows.append(
            sheet.append(
                [
                    f"{month.month}月",
                    "本月合计",
                    sheet.money(month.debit),
                    sheet.money(month.credit),
                    *_balance(sheet, month.balance),
                ]
            )
        )
        sheet.append(
            [
                f"{month.month}月",
                sheet.cell("本年累计", bold=True),
                sheet.money("=" + "+".join(f"C{n}" for n in month_rows), bold=True),
                sheet.money("=" + "+".join(f"D{n}" for n in month_rows), bold=True),
                *_balance(sheet, month.balance, bold=True),
            ]
        )
    return sheet.save()
