"""The rules data file, read for the data migration (and for the tests' reference data)."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

RULES_FILE = Path(__file__).resolve().parent / "rules" / "spending-rules.json"


def rule_rows() -> list[dict]:
    rows = []
    for spec in json.loads(RULES_FILE.read_text(encoding="utf-8"))["rules"]:
        rows.append(
            {
                "code": spec["code"],
                "title": spec["title"],
                "province": spec.get("province", ""),
                "kind": spec["kind"],
                "purposes": spec.get("purposes", []),
                "forms": spec.get("forms", []),
                "limit": Decimal(spec["limit"]) if spec.get("limit") else None,
                "valid_from": datetime.date.fromisoformat(spec["valid_from"])
                if spec.get("valid_from")
                else None,
                "valid_to": datetime.date.fromisoformat(spec["valid_to"]) if spec.get("valid_to") else None,
                "source": spec["source"],
                "note": spec.get("note", ""),
            }
        )
    return rows


def install_rules(SpendingRule) -> None:
    """Add the file's rules that are not there yet (by code); an administrator's edits are kept."""
    for row in rule_rows():
        SpendingRule.objects.get_or_create(code=row.pop("code"), defaults=row)
