"""A union's accountant loads a corrected chart of accounts as a new chart version, without a code change.

``read_rows(path)`` reads an Excel workbook (first sheet, a header row with 科目编码, 科目名称, 类别, 余额方向,
上级科目) or a JSON file (a chart file of ``ledger/charts/`` or a list of objects with those keys);
``import_chart`` checks every row and writes nothing unless all of them pass:

- every row has a code of digits, a printable name, a known 类别 and the 余额方向 of that 类别;
- no code twice; a 上级科目 is in the file, and a code extends its parent's code;
- one 类别 per branch (a 明细 has its parent's 类别);
- the books' key accounts (库存现金, 银行存款, 结余, 应付上级经费) are in the file;
- no account of the version it corrects that already has postings is left out or changes its 类别.

Errors name the row (the header is row 1 of a workbook; the first object is row 1 of a JSON list) and are in
Chinese; ``ChartImportError.errors`` lists them all. The new version keeps the forms, suggested 明细 and
labels of the chart file it corrects (``Chart.form_code``), and years opened after it, on or after its
施行日期, use it (``services.chart_for_year`` takes the newest).
"""

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from ledger.errors import LedgerError
from ledger.models import Account, AccountType, Chart, VoucherLine

COLUMNS = ("科目编码", "科目名称", "类别", "余额方向", "上级科目")
TYPES = {label: value for value, label in AccountType.choices} | {
    value: value for value in AccountType.values
}
DEBIT_TYPES = {AccountType.ASSET, AccountType.EXPENSE}


class ChartImportError(LedgerError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("科目表有误，未导入：\n" + "\n".join(errors))


@dataclass(frozen=True)
class Row:
    number: int  # as the accountant sees it: the workbook's row, or the JSON list's position from 1
    code: str
    name: str
    type: str
    direction: str
    parent: str


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(path: Path) -> tuple[list[Row], dict]:
    """The rows of a workbook or JSON file, and what a chart file says besides (code, name, key codes)."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path), {}
    if path.suffix.lower() == ".json":
        return _read_json(path)
    raise ChartImportError([f"不支持的文件类型“{path.suffix}”：请用 .xlsx 或 .json"])


def _read_xlsx(path: Path) -> list[Row]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    except Exception as error:  # noqa: BLE001 - any unreadable file is the accountant's to fix
        raise ChartImportError([f"无法读取Excel文件：{error}"]) from None
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise ChartImportError(["第1行：缺少表头（科目编码、科目名称、类别、余额方向、上级科目）"])
    header = [_text(value) for value in rows[0]]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise ChartImportError([f"第1行：表头缺少列：{'、'.join(missing)}"])
    where = {column: header.index(column) for column in COLUMNS}
    found = []
    for number, values in enumerate(rows[1:], start=2):
        values = list(values) + [None] * len(header)
        cells = {column: _text(values[where[column]]) for column in COLUMNS}
        if not any(cells.values()):
            continue
        found.append(Row(number, *(cells[column] for column in COLUMNS)))
    return found


def _read_json(path: Path) -> tuple[list[Row], dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ChartImportError([f"无法读取JSON文件：{error}"]) from None
    meta = {}
    if isinstance(data, dict):  # a chart file of ledger/charts/
        meta = {key: value for key, value in data.items() if key != "accounts"}
        entries = data.get("accounts", [])
        rows = []
        codes = set()
        for number, entry in enumerate(entries, start=1):
            if isinstance(entry, dict):
                code, name, kind = entry.get("code"), entry.get("name"), entry.get("type")
            else:
                code, name, kind = (list(entry) + [None] * 3)[:3]
            code = _text(code)
            parent = max(
                (other for other in codes if code.startswith(other) and other != code), key=len, default=""
            )
            codes.add(code)
            kind = _text(kind)
            direction = "借" if kind in DEBIT_TYPES else "贷"
            rows.append(Row(number, code, _text(name), kind, direction, parent))
        return rows, meta
    if not isinstance(data, list):
        raise ChartImportError(["JSON文件应为科目表文件或科目行的列表"])
    rows = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            raise ChartImportError([f"第{number}行：应为含“科目编码”等键的对象"])
        rows.append(Row(number, *(_text(entry.get(column)) for column in COLUMNS)))
    return rows, meta


def _unprintable(name: str) -> list[str]:
    from ledger.services import unprintable_characters  # noqa: PLC0415 - one rule for every account name

    return unprintable_characters(name)


def check_rows(rows: list[Row], *, base: Chart | None, key_codes: dict[str, str]) -> list[str]:
    """Every problem of the rows, each naming its row; an empty list when the chart may be imported."""
    errors = []
    if not rows:
        return ["文件中没有科目"]
    by_code: dict[str, Row] = {}
    for row in rows:
        where = f"第{row.number}行"
        if not row.code or not row.code.isdigit():
            errors.append(f"{where}：科目编码“{row.code}”应由数字组成")
        if not row.name:
            errors.append(f"{where}：科目名称不能为空")
        elif _unprintable(row.name):
            errors.append(f"{where}：科目名称中有印不出的字符：{'、'.join(_unprintable(row.name))}")
        elif len(row.name) > 60:
            errors.append(f"{where}：科目名称不能超过60个字")
        kind = TYPES.get(row.type)
        if kind is None:
            errors.append(f"{where}：类别“{row.type}”应为资产、负债、净资产、收入或支出")
        elif row.direction not in ("借", "贷"):
            errors.append(f"{where}：余额方向“{row.direction}”应为借或贷")
        elif (row.direction == "借") != (kind in DEBIT_TYPES):
            errors.append(
                f"{where}：{AccountType(kind).label}类科目的余额方向应为{'借' if kind in DEBIT_TYPES else '贷'}"
            )
        if row.code in by_code:
            errors.append(f"{where}：科目编码{row.code}与第{by_code[row.code].number}行重复")
        else:
            by_code[row.code] = row
    for row in rows:
        if not row.parent:
            continue
        where = f"第{row.number}行"
        parent = by_code.get(row.parent)
        if parent is None:
            errors.append(f"{where}：上级科目{row.parent}不在科目表中")
            continue
        if not row.code.startswith(parent.code) or row.code == parent.code:
            errors.append(f"{where}：科目编码{row.code}应以上级科目编码{parent.code}开头并更长")
        if TYPES.get(row.type) and TYPES.get(parent.type) and TYPES[row.type] != TYPES[parent.type]:
            errors.append(
                f"{where}：{row.code} {row.name}的类别“{row.type}”与上级科目{parent.code} {parent.name}的类别"
                f"“{parent.type}”不同（同一科目下只能有一种类别）"
            )
    for label, code in key_codes.items():
        if code and code not in by_code:
            errors.append(f"科目表缺少{label}科目{code}")
    if base is not None:
        posted_codes = set(
            VoucherLine.objects.filter(account__chart=base).values_list("account__code", flat=True).distinct()
        )
        standard = Account.objects.filter(chart=base, union__isnull=True).order_by("code")
        for account in standard:
            if not any(posted.startswith(account.code) for posted in posted_codes):
                continue
            row = by_code.get(account.code)
            if row is None:
                errors.append(
                    f"科目{account.code} {account.name}已有记账凭证，新版本不能删除它（文件中没有编码{account.code}）"
                )
            elif TYPES.get(row.type) not in (None, account.type):
                errors.append(f"第{row.number}行：科目{account.code}已有记账凭证，类别不能改变")
    return errors


@transaction.atomic
def import_chart(
    *,
    rows: list[Row],
    code: str,
    name: str,
    effective_from: datetime.date,
    base: Chart | None,
    key_codes: dict[str, str] | None = None,
) -> Chart:
    """Check ``rows`` and create them as chart version ``code`` (correcting ``base``, if given)."""
    code, name = (code or "").strip(), (name or "").strip()
    problems = []
    if not code or len(code) > 20:
        problems.append("请给新版本一个不超过20个字的编码（--code）")
    elif Chart.objects.filter(code=code).exists():
        problems.append(f"会计制度版本“{code}”已存在，请换一个编码")
    if not name:
        problems.append("请给新版本一个名称（--name）")
    keys = {
        "cash_code": (key_codes or {}).get("cash_code") or (base.cash_code if base else ""),
        "bank_code": (key_codes or {}).get("bank_code") or (base.bank_code if base else ""),
        "surplus_code": (key_codes or {}).get("surplus_code") or (base.surplus_code if base else ""),
        "payable_upper_code": (key_codes or {}).get("payable_upper_code")
        or (base.payable_upper_code if base else ""),
    }
    if not (keys["cash_code"] and keys["bank_code"] and keys["surplus_code"]):
        problems.append("请指明所依据的会计制度（--base），以确定库存现金、银行存款和结余科目")
    labels = {
        "cash_code": "库存现金",
        "bank_code": "银行存款",
        "surplus_code": "结余",
        "payable_upper_code": "应付上级经费",
    }
    problems += check_rows(rows, base=base, key_codes={labels[key]: value for key, value in keys.items()})
    if problems:
        raise ChartImportError(problems)
    chart = Chart.objects.create(
        code=code,
        name=name,
        effective_from=effective_from,
        form_code=(base.form_code or base.code) if base else "",
        **keys,
    )
    made: dict[str, Account] = {}
    for row in sorted(rows, key=lambda row: (len(row.code), row.code)):
        made[row.code] = Account.objects.create(
            chart=chart,
            union=None,
            parent=made.get(row.parent),
            code=row.code,
            name=row.name,
            type=TYPES[row.type],
            code_source=f"由 import_chart 导入（{name}）",
            code_provisional=False,
        )
    return chart
