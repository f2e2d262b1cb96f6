"""Load a year of books described in a fixture file (see ``fixtures/``) through the services."""

import datetime
import json
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from ledger import services
from ledger.models import Account, Union


def _account(year, sub_accounts: dict[str, Account], key: str) -> Account:
    return sub_accounts[key] if key in sub_accounts else services.resolve_account(year, key)


@transaction.atomic
def load_year_file(path: Path, *, user: AbstractBaseUser) -> Union:
    """Create the union, its year, 明细科目, opening balances and posted vouchers of ``path`` (the vouchers in one
    batch, ``services.record_many``, numbered in the file's order)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    union = Union.objects.create(name=data["union"]["name"], slug=data["union"]["slug"])
    union.members.add(user)
    year = services.open_year(union=union, year=data["year"])
    sub_accounts = {}
    for spec in data.get("accounts", []):
        parent = services.resolve_account(year, spec["parent"])
        sub_accounts[spec["name"]] = services.add_sub_account(
            union=union, parent=parent, name=spec["name"], user=user
        )
    if data.get("opening"):
        services.record_opening_balances(year=year, balances=data["opening"], user=user)
    entries = []
    for entry in data.get("entries", []):
        date = datetime.date.fromisoformat(entry["date"])
        common = {"date": date, "summary": entry["summary"], "attachment_count": entry.get("attachments", 0)}
        if entry["type"] == "receipt":
            entries.append(
                services.receipt_entry(
                    account=_account(year, sub_accounts, entry["account"]),
                    amount=entry["amount"],
                    into=entry["via"],
                    payer=entry.get("counterparty", ""),
                    **common,
                )
            )
        elif entry["type"] == "payment":
            entries.append(
                services.payment_entry(
                    account=_account(year, sub_accounts, entry["account"]),
                    amount=entry["amount"],
                    via=entry["via"],
                    payee=entry.get("counterparty", ""),
                    **common,
                )
            )
        else:
            lines = [
                services.Line(_account(year, sub_accounts, code), debit=debit or "0", credit=credit or "0")
                for code, debit, credit in entry["lines"]
            ]
            entries.append(services.Entry(lines=lines, counterparty=entry.get("counterparty", ""), **common))
    services.record_many(year=year, entries=entries, user=user)
    return union
