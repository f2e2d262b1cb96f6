"""Finding the account a cell of a treasurer's book names, on any chart: by code, by full name, by name.

One query builds the index of a union-year's accounts (the chart's and the union's own 明细科目); every lookup
after that is in memory. A name that matches nothing gets the closest names, compared both as characters and as
pinyin (so 会废收入 and 会费收入 are close, and so are 工会会费 and 会费收入), from difflib.
"""

import difflib
import re
from dataclasses import dataclass

from pypinyin import lazy_pinyin

from ledger.models import Account, AccountingYear, AccountType
from ledger.queries import year_accounts

_CODE_NAME = re.compile(r"^(\d+)\s*[ 　\-_:：]?\s*(\S.*)?$")
_SEPARATORS = re.compile(r"\s*[/／›>＞]\s*|\s*--?\s*")


def pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text))


@dataclass(frozen=True)
class Missing:
    """An account a file names that the year does not have: what it could be created as, in one step."""

    text: str
    name: str
    parent: Account | None  # the suggested 上级科目, when the text or its code says which
    suggestions: tuple[str, ...]


class AccountIndex:
    CASH_WORDS = ("现金", "库存现金")
    BANK_WORDS = ("银行", "银行存款")

    def __init__(self, year: AccountingYear, accounts: list[Account]):
        self.year = year
        self.accounts = [account for account in accounts if account.is_active]
        self.by_code = {account.code: account for account in self.accounts}
        self.by_name: dict[str, list[Account]] = {}
        for account in self.accounts:
            self.by_name.setdefault(account.name, []).append(account)
        self.by_id = {account.pk: account for account in self.accounts}
        self.cash = self.by_code.get(year.chart.cash_code)
        self.bank = self.by_code.get(year.chart.bank_code)
        self._pinyin = None
        self.missing: dict[str, Missing] = {}

    @classmethod
    def for_year(cls, year: AccountingYear) -> "AccountIndex":
        """One query."""
        return cls(year, list(year_accounts(year)))

    def full_name(self, account: Account) -> str:
        parent = self.by_id.get(account.parent_id)
        return f"{parent.name}/{account.name}" if parent else account.name

    def find(self, text: str) -> Account | None:
        text = text.strip()
        if text in self.by_code:
            return self.by_code[text]
        match = _CODE_NAME.match(text)
        if match and match.group(2):
            code, name = match.group(1), match.group(2).strip()
            account = self.by_code.get(code)
            if account is not None and account.name == name:
                return account
            return self._by_name(name)
        return self._by_name(text)

    def _by_name(self, text: str) -> Account | None:
        parts = [part for part in _SEPARATORS.split(text) if part]
        if len(parts) >= 2:
            parents = self.by_name.get(parts[-2], [])
            children = [a for a in self.by_name.get(parts[-1], []) if a.parent_id in {p.pk for p in parents}]
            return children[0] if len(children) == 1 else None
        named = self.by_name.get(text, [])
        return named[0] if len(named) == 1 else None

    def money_account(self, text: str) -> Account | None:
        text = text.strip()
        if text in self.CASH_WORDS or text == getattr(self.cash, "code", None):
            return self.cash
        if text in self.BANK_WORDS or text == getattr(self.bank, "code", None):
            return self.bank
        return None

    def suggestions(self, text: str, limit: int = 3) -> tuple[str, ...]:
        """The closest account names to ``text``, by characters and by pinyin."""
        if self._pinyin is None:
            self._pinyin = {account.name: pinyin(account.name) for account in self.accounts}
        wanted = _SEPARATORS.split(text.strip())[-1]
        match = _CODE_NAME.match(wanted)
        if match and match.group(2):
            wanted = match.group(2)
        wanted_pinyin = pinyin(wanted)
        scored = []
        for name, spelled in self._pinyin.items():
            score = max(
                difflib.SequenceMatcher(None, wanted, name).ratio(),
                difflib.SequenceMatcher(None, wanted_pinyin, spelled).ratio(),
            )
            if score >= 0.5:
                scored.append((-score, name))
        return tuple(name for _, name in sorted(scored)[:limit])

    def unknown_message(self, text: str) -> str:
        missing = self.missing_for(text)
        if text in self.by_name and len(self.by_name[text]) > 1:
            choices = "、".join(self.full_name(a) for a in self.by_name[text])
            return f"科目“{text}”不止一个（{choices}），请写成“上级科目/明细科目”或写科目编码"
        hint = f"。最接近的科目：{'、'.join(missing.suggestions)}" if missing.suggestions else ""
        create = f"；可在预览页把它增加为“{missing.parent.name}”的明细科目" if missing.parent else ""
        return f"没有科目“{text}”{hint}{create}"

    def missing_for(self, text: str) -> Missing:
        """What ``text`` could be created as (its name and suggested 上级科目), remembered in ``missing``."""
        if text not in self.missing:
            parts = [part for part in _SEPARATORS.split(text.strip()) if part]
            name, parent = parts[-1] if parts else text, None
            match = _CODE_NAME.match(name)
            if match and match.group(2):
                code, name = match.group(1), match.group(2).strip()
                for length in range(len(code) - 1, 0, -1):
                    parent = self.by_code.get(code[:length])
                    if parent is not None:
                        break
            elif len(parts) >= 2:
                named = self.by_name.get(parts[-2], [])
                parent = named[0] if len(named) == 1 else None
            if parent is not None and parent.type not in AccountType.values:
                parent = None
            self.missing[text] = Missing(text, name, parent, self.suggestions(text))
        return self.missing[text]
