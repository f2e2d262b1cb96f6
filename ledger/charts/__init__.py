"""Charts of accounts of the 工会会计制度, kept as data files: a revision of the 制度 is a new file.

Everything that belongs to one chart lives in its file and is read through ``facts(code)``: the accounts
and the codes the books are built around (installed into the database by a data migration), how long a
code is at each level, the 明细科目 a union is offered, the words the report uses for an income account,
and which accounts fill each line of the statements. A new chart is a new file here, not edits elsewhere.
"""

import functools
import json
from dataclasses import dataclass
from pathlib import Path

CHART_DIR = Path(__file__).resolve().parent

# Where a statement line gathers "this year's income less spending not yet closed into 结余".
SURPLUS = "__surplus__"


def load_chart_file(name: str) -> dict:
    return json.loads((CHART_DIR / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class StatementLine:
    label: str
    codes: tuple[str, ...]  # accounts of the books; empty: no such account in this chart
    level: int = 1  # 2: a 明细 row inside the line above it, not added into the section's total
    sign: int = 1  # -1: a "减：" line (累计折旧), shown as a positive figure and taken off the total


def _statement_line(spec: list) -> StatementLine:
    label, codes, *rest = spec
    level = rest[0] if rest else 1
    return StatementLine(label, tuple(codes), level, -1 if label.startswith("减：") else 1)


# The words of a statement form that are not line items; a chart file may override any of them.
STATEMENT_WORDS = {
    "income_title": "收入支出表",
    "balance_title": "资产负债表",
    "income_total": "本年收入合计",
    "expense_total": "本年支出合计",
    "surplus": "本年收支结余",
    "assets_total": "资产合计",
    "liabilities_total": "负债合计",
    "net_assets_total": "净资产合计",
    "balance_total": "负债和净资产合计",
}


@dataclass(frozen=True)
class ChartFacts:
    """What a chart's file says beyond its accounts. An unknown chart has no suggestions, labels or forms."""

    code: str
    code_lengths: tuple[int, ...] = (3, 5, 7)
    suggested_sub_accounts: tuple[tuple[str, str], ...] = ()  # (parent code, name)
    report_labels: tuple[tuple[str, str], ...] = ()  # (account code, the report's word for it)
    statements: dict | None = None  # section → tuple[StatementLine, ...], and "note"
    # 净资产 that stands against fixed assets and investments (资产基金; 2009: 固定基金 …), not money to spend:
    # left out of the year's 经费余额.
    asset_fund_codes: tuple[str, ...] = ()

    def level(self, code: str) -> int:
        """1 for a first-level account, 2 for a second-level one, … (a longer code is one level deeper)."""
        deeper = [length for length in self.code_lengths if length < len(code)]
        return len(deeper) + 1


@functools.cache
def facts(code: str) -> ChartFacts:
    """The facts of the chart with this code, from the one data file that declares it."""
    for path in sorted(CHART_DIR.glob("*.json")):
        data = load_chart_file(path.name)
        if data["code"] != code:
            continue
        statements = data.get("statements")
        if statements is not None:
            statements = {
                key: value
                if key in ("note", "form", "words")
                else tuple(_statement_line(spec) for spec in value)
                for key, value in statements.items()
            }
            statements["words"] = STATEMENT_WORDS | statements.get("words", {})
        return ChartFacts(
            code=code,
            code_lengths=tuple(data.get("code_lengths", (3, 5, 7))),
            suggested_sub_accounts=tuple(tuple(pair) for pair in data.get("suggested_sub_accounts", ())),
            report_labels=tuple(sorted(data.get("report_labels", {}).items())),
            statements=statements,
            asset_fund_codes=tuple(data.get("asset_fund_codes", ())),
        )
    return ChartFacts(code=code)


def account_rows(data: dict) -> list[dict]:
    """The accounts of a chart file as dicts (code, name, type, source, provisional), in code order.

    A file lists an account as ``[code, name, type]`` (the 2009 chart, codes confirmed) or as an object that
    also says where its code comes from and whether it is still ``provisional`` (to be checked).
    """
    rows = []
    for row in data["accounts"]:
        if isinstance(row, dict):
            rows.append(
                {
                    "code": row["code"],
                    "name": row["name"],
                    "type": row["type"],
                    "source": row.get("source", ""),
                    "provisional": bool(row.get("provisional", False)),
                }
            )
        else:
            code, name, type_ = row
            rows.append(
                {
                    "code": code,
                    "name": name,
                    "type": type_,
                    "source": data.get("source", ""),
                    "provisional": False,
                }
            )
    return sorted(rows, key=lambda row: row["code"])


def facts_for(chart) -> ChartFacts:
    """The facts of a chart row: its own file's, or for an imported version the file it corrects."""
    return facts(chart.form_code or chart.code)


def install_chart(Chart, Account, data: dict) -> None:
    """Create a chart and its accounts (parents before children, found by code prefix)."""
    chart, _ = Chart.objects.get_or_create(
        code=data["code"],
        defaults={
            key: data[key]
            for key in (
                "name",
                "effective_from",
                "cash_code",
                "bank_code",
                "surplus_code",
                "payable_upper_code",
            )
        },
    )
    by_code: dict = {}
    has_source = any(field.name == "code_source" for field in Account._meta.get_fields())
    for row in account_rows(data):
        code = row["code"]
        parent = next((by_code[code[:n]] for n in range(len(code) - 1, 0, -1) if code[:n] in by_code), None)
        defaults = {"name": row["name"], "type": row["type"], "parent": parent}
        if has_source:  # migration 0002 runs before the columns exist
            defaults |= {"code_source": row["source"][:200], "code_provisional": row["provisional"]}
        by_code[code], _ = Account.objects.get_or_create(
            chart=chart, union=None, code=code, defaults=defaults
        )
