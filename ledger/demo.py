"""Load a year of books described in a fixture file (see ``fixtures/``) through the services."""

import datetime
import json
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from ledger import services
from ledger.models import Account, Union, Voucher


def _account(year, sub_accounts: dict[str, Account], key: str) -> Account:
    return sub_accounts[key] if key in sub_accounts else services.resolve_account(year, key)


def _through(voucher: Voucher, reviewer: AbstractBaseUser | None) -> Voucher:
    """A voucher the treasurer entered, reviewed and posted by ``reviewer`` where the union requires it."""
    if reviewer is None or voucher.is_posted:
        return voucher
    voucher = services.review_voucher(voucher=voucher, user=reviewer)
    return services.post_voucher(voucher=voucher, posted_by=reviewer)


@transaction.atomic
def load_year_file(
    path: Path, *, user: AbstractBaseUser, reviewer: AbstractBaseUser | None = None, pending: bool = True
) -> Union:
    """Create the union, its year, 明细科目, opening balances and posted vouchers of ``path``.

    ``user`` enters every voucher; with a ``reviewer`` the union requires review, and the reviewer reviews and
    posts each one (制单 → 审核 → 记账); without, the union posts in one step, its plain history in batches
    (``services.record_many``, numbered in the file's order). With a reviewer and ``pending``, the file's
    ``pending`` vouchers are entered too and left 未审核 or 已审核 (they count nowhere, but keep the year from
    结账 until they are posted or deleted).
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    union = Union.objects.create(
        name=data["union"]["name"], slug=data["union"]["slug"], review_required=reviewer is not None
    )
    union.members.add(user, *([reviewer] if reviewer else []))
    year = services.open_year(union=union, year=data["year"])
    sub_accounts = {}
    for spec in data.get("accounts", []):
        parent = services.resolve_account(year, spec["parent"])
        sub_accounts[spec["name"]] = services.add_sub_account(
            union=union, parent=parent, name=spec["name"], user=user
        )
    if data.get("opening"):
        services.record_opening_balances(year=year, balances=data["opening"], user=user)
    entered: list[Voucher] = []
    if reviewer is None:
        _record_in_batches(union, year, sub_accounts, data.get("entries", []), entered, user=user)
    else:
        for entry in data.get("entries", []):
            entered.append(_through(_enter(union, year, sub_accounts, entry, entered, user=user), reviewer))
    if reviewer is not None and pending:
        for entry in data.get("pending", []):
            voucher = _enter(union, year, sub_accounts, entry, entered, user=user)
            if entry.get("state") == "reviewed":
                services.review_voucher(voucher=voucher, user=reviewer)
    return union


def _record_in_batches(
    union: Union, year, sub_accounts: dict, entries: list[dict], entered: list[Voucher], *, user
) -> None:
    """The file's vouchers posted in one step: each run of plain entries in one ``services.record_many``, a
    红字冲销 (which names an entry before it) on its own."""
    batch: list[services.Entry] = []

    def flush() -> None:
        entered.extend(services.record_many(year=year, entries=batch, user=user))
        batch.clear()

    for entry in entries:
        if entry["type"] == "reversal":
            flush()
            entered.append(_enter(union, year, sub_accounts, entry, entered, user=user))
        else:
            batch.append(_entry(year, sub_accounts, entry))
    flush()


def _entry(year, sub_accounts: dict, entry: dict) -> services.Entry:
    """One plain voucher of the file (receipt, payment or general) as a ``services.Entry``."""
    date = datetime.date.fromisoformat(entry["date"])
    common = {"date": date, "summary": entry["summary"], "attachment_count": entry.get("attachments", 0)}
    if entry["type"] == "receipt":
        return services.receipt_entry(
            account=_account(year, sub_accounts, entry["account"]),
            amount=entry["amount"],
            into=entry["via"],
            payer=entry.get("counterparty", ""),
            **common,
        )
    if entry["type"] == "payment":
        return services.payment_entry(
            account=_account(year, sub_accounts, entry["account"]),
            amount=entry["amount"],
            via=entry["via"],
            payee=entry.get("counterparty", ""),
            **common,
        )
    lines = [
        services.Line(_account(year, sub_accounts, code), debit=debit or "0", credit=credit or "0")
        for code, debit, credit in entry["lines"]
    ]
    return services.Entry(lines=lines, counterparty=entry.get("counterparty", ""), **common)


def _enter(union: Union, year, sub_accounts: dict, entry: dict, entered: list[Voucher], *, user) -> Voucher:
    """One voucher of the file as the treasurer enters it (posted at once only where review is off)."""
    date = datetime.date.fromisoformat(entry["date"])
    if entry["type"] == "reversal":  # 红字冲销 of the entry ``of`` places before (-1: the previous one)
        return services.reverse_voucher(
            voucher=entered[entry["of"]], user=user, reason=entry["reason"], date=date
        )
    common = {"date": date, "summary": entry["summary"], "attachment_count": entry.get("attachments", 0)}
    if entry["type"] == "receipt":
        voucher = services.record_receipt(
            union=union,
            account=_account(year, sub_accounts, entry["account"]),
            amount=entry["amount"],
            into=entry["via"],
            user=user,
            payer=entry.get("counterparty", ""),
            **common,
        )
    elif entry["type"] == "payment":
        voucher = services.record_payment(
            union=union,
            account=_account(year, sub_accounts, entry["account"]),
            amount=entry["amount"],
            via=entry["via"],
            user=user,
            payee=entry.get("counterparty", ""),
            **common,
        )
    else:
        lines = [
            services.Line(_account(year, sub_accounts, code), debit=debit or "0", credit=credit or "0")
            for code, debit, credit in entry["lines"]
        ]
        voucher = services.record_voucher(
            year=year, posted_by=user, lines=lines, counterparty=entry.get("counterparty", ""), **common
        )
    return voucher
