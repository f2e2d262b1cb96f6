"""Charts of accounts of the 工会会计制度, kept as data files: a revision of the 制度 is a new file."""

import json
from pathlib import Path

CHART_DIR = Path(__file__).resolve().parent


def load_chart_file(name: str) -> dict:
    return json.loads((CHART_DIR / name).read_text(encoding="utf-8"))


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
