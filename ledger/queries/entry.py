"""What makes entry fast: the defaults and suggestions of the 记收入, 记支出 and 记凭证 forms. Three queries.

- the date a new entry starts with: today when today lies in the year, else the last date the user entered there;
- the accounts the chooser offers, the most recently used first, each with what it is searched by (code, name,
  full pinyin and pinyin initials: "hf" and "huifei" find 401 会费收入), the cash or bank it was last used with,
  and the 摘要 and payer/payee typed before with it (for a datalist).
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from ledger.models import Account, AccountingYear, Voucher, VoucherLine, VoucherTemplate
from ledger.queries.books import postable_accounts

RECENT_LINES = 400  # how far back suggestions look (lines of the year, newest first)
SUGGESTIONS = 8  # 摘要 / payers offered per account


@dataclass(frozen=True)
class AccountHint:
    account: Account
    search: str  # lower-case: code, name, parent's name, pinyin, initials
    recent: int  # 0 for the most recently used; a large number for never
    via: str  # "cash", "bank" or "" — what it was last used with
    summaries: list[str] = field(default_factory=list)
    counterparties: list[str] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.account.pk

    def as_json(self, label: str) -> dict:
        return {
            "id": self.account.pk,
            "code": self.account.code,
            "label": label,
            "search": self.search,
            "recent": self.recent,
            "via": self.via,
            "summaries": self.summaries,
            "counterparties": self.counterparties,
        }


@dataclass(frozen=True)
class EntryHints:
    date: datetime.date | None
    accounts: list[AccountHint]

    def via_for(self, pk: int | None) -> str:
        return next((hint.via for hint in self.accounts if hint.pk == pk), "")

    @property
    def last_via(self) -> str:
        used = [hint for hint in self.accounts if hint.via]
        return min(used, key=lambda hint: hint.recent).via if used else ""


def _spelled(text: str) -> tuple[str, str]:
    syllables = lazy_pinyin(text)
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER))
    return "".join(syllables), initials


def default_date(year: AccountingYear, user) -> datetime.date | None:
    """Today if it lies in the year, else the last date ``user`` entered in it (None if none). One query."""
    today = timezone.localdate()
    if today.year == year.year:
        return today
    return (
        Voucher.objects.filter(year=year, prepared_by=user, kind=Voucher.Kind.NORMAL)
        .order_by("-id")
        .values_list("date", flat=True)
        .first()
    )


def entry_hints(*, year: AccountingYear, user, types: list[str] | None = None) -> EntryHints:
    """The chooser's accounts (recent first) with their suggestions, and the default date. Three queries."""
    accounts = list(postable_accounts(year=year, types=types))
    chart = year.chart
    money_codes = {chart.cash_code: "cash", chart.bank_code: "bank"}
    lines = list(
        VoucherLine.objects.filter(voucher__year=year, voucher__kind=Voucher.Kind.NORMAL)
        .order_by("-voucher_id", "position")
        .values_list(
            "voucher_id", "account_id", "account__code", "voucher__summary", "voucher__counterparty"
        )[:RECENT_LINES]
    )
    via_of_voucher: dict[int, str] = {}
    for voucher_id, _, code, _, _ in lines:
        if code in money_codes:
            via_of_voucher.setdefault(voucher_id, money_codes[code])
    recent: dict[int, int] = {}
    via: dict[int, str] = {}
    summaries: dict[int, list[str]] = {}
    counterparties: dict[int, list[str]] = {}
    for voucher_id, account_id, code, summary, counterparty in lines:
        if code in money_codes and types:
            continue
        recent.setdefault(account_id, len(recent))
        if voucher_id in via_of_voucher:
            via.setdefault(account_id, via_of_voucher[voucher_id])
        said = summaries.setdefault(account_id, [])
        if summary and summary not in said and len(said) < SUGGESTIONS:
            said.append(summary)
        named = counterparties.setdefault(account_id, [])
        if counterparty and counterparty not in named and len(named) < SUGGESTIONS:
            named.append(counterparty)
    hints = []
    for account in accounts:
        names = [account.name] + ([account.parent.name] if account.parent_id and account.parent else [])
        spelled = [part for name in names for part in _spelled(name)]
        hints.append(
            AccountHint(
                account=account,
                search=" ".join([account.code, *names, *spelled]).lower(),
                recent=recent.get(account.pk, 10_000),
                via=via.get(account.pk, ""),
                summaries=summaries.get(account.pk, []),
                counterparties=counterparties.get(account.pk, []),
            )
        )
    hints.sort(key=lambda hint: (hint.recent, hint.account.code))
    return EntryHints(date=default_date(year, user), accounts=hints)


def voucher_templates(year: AccountingYear) -> list[VoucherTemplate]:
    """The union's 常用凭证, by name. One query."""
    return list(VoucherTemplate.objects.filter(union_id=year.union_id))


def template_lines(year: AccountingYear, pk: int) -> tuple[str, list[dict]] | None:
    """A 常用凭证's 摘要 and its lines as 记凭证's initial rows (accounts the year no longer has are left out)."""
    template = VoucherTemplate.objects.filter(union_id=year.union_id, pk=pk).first()
    if template is None:
        return None
    accounts = {account.code: account.pk for account in postable_accounts(year=year)}
    rows = [
        {
            "account": str(accounts[code]),
            "debit": debit if debit != "0.00" else "",
            "credit": credit if credit != "0.00" else "",
            "memo": memo,
        }
        for code, debit, credit, memo in template.lines
        if code in accounts
    ]
    return template.summary, rows
