"""Reading a bank statement file (xlsx or csv) into rows, by the columns the treasurer named.

Nothing is trusted: the header row is found among the first rows, every mapped column must be there, every
date and amount must parse; a bad cell is refused with its row number, in Chinese, and nothing is kept.
"""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ledger.errors import LedgerError
from ledger.money import MAX_FIGURE

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20000
HEADER_SEARCH = 15


class StatementError(LedgerError):
    """A statement file that cannot be read as the treasurer mapped it."""


@dataclass(frozen=True)
class ParsedRow:
    line: int  # the row number in the file, for messages
    date: datetime.date
    summary: str
    counterparty: str
    income_fen: int
    expense_fen: int
    balance_fen: int


def _cells(name: str, content: bytes) -> list[list[object]]:
    lower = name.lower()
    if lower.endswith(".xlsx"):
        if not content.startswith(b"PK"):
            raise StatementError("文件不是有效的 Excel（.xlsx）文件")
        from openpyxl import load_workbook  # noqa: PLC0415 - heavy, only for an upload

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # noqa: BLE001 - any unreadable workbook is the same refusal
            raise StatementError("Excel 文件无法读取，请另存为 .xlsx 后重试") from error
        sheet = book.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        book.close()
        return rows
    if lower.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise StatementError("CSV 文件的编码无法识别（应为 UTF-8 或 GBK）")
        return [list(row) for row in csv.reader(io.StringIO(text))]
    raise StatementError("只能上传 .xlsx 或 .csv 格式的银行对账单")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: object, line: int) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    for candidate in (text, text[:10]):
        try:
            return datetime.date.fromisoformat(candidate)
        except ValueError:
            pass
    if len(text) == 8 and text.isdigit():
        try:
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            pass
    raise StatementError(f"第{line}行的交易日期“{_text(value)}”无法识别，应为如 2012-03-08 的日期")


def _fen(value: object, line: int, what: str, *, signed: bool = False) -> int:
    text = _text(value).replace(",", "").replace("¥", "").replace("￥", "")
    if text in ("", "-"):
        return 0
    try:
        amount = Decimal(str(value)) if isinstance(value, (int, float)) else Decimal(text)
    except InvalidOperation:
        raise StatementError(f"第{line}行的{what}“{_text(value)}”不是金额") from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")) or abs(amount) > MAX_FIGURE:
        raise StatementError(f"第{line}行的{what}“{_text(value)}”不是到分的金额")
    if amount < 0 and not signed:
        raise StatementError(f"第{line}行的{what}为负数，请检查列设置")
    return int(amount * 100)


def read_statement(*, name: str, content: bytes, mapping: dict[str, str]) -> list[ParsedRow]:
    """The transactions of a statement, by ``mapping`` (field of ``bank.models.COLUMNS`` → header text)."""
    if not content:
        raise StatementError("文件是空的")
    if len(content) > MAX_BYTES:
        raise StatementError("对账单文件太大：不能超过 5 MB")
    rows = _cells(name, content)
    wanted = {field: header.strip() for field, header in mapping.items() if header and header.strip()}
    header_at, index = None, {}
    for number, row in enumerate(rows[:HEADER_SEARCH]):
        texts = [_text(cell) for cell in row]
        if all(header in texts for header in wanted.values()):
            header_at, index = number, {field: texts.index(header) for field, header in wanted.items()}
            break
    if header_at is None:
        found = next((row for row in rows[:HEADER_SEARCH] if any(_text(cell) for cell in row)), [])
        names = "、".join(_text(cell) for cell in found if _text(cell)) or "（无）"
        raise StatementError(f"在文件前{HEADER_SEARCH}行找不到设置的列名。文件的第一行是：{names}")
    parsed = []
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):

        def cell(field: str, row=row) -> object:
            position = index.get(field)
            return row[position] if position is not None and position < len(row) else None

        if not any(_text(value) for value in row):
            continue
        income = _fen(cell("income_column"), number, "收入金额")
        expense = _fen(cell("expense_column"), number, "支出金额")
        if (income > 0) == (expense > 0):
            raise StatementError(f"第{number}行应当恰好有收入或支出中的一项金额")
        parsed.append(
            ParsedRow(
                line=number,
                date=_date(cell("date_column"), number),
                summary=_text(cell("summary_column"))[:200],
                counterparty=_text(cell("counterparty_column"))[:100],
                income_fen=income,
                expense_fen=expense,
                balance_fen=_fen(cell("balance_column"), number, "余额", signed=True),
            )
        )
        if len(parsed) > MAX_ROWS:
            raise StatementError(f"对账单超过{MAX_ROWS}行，请按月份分开上传")
    if not parsed:
        raise StatementError("对账单中没有交易记录")
    return parsed
