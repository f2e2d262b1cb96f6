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
    codes: tuple[str, ...]  # first-level accounts of the books; empty: no such account in this chart


@dataclass(frozen=True)
class ChartFacts:
    """What a chart's file says beyond its accounts. An unknown chart has no suggestions, labels or forms."""

    code: str
    code_lengths: tuple[int, ...] = (3, 5, 7)
    suggested_sub_accounts: tuple[tuple[str, str], ...] = ()  # (parent code, name)
    report_labels: tuple[tuple[str, str], ...] = ()  # (account code, the report's word for it)
    statements: dict | None = None  # section → tuple[StatementLine, ...], and "note"

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
                if key in ("note", "form")
                else tuple(StatementLine(label, tuple(codes)) for label, codes in value)
                for key, value in statements.items()
            }
        return ChartFacts(
            code=code,
            code_lengths=tuple(data.get("code_lengths", (3, 5, 7))),
            suggested_sub_accounts=tuple(tuple(pair) for pair in data.get("suggested_sub_accounts", ())),
            report_labels=tuple(sorted(data.get("report_labels", {}).items())),
            statements=statements,
        )
    return ChartFacts(code=code)


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
    for code, name, type_ in sorted(data["accounts"], key=lambda row: row[0]):
        parent = next((by_code[code[:n]] for n in range(len(code) - 1, 0, -1) if code[:n] in by_code), None)
        by_code[code], _ = Account.objects.get_or_create(
            chart=chart, union=None, code=code, defaults={"name": name, "type": type_, "parent": parent}
        )
