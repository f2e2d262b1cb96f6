"""The books' workbooks (日记账, 明细账, 总账, 科目余额表) as files named by a short ``param``: the report workers
render them (the kinds are registered by ``reports``, which the ledger never imports) and the views ask for them
through ``hooks.download``, so a year's workbook is never written in the web request.

``param``: a journal's ``cash-12``, ``bank-year`` or ``account<pk>-3`` (the book and the month, or the year); the
总账's ``account<pk>``; the 科目余额表's ``4-9`` (first and last month) with ``-all`` to show every account.
"""

from django.urls import reverse

from ledger import exports, queries
from ledger.errors import LedgerError
from ledger.models import Account, AccountingYear
from ledger.services import resolve_account

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Rendered = tuple[str, str, bytes]
JOURNALS = {"cash": ("现金日记账", "ledger:cash_journal"), "bank": ("银行存款日记账", "ledger:bank_journal")}


def journal_param(book_kind: str, account: Account, month: int | None) -> str:
    """The ``param`` of a journal: of ``book_kind`` (cash, bank) or else of the account; ``month`` None: the year."""
    return f"{book_kind or f'account{account.pk}'}-{month or 'year'}"


def balances_param(first: int, last: int, show_all: bool) -> str:
    return f"{first}-{last}" + ("-all" if show_all else "")


def _number(text: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise LedgerError("下载地址有误，请从账簿页面重新下载。")
    return int(text)


def _account(year: AccountingYear, who: str) -> Account:
    if who in JOURNALS:
        return resolve_account(year, year.chart.cash_code if who == "cash" else year.chart.bank_code)
    found = (
        queries.year_accounts(year)
        .select_related("parent")
        .filter(pk=_number(who.removeprefix("account"), 1, 2**62))
        .first()
        if who.startswith("account")
        else None
    )
    if found is None:
        raise LedgerError("没有这个科目")
    return found


def journal(year: AccountingYear, param: str) -> Rendered:
    who, _, scope = param.rpartition("-")
    account = _account(year, who)
    title = JOURNALS[who][0] if who in JOURNALS else f"明细账：{account.code} {account.name}"
    month = None if scope == "year" else _number(scope, 1, 12)
    first, last = (1, 12) if month is None else (month, month)
    data = queries.journal_book(year=year, account=account, first_month=first, last_month=last)
    period = f"{year.year}年" + ("" if month is None else f"{month}月")
    content = exports.journal_workbook(data, union_name=year.union.name, title=title, period=period)
    return f"{title}-{period}.xlsx".replace("：", "-"), XLSX, content


def journal_url(year: AccountingYear, param: str) -> str:
    who, _, scope = param.rpartition("-")
    args = [year.union.slug, year.year]
    url = (
        reverse(JOURNALS[who][1], args=args)
        if who in JOURNALS
        else reverse("ledger:account_ledger", args=[*args, int(who.removeprefix("account"))])
    )
    return url + "?format=xlsx" + ("&scope=year" if scope == "year" else f"&month={scope}")


def balances(year: AccountingYear, param: str) -> Rendered:
    first, last, *rest = param.split("-")
    first, last = _number(first, 1, 12), _number(last, 1, 12)
    data = queries.account_balances(
        year=year, first_month=first, last_month=last, include_zero=rest == ["all"]
    )
    content = exports.balances_workbook(data, union_name=year.union.name)
    return f"科目余额表-{year.year}年{first}-{last}月.xlsx", XLSX, content


def balances_url(year: AccountingYear, param: str) -> str:
    first, last, *rest = param.split("-")
    url = reverse("ledger:accounts", args=[year.union.slug, year.year])
    return f"{url}?start={first}&end={last}&format=xlsx" + ("&all=1" if rest == ["all"] else "")


def general_ledger(year: AccountingYear, param: str) -> Rendered:
    account = _account(year, param)
    data = queries.general_ledger(year=year, account=account)
    content = exports.general_ledger_workbook(data, union_name=year.union.name)
    return f"总账-{account.code}{account.name}-{year.year}年.xlsx", XLSX, content


def general_ledger_url(year: AccountingYear, param: str) -> str:
    pk = int(param.removeprefix("account"))
    return reverse("ledger:general_ledger", args=[year.union.slug, year.year, pk]) + "?format=xlsx"
