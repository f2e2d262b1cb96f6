"""Reading a treasurer's Excel books: the templates' columns, typed cells, rows grouped into vouchers.

Pure: no database. Accounts are looked up through an ``AccountIndex`` the caller built (``imports.accounts``).
Cells are read with python-calamine (a 50,000-row sheet in a fraction of a second); rows are yielded one by one
and a voucher is yielded as soon as its last row is read, so what is held at once does not grow with the file
(beyond one small key per voucher, to find a voucher number used twice).

Every problem names the row (as Excel numbers it) and the column, in Chinese: ``第12行“借方金额”列：…``.
"""

import datetime
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ledger.errors import LedgerError
from ledger.models import CounterpartyKind
from ledger.money import MAX_LINE_AMOUNT, format_amount

# The templates: (column, required). Order is the template's; a file may order its columns as it likes.
VOUCHER_COLUMNS = (
    ("日期", True),
    ("凭证号", False),
    ("摘要", True),
    ("科目", True),
    ("借方金额", True),
    ("贷方金额", True),
    ("对方科目", False),
    ("附单据数", False),
    ("备注", False),
    ("对方单位", False),
    ("对方类型", False),
)
CASHBOOK_COLUMNS = (
    ("日期", True),
    ("摘要", True),
    ("类别", True),
    ("收入金额", True),
    ("支出金额", True),
    ("账户", True),
    ("备注", False),
    ("对方单位", False),
    ("对方类型", False),
)
OPENING_COLUMNS = (("科目", True), ("期初借方", True), ("期初贷方", True))

# The sheet each kind is read from when the workbook has it (the export writes both into one file).
VOUCHER_SHEET = "凭证"
CASHBOOK_SHEET = "收支流水"
OPENING_SHEET = "期初余额"

COUNTERPARTY_KINDS = {str(label): value for value, label in CounterpartyKind.choices}  # 单位 → "unit"
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common in treasurers' books
TOTAL_LABELS = frozenset({"合计", "总计", "本月合计", "本年累计", "本期合计"})


class FileRefused(LedgerError):
    """The whole file is refused: not Excel, empty, too large, or without the template's header."""


@dataclass(frozen=True)
class Problem:
    row: int  # as Excel numbers rows (1 = the first)
    column: str  # the header's name, or "" for the row as a whole
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行“{self.column}”列" if self.column else f"第{self.row}行"
        return f"{where}：{self.message}"


@dataclass
class DraftLine:
    row: int
    account: object  # what the AccountIndex resolved (an Account), never None once the voucher is good
    debit: Decimal
    credit: Decimal
    memo: str = ""


@dataclass
class DraftVoucher:
    """A voucher as the file describes it: its rows, and the problems found on them (none: it can be posted)."""

    rows: list[int]
    date: datetime.date | None
    summary: str
    counterparty: str = ""
    counterparty_kind: str = ""  # ``Voucher.counterparty_kind``: "unit", "person" or ""
    attachment_count: int = 0
    lines: list[DraftLine] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    label: str = ""  # 凭证号 as the file wrote it, or "" for a one-row voucher
    # A 红字冲销 (every amount negative, mirroring an earlier voucher): ``red``, and which voucher it cancels —
    # ``reverses_row``, the first row of a voucher of the same file, or ``reverses_books``, the (month, number)
    # of one already in the year's books, which ``imports.services`` looks up and sets ``reverses`` to.
    red: bool = False
    reverses_row: int | None = None
    reverses_books: tuple[int, int] | None = None
    red_digest: bytes = b""
    red_column: str = "备注"  # where the file names the voucher it cancels (备注, or else 摘要)
    reverses: object = None  # the Voucher it cancels, once known (set by imports.services)

    @property
    def first_row(self) -> int:
        return self.rows[0]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def cancels(self) -> str:
        """What a 红字冲销 cancels, as the preview says it ("" for any other voucher)."""
        if self.reverses_row is not None:
            return f"红字冲销第{self.reverses_row}行起的凭证"
        if self.reverses_books:
            month, number = self.reverses_books
            return f"红字冲销账中{month}月 记-{number:04d}"
        return ""

    def content(self) -> list:
        """What identifies the voucher's content (for the fingerprint that refuses a second import)."""
        return [
            self.date.isoformat() if self.date else "",
            self.summary,
            sorted(
                [getattr(line.account, "pk", 0), str(line.debit), str(line.credit)] for line in self.lines
            ),
        ]


# --- the workbook ----------------------------------------------------------------------------------------


def check_file(content: bytes, *, max_bytes: int, size: int | None = None) -> None:
    """Refuse what is not an .xlsx workbook we may read, before parsing it (``size``: of an upload not read)."""
    size = len(content) if size is None else size
    if size > max_bytes:
        raise FileRefused(
            f"文件太大：{size / 1024 / 1024:.1f} MB，最大{max_bytes / 1024 / 1024:.0f} MB。"
            "请按年度或月份分成几个文件导入"
        )
    if not content:
        raise FileRefused("文件是空的（0字节），请选择填好的Excel文件")
    if not content.startswith(b"PK\x03\x04") or not zipfile.is_zipfile(io.BytesIO(content)):
        raise FileRefused("这不是Excel文件（.xlsx）。如果是.xls或.csv，请在Excel或WPS中另存为.xlsx后再上传")


def sheet_rows(content: bytes, *, sheet: str) -> Iterator[list]:
    """The cells of the named sheet (or the first one) row by row, as Python values."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        names = workbook.sheet_names
        if not names:
            raise FileRefused("这个Excel文件里没有工作表")
        chosen = workbook.get_sheet_by_name(sheet) if sheet in names else workbook.get_sheet_by_index(0)
        rows = chosen.iter_rows()
    except FileRefused:
        raise
    except (
        Exception
    ):  # calamine's errors are of its own types; any of them means "not a workbook we can read"
        raise FileRefused(
            "无法读取这个Excel文件：文件已损坏或不是.xlsx格式。请用Excel或WPS打开后另存为.xlsx再上传"
        ) from None
    yield from rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class Header:
    row: int  # the header's row number
    columns: dict[str, int]  # template column → index in the row


def find_header(rows: Iterator[list], template: tuple) -> Header:
    """Read rows up to the header and return where each column is. Refuses a file with no such header."""
    names = {name for name, _ in template}
    required = [name for name, needed in template if needed]
    best: tuple[int, list[str], int] | None = None
    first_filled = None
    for number, cells in enumerate(rows, start=1):
        texts = [_text(cell) for cell in cells]
        if first_filled is None and any(texts):
            first_filled = number
        found = {text: index for index, text in reversed(list(enumerate(texts))) if text in names}
        if found and (best is None or len(found) > best[2]):
            best = (number, texts, len(found))
        if all(name in found for name in required):
            return Header(number, found)
        if number >= HEADER_SEARCH_ROWS:
            break
    if first_filled is None:
        raise FileRefused("文件中没有内容：工作表是空的")
    if best is None:
        expected = "、".join(name for name, _ in template)
        raise FileRefused(f"第{first_filled}行：找不到模板的表头。表头应为：{expected}（可下载模板对照）")
    number, texts, _ = best
    present = set(texts)
    missing = [name for name, needed in template if needed and name not in present]
    unknown = [text for text in texts if text and text not in names]
    hint = f"；表头中的“{'”“'.join(unknown)}”不是模板的列名" if unknown else ""
    raise FileRefused(f"第{number}行：表头缺少“{'”“'.join(missing)}”列{hint}（可下载模板对照）")


# --- cells ----------------------------------------------------------------------------------------------

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_AMOUNT = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if text:
        text = text.split(" ")[0]
        for pattern in _DATE_PATTERNS:
            match = pattern.match(text)
            if match:
                try:
                    return datetime.date(*(int(part) for part in match.groups()))
                except ValueError:
                    break
    raise ValueError(f"不是日期：{text or '空'}（请写成2012-03-08这样的日期）")


def parse_amount(value, *, red: bool = False) -> Decimal | None:
    """An amount cell: empty → None; a number or text like 1,234.50 → exact Decimal; anything else refused.
    A negative amount only with ``red`` (the voucher template, where it may be a 红字冲销; checked by voucher)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"不是金额：{value}")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))  # the shortest decimal that is this double: what Excel shows
    else:
        text = str(value).strip().lstrip("¥￥").replace(",", "").replace("，", "").strip()
        if not text:
            return None
        if not _AMOUNT.match(text):
            raise ValueError(f"不是金额：{str(value).strip()}")
        amount = Decimal(text)
    try:
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError(f"金额最多两位小数（到分）：{value}")
    except InvalidOperation:
        raise ValueError(f"不是金额：{value}") from None
    if amount < 0 and not red:
        raise ValueError(f"金额不能为负数：{format_amount(amount.quantize(Decimal('0.01')))}")
    if abs(amount) > MAX_LINE_AMOUNT:
        raise ValueError(f"金额不能超过{format_amount(MAX_LINE_AMOUNT)}元")
    return amount.quantize(Decimal("0.01"))


def _cell(cells: list, header: Header, name: str):
    index = header.columns.get(name)
    if index is None or index >= len(cells):
        return None
    return cells[index]


# --- rows into vouchers -----------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    cells: list
    header: Header
    problems: list[Problem] = field(default_factory=list)

    def get(self, name: str):
        return _cell(self.cells, self.header, name)

    def text(self, name: str) -> str:
        return _text(self.get(name))

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.number, column, message))

    def date(self, year: int, closed_years: frozenset[int]) -> datetime.date | None:
        try:
            date = parse_date(self.get("日期"))
        except ValueError as error:
            self.problem("日期", str(error))
            return None
        if date.year in closed_years:
            self.problem("日期", f"{date:%Y-%m-%d}所在的{date.year}年度已结账，不能再导入")
        elif date.year != year:
            self.problem("日期", f"{date:%Y-%m-%d}不在{year}年度内")
        return date

    def amount(self, name: str, *, red: bool = False) -> Decimal | None:
        try:
            return parse_amount(self.get(name), red=red)
        except ValueError as error:
            self.problem(name, str(error))
            return None

    def account(self, name: str, index: "AccountIndexLike"):
        text = self.text(name)
        if not text:
            self.problem(name, "不能为空")
            return None
        found = index.find(text)
        if found is None:
            self.problem(name, index.unknown_message(text))
        return found

    def counterparty_kind(self) -> str:
        """对方类型: 单位 or 个人 as ``Voucher.counterparty_kind`` keeps it, "" when left blank."""
        text = self.text("对方类型")
        if text and text not in COUNTERPARTY_KINDS:
            self.problem("对方类型", f"只能填“单位”或“个人”（也可不填）：{text}")
        return COUNTERPARTY_KINDS.get(text, "")

    def blank(self) -> bool:
        return all(
            cell is None or cell == "" or (isinstance(cell, str) and not cell.strip()) for cell in self.cells
        )

    def is_total(self) -> bool:
        return any(_text(cell).replace(" ", "") in TOTAL_LABELS for cell in self.cells[:6])


class AccountIndexLike:  # the part of imports.accounts.AccountIndex the reader uses
    def find(self, text: str): ...
    def unknown_message(self, text: str) -> str: ...
    def money_account(self, text: str): ...


def _attachments(row: _Row) -> int:
    value = row.get("附单据数")
    if value is None or _text(value) == "":
        return 0
    try:
        count = Decimal(_text(value))
        if count != int(count) or not 0 <= count <= 999:
            raise InvalidOperation
        return int(count)
    except InvalidOperation:
        row.problem("附单据数", f"应为0到999的整数：{_text(value)}")
        return 0


def _balanced(voucher: DraftVoucher, columns: tuple[str, str] = ("借方金额", "贷方金额")) -> None:
    debit = sum((line.debit for line in voucher.lines), Decimal("0.00"))
    credit = sum((line.credit for line in voucher.lines), Decimal("0.00"))
    if voucher.problems:
        return
    if len(voucher.lines) < 2:
        voucher.problems.append(
            Problem(
                voucher.first_row,
                "凭证号",
                f"凭证{voucher.label}只有一行分录；一张凭证至少两行，或在“对方科目”列填写对方科目",
            )
        )
    elif debit != credit:
        rows = (
            f"第{voucher.rows[0]}–{voucher.rows[-1]}行" if len(voucher.rows) > 1 else f"第{voucher.rows[0]}行"
        )
        voucher.problems.append(
            Problem(
                voucher.rows[-1],
                columns[0],
                f"凭证{voucher.label}（{rows}）借贷不平衡：借方合计{format_amount(debit)}，贷方合计{format_amount(credit)}",
            )
        )


# 红字冲销 names the voucher it cancels as a treasurer writes it: 红字冲销 2012年12月 记-0005 (the export's
# 备注), 冲销2012年12月 记-0005号凭证 (the books' 摘要), 红冲12月5号 ... — the year may be left out.
RED_NOTE = re.compile(
    r"(?:红字冲销|红字冲正|冲销|红冲|冲正)\s*(?:第\s*)?(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月(?:份)?\s*的?\s*"
    r"(?:记\s*[-－—]?\s*)?(?:字\s*)?(?:第\s*)?0*(\d{1,6})(?![\d日])\s*号?(?:凭证)?"
)
_LABEL_NUMBER = re.compile(r"^(?:记\s*[-－—]?\s*)?(?:字\s*)?(?:第\s*)?0*(\d{1,6})\s*号?$")
_ZERO = Decimal("0.00")
NEGATIVE = "负数金额只用于红字冲销"
RED_HINT = "在“备注”写明冲销的凭证，如“红字冲销 2012年12月 记-0005”"


def label_number(label: str) -> int | None:
    """The number a 凭证号 cell holds (记-0005, 5, 第5号 → 5), or None for another kind of label."""
    match = _LABEL_NUMBER.match(label.strip())
    return int(match.group(1)) if match else None


def lines_digest(lines: Iterable[tuple[int, Decimal, Decimal]]) -> bytes:
    """What a voucher's lines are, as (account id, debit, credit) whatever their order: a reversal's negated
    lines have the digest of its original's. 16 bytes, so a file's vouchers can be remembered by number."""
    text = repr(sorted((pk, f"{debit:.2f}", f"{credit:.2f}") for pk, debit, credit in lines))
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def _negated(amount: Decimal) -> Decimal:
    return -amount if amount else _ZERO


class _Reds:
    """The 红字 of a voucher-template file: which vouchers may be cancelled (those before, by month and number:
    one small key per voucher), and which were."""

    def __init__(self, year: int):
        self.year = year
        self.numbered: dict[tuple[int, int], tuple[int, datetime.date, bytes] | None] = {}  # None: twice
        self.reversed: dict[tuple[int, int], int] = {}

    def close(self, voucher: DraftVoucher) -> DraftVoucher:
        """Check a voucher whose rows are all read: a negative amount only as a 红字冲销 of a known voucher."""
        negative = [line for line in voucher.lines if line.debit < 0 or line.credit < 0]
        if not negative:
            number = label_number(voucher.label) if voucher.label and voucher.date else None
            if number is not None and voucher.ok:
                key = (voucher.date.month, number)
                self.numbered[key] = (
                    None
                    if key in self.numbered
                    else (voucher.first_row, voucher.date, lines_digest(self._lines(voucher)))
                )
            return voucher
        if len(negative) != len(voucher.lines):
            for line in negative:
                voucher.problems.append(
                    Problem(
                        line.row,
                        "借方金额" if line.debit < 0 else "贷方金额",
                        f"{NEGATIVE}：一张红字冲销凭证的金额须全为负数；这张凭证还有正数金额",
                    )
                )
            return voucher
        if not voucher.ok:
            return voucher
        note, where = None, "备注"
        for line in voucher.lines:  # the note is taken off the lines' 备注 (the export adds it to each)
            found = RED_NOTE.search(line.memo)
            if found:
                note = note or found
                line.memo = (line.memo[: found.start()] + line.memo[found.end() :]).strip()
        if note is None:
            note, where = RED_NOTE.search(voucher.summary), "摘要"
        if note is None:
            voucher.problems.append(
                Problem(
                    voucher.first_row,
                    "借方金额" if negative[0].debit else "贷方金额",
                    f"{NEGATIVE}：{RED_HINT}",
                )
            )
            return voucher
        year, month, number = (int(part) if part else None for part in note.groups())
        name = f"{year or self.year}年{month}月 记-{number:04d}"
        if year not in (None, self.year) or not 1 <= month <= 12:
            voucher.problems.append(
                Problem(voucher.first_row, where, f"{NEGATIVE}：冲销的凭证{name}不在{self.year}年度内")
            )
            return voucher
        key = (month, number)
        if key in self.reversed:
            voucher.problems.append(
                Problem(
                    voucher.first_row, where, f"凭证{name}已在第{self.reversed[key]}行红字冲销过，不能再冲销"
                )
            )
            return voucher
        self.reversed[key] = voucher.first_row
        digest = lines_digest(
            (pk, _negated(debit), _negated(credit)) for pk, debit, credit in self._lines(voucher)
        )
        if key not in self.numbered:  # not in the file before it: one of the year's books, or nothing
            voucher.red, voucher.reverses_books, voucher.red_digest = True, key, digest
            voucher.red_column = where
            return voucher
        original = self.numbered[key]
        if original is None:
            voucher.problems.append(
                Problem(
                    voucher.first_row,
                    where,
                    f"{NEGATIVE}：文件中{month}月有不止一张{number}号凭证，不知冲销哪一张",
                )
            )
        elif voucher.date < original[1]:
            voucher.problems.append(
                Problem(
                    voucher.first_row,
                    "日期",
                    f"红字冲销的日期不能早于它冲销的凭证{name}（第{original[0]}行，{original[1]:%Y-%m-%d}）",
                )
            )
        elif digest != original[2]:
            voucher.problems.append(
                Problem(
                    voucher.first_row,
                    where,
                    f"{NEGATIVE}：这张凭证与它冲销的凭证{name}（第{original[0]}行）不是逐行相反"
                    "（须同一科目、同一方向，金额为相反数）",
                )
            )
        else:
            voucher.red, voucher.reverses_row = True, original[0]
        return voucher

    @staticmethod
    def _lines(voucher: DraftVoucher) -> list[tuple[int, Decimal, Decimal]]:
        return [(getattr(line.account, "pk", 0), line.debit, line.credit) for line in voucher.lines]


def read_vouchers(
    rows: Iterable[list], header: Header, *, year: int, closed_years: frozenset[int], index: AccountIndexLike
) -> Iterator[DraftVoucher]:
    """The voucher template: rows sharing 日期+凭证号 (adjacent) make a voucher; a row with 对方科目 is one alone.

    Negative amounts are 红字: a voucher all of whose amounts are negative and whose 备注 (or 摘要) names an
    earlier voucher of the file, or one of the year's books, by month and number (``RED_NOTE``)."""
    seen: dict[tuple, int] = {}
    reds = _Reds(year)
    current: DraftVoucher | None = None
    current_key: tuple | None = None
    for number, cells in enumerate(rows, start=header.row + 1):
        row = _Row(number, cells, header)
        if row.blank() or row.is_total():
            continue
        date = row.date(year, closed_years)
        label = row.text("凭证号")
        summary = row.text("摘要")
        account = row.account("科目", index)
        debit, credit = row.amount("借方金额", red=True), row.amount("贷方金额", red=True)
        if debit and credit:
            row.problem("贷方金额", "借方金额和贷方金额只能填一个")
        elif not debit and not credit and not row.problems:
            row.problem("借方金额", "借方金额和贷方金额须填一个，且大于零")
        other_text = row.text("对方科目")
        memo = row.text("备注")
        if other_text:
            if current is not None:
                _balanced(current)
                yield reds.close(current)
                current, current_key = None, None
            other = row.account("对方科目", index)
            if not summary:
                row.problem("摘要", "不能为空")
            voucher = DraftVoucher(
                rows=[number],
                date=date,
                summary=summary,
                counterparty=row.text("对方单位"),
                counterparty_kind=row.counterparty_kind(),
                attachment_count=_attachments(row),
                label=label,
            )
            amount = debit or credit or Decimal("0.00")
            side_debit = bool(debit)
            voucher.lines = [
                DraftLine(
                    number,
                    account,
                    amount if side_debit else Decimal("0.00"),
                    Decimal("0.00") if side_debit else amount,
                    memo,
                ),
                DraftLine(
                    number,
                    other,
                    Decimal("0.00") if side_debit else amount,
                    amount if side_debit else Decimal("0.00"),
                    memo,
                ),
            ]
            if label:
                key = (date, label)
                if key in seen:
                    row.problem(
                        "凭证号",
                        f"凭证号{label}已在第{seen[key]}行用过；有对方科目的行自成一张凭证，凭证号不能与其他行相同",
                    )
                seen[key] = number
            voucher.problems = row.problems
            yield reds.close(voucher)
            continue
        if not label:
            row.problem("凭证号", "没有填对方科目时须填凭证号：同一日期、同一凭证号的几行是一张凭证")
            if current is not None:
                _balanced(current)
                yield reds.close(current)
                current, current_key = None, None
            yield DraftVoucher(rows=[number], date=date, summary=summary, problems=row.problems)
            continue
        key = (date, label)
        if key != current_key:
            if current is not None:
                _balanced(current)
                yield reds.close(current)
            if key in seen:
                row.problem(
                    "凭证号", f"{date:%Y-%m-%d}的凭证号{label}已在第{seen[key]}行用过；同一张凭证的各行须相邻"
                )
            seen[key] = number
            if not summary:
                row.problem("摘要", "不能为空（一张凭证的第一行须填摘要）")
            current = DraftVoucher(
                rows=[],
                date=date,
                summary=summary,
                counterparty=row.text("对方单位"),
                counterparty_kind=row.counterparty_kind(),
                attachment_count=_attachments(row),
                label=label,
            )
            current_key = key
        current.rows.append(number)
        if summary and summary != current.summary:
            memo = f"{summary} {memo}".strip()
        current.lines.append(
            DraftLine(number, account, debit or Decimal("0.00"), credit or Decimal("0.00"), memo)
        )
        current.problems.extend(row.problems)
    if current is not None:
        _balanced(current)
        yield reds.close(current)


def read_cashbook(
    rows: Iterable[list], header: Header, *, year: int, closed_years: frozenset[int], index: AccountIndexLike
) -> Iterator[DraftVoucher]:
    """The cash-book template: every row is a receipt (收入金额) or a payment (支出金额) in cash or at the bank."""
    for number, cells in enumerate(rows, start=header.row + 1):
        row = _Row(number, cells, header)
        if row.blank() or row.is_total():
            continue
        date = row.date(year, closed_years)
        summary = row.text("摘要")
        if not summary:
            row.problem("摘要", "不能为空")
        category = row.account("类别", index)
        income, spending = row.amount("收入金额", red=True), row.amount("支出金额", red=True)
        for name, amount in (("收入金额", income), ("支出金额", spending)):
            if amount is not None and amount < 0:
                row.problem(
                    name,
                    f"{NEGATIVE}，收支流水不能写红字：请把冲销写在凭证模板里（金额为负数，{RED_HINT}）",
                )
        if any(p.column in ("收入金额", "支出金额") for p in row.problems):
            income = spending = None
        if income and spending:
            row.problem("支出金额", "收入金额和支出金额只能填一个")
        elif (
            not income
            and not spending
            and not any(p.column in ("收入金额", "支出金额") for p in row.problems)
        ):
            row.problem("收入金额", "收入金额和支出金额须填一个，且大于零")
        via_text = row.text("账户")
        money_account = index.money_account(via_text)
        if money_account is None:
            row.problem("账户", f"应为“现金”或“银行”：{via_text or '空'}")
        elif category is not None and category == money_account:
            row.problem("类别", "类别不能是账户本身")
        memo = row.text("备注")
        voucher = DraftVoucher(
            rows=[number],
            date=date,
            summary=summary,
            counterparty=row.text("对方单位"),
            counterparty_kind=row.counterparty_kind(),
        )
        amount = income or spending or Decimal("0.00")
        zero = Decimal("0.00")
        if income:
            voucher.lines = [
                DraftLine(number, money_account, amount, zero, memo),
                DraftLine(number, category, zero, amount, memo),
            ]
        else:
            voucher.lines = [
                DraftLine(number, category, amount, zero, memo),
                DraftLine(number, money_account, zero, amount, memo),
            ]
        voucher.problems = row.problems
        yield voucher


@dataclass
class OpeningRow:
    row: int
    account: object
    debit: Decimal
    credit: Decimal


def read_opening(
    rows: Iterable[list], header: Header, *, index: AccountIndexLike
) -> tuple[list[OpeningRow], list[Problem]]:
    """The 科目余额表's 期初 columns: one balance per account (a parent listed with its 明细 is left to them)."""
    found: list[OpeningRow] = []
    problems: list[Problem] = []
    for number, cells in enumerate(rows, start=header.row + 1):
        row = _Row(number, cells, header)
        if row.blank() or row.is_total():
            continue
        account = row.account("科目", index)
        debit, credit = row.amount("期初借方"), row.amount("期初贷方")
        if debit and credit:
            row.problem("期初贷方", "期初借方和期初贷方只能填一个")
        problems.extend(row.problems)
        if not row.problems and (debit or credit):
            found.append(OpeningRow(number, account, debit or Decimal("0.00"), credit or Decimal("0.00")))
    codes = [entry.account.code for entry in found]
    leaves = [
        entry
        for entry in found
        if not any(code != entry.account.code and code.startswith(entry.account.code) for code in codes)
    ]
    return leaves, problems
