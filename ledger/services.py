"""Every write to the books: one function per treasurer action, each in one transaction.

Invariants kept here (and, where the database can, again by the triggers of migration 0003):
- a posted voucher has two or more lines, every amount is positive on exactly one side, debits equal credits;
- a posted voucher never changes; a correction is a reversal voucher pointing at the original;
- nothing is written into a closed year, and a voucher's date lies inside its year;
- 库存现金 and 银行存款 are never below zero at the end of any day of the year (``ledger.cash_bank``);
- 凭证号 are gapless per union and year: the year row is locked while a number is drawn;
- amounts are exact ``Decimal`` 元 with two places; floats and a third decimal are refused, not rounded.

Every function either does all it says or raises a ``LedgerError`` with a Chinese message and writes nothing.
"""

import datetime
import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from audit import trail as audit
from ledger import cash_bank, lifecycle, queries
from ledger.errors import (
    AmountError,
    ClosedYear,
    DateOutsideYear,
    LedgerError,
    NegativeBalance,
    PostedVoucherImmutable,
    UnbalancedVoucher,
    UnknownAccount,
)
from ledger.models import Account, AccountingYear, AccountType, AuditEvent, Chart, Union, Voucher, VoucherLine
from ledger.money import (
    MAX_LINE_AMOUNT,
    MAX_VOUCHER_TOTAL,
    MAX_VOUCHERS_PER_YEAR,
    MAX_YEAR_TOTAL,
    ZERO,
    money,
    positive_amount,
    to_decimal,
    within_limit,
)


@dataclass(frozen=True)
class Line:
    """One line as a caller describes it: an account (object, id or code) and a 借方 or 贷方 amount."""

    account: "Account | int | str | Via"
    debit: object = ZERO
    credit: object = ZERO
    memo: str = ""


@dataclass(frozen=True)
class Via:
    """The year's 库存现金 (``"cash"``) or 银行存款 (``"bank"``) as its chart names them, for a ``Line``'s account
    before the year is read."""

    via: str

    def __post_init__(self):
        if self.via not in ("cash", "bank"):
            raise LedgerError("请选择收付方式：现金或银行存款")


@dataclass(frozen=True)
class _CheckedLine:
    account: Account
    debit: Decimal
    credit: Decimal
    memo: str = field(default="")


# --- years and accounts -------------------------------------------------------------------------------


def chart_for_year(year: int) -> Chart:
    """The newest chart in force on 1 January of ``year``."""
    chart = (
        Chart.objects.filter(effective_from__lte=datetime.date(year, 12, 31))
        .order_by("-effective_from")
        .first()
    )
    if chart is None:
        raise LedgerError(f"没有适用于{year}年的会计制度")
    return chart


@transaction.atomic
def open_year(
    *, union: Union, year: int, chart: Chart | None = None, user: AbstractBaseUser | None = None
) -> AccountingYear:
    """Return the union's accounting year, creating it (open) on the chart in force if it is new.

    A new year is refused once a later year is closed (``lifecycle.check_open``); it is recorded in the audit
    trail (``user`` None: a command or the demo loader opened it).
    """
    if not isinstance(year, int) or isinstance(year, bool) or not 1950 <= year <= 2200:
        raise LedgerError(f"会计年度不正确：{year}")
    existing = AccountingYear.objects.filter(union=union, year=year).first()
    if existing:
        return existing
    lifecycle.check_open(union=union, year=year)
    opened = AccountingYear.objects.create(union=union, year=year, chart=chart or chart_for_year(year))
    audit.record(
        AuditEvent.Action.YEAR_OPENED, user=user, union=union, obj=opened, summary=f"建立{year}年度账套"
    )
    return opened


def find_year(*, slug: str, year: int) -> AccountingYear:
    """A union's accounting year by the union's slug, as the command line names it."""
    union = Union.objects.filter(slug=slug).first()
    if union is None:
        raise LedgerError(f"没有简称为“{slug}”的工会")
    return get_year(union=union, year=year)


def get_year(*, union: Union, year: int) -> AccountingYear:
    try:
        return AccountingYear.objects.select_related("union", "chart").get(union=union, year=year)
    except AccountingYear.DoesNotExist:
        raise LedgerError(f"{union.name}尚未建立{year}年度的账套") from None


# What a name in the books may hold so that every page and PDF can print it: ASCII, Latin-1, CJK punctuation
# and full-width forms, Roman and circled numerals, and Han characters up to Extension F (the report's fonts
# with their Hanazono fallback cover these; a character they still lack prints as 〓, never blocking a PDF).
_PRINTABLE_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0xFF),
    (0x2010, 0x205E),
    (0x2160, 0x217F),
    (0x2460, 0x24FF),
    (0x3000, 0x303F),
    (0x3200, 0x33FF),
    (0xFF00, 0xFFEF),
)


def unprintable_characters(text: str) -> list[str]:
    """The characters of ``text`` a name may not use (an emoji, a hieroglyph, a control character), once each."""
    found = []
    for character in text:
        codepoint = ord(character)
        han = codepoint < 0x30000 and unicodedata.name(character, "").startswith(
            ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")
        )
        if not han and not any(low <= codepoint <= high for low, high in _PRINTABLE_RANGES):
            if character not in found:
                found.append(character)
    return found


@transaction.atomic
def add_sub_account(
    *, union: Union, parent: Account, name: str, code: str = "", user: AbstractBaseUser | None = None
) -> Account:
    """Add a union's own 明细科目 under ``parent`` (of the 制度 or the union's own).

    The code extends the parent's code by two digits (50104 → 5010401) unless one is given.
    """
    name = (name or "").strip()
    if not name:
        raise LedgerError("明细科目名称不能为空")
    unprintable = unprintable_characters(name)
    if unprintable:
        raise LedgerError(
            f"明细科目名称中有账簿和报告印不出的字符：{'、'.join(unprintable)}。请只用汉字、字母、数字和常用标点"
        )
    if parent.union_id not in (None, union.pk):
        raise UnknownAccount("上级科目不属于本工会")
    siblings = Account.objects.filter(chart=parent.chart, parent=parent).filter(
        union__isnull=True
    ) | Account.objects.filter(chart=parent.chart, parent=parent, union=union)
    if siblings.filter(name=name).exists():
        raise LedgerError(f"“{parent.name}”下已有明细科目“{name}”")
    if not code:
        taken = set(siblings.values_list("code", flat=True))
        code = next(f"{parent.code}{n:02d}" for n in range(1, 100) if f"{parent.code}{n:02d}" not in taken)
    if not code.startswith(parent.code) or code == parent.code or not code.isdigit():
        raise LedgerError(f"明细科目编码须以上级科目编码{parent.code}开头并由数字组成")
    if (
        Account.objects.filter(chart=parent.chart, code=code, union__isnull=True).exists()
        or Account.objects.filter(chart=parent.chart, code=code, union=union).exists()
    ):
        raise LedgerError(f"科目编码{code}已被使用")
    account = Account.objects.create(
        chart=parent.chart, union=union, parent=parent, code=code, name=name, type=parent.type
    )
    audit.record(
        AuditEvent.Action.ACCOUNT_ADDED,
        user=user,
        union=union,
        obj=account,
        summary=f"{parent} › {code} {name}",
    )
    return account


def resolve_account(year: AccountingYear, account: Account | int | str) -> Account:
    """The account as the year may use it: on the year's chart, the 制度's or this union's, and active."""
    accounts = Account.objects.filter(chart_id=year.chart_id, is_active=True).filter(
        union__isnull=True
    ) | Account.objects.filter(chart_id=year.chart_id, is_active=True, union_id=year.union_id)
    try:
        if isinstance(account, Account):
            return accounts.get(pk=account.pk)
        if isinstance(account, int) and not isinstance(account, bool):
            return accounts.get(pk=account)
        if isinstance(account, str) and account:
            return accounts.get(code=account)
    except Account.DoesNotExist:
        pass
    raise UnknownAccount(f"科目不存在或不属于本工会的账套：{account}")


# --- the year, its accounts and its next number, in one read -----------------------------------------------------
# Posting reads the year (its row locked, its next 凭证号 fresh), its union and chart, and the accounts its lines
# name in ONE statement: each account is a scalar subquery on the year's row. It is written as SQL because this
# is the one read every posting makes: built by the ORM, compiling it cost ten times what running it does.

_YEAR_COLUMNS = ("id", "union_id", "year", "chart_id", "is_closed", "next_number")
_UNION_COLUMNS = ("id", "name", "slug", "parent_id")
_CHART_COLUMNS = ("id", "code", "name", "cash_code", "bank_code", "surplus_code", "payable_upper_code")
_ACCOUNT_COLUMNS = ("id", "chart_id", "union_id", "parent_id", "code", "name", "type", "is_active")


def _account_key(account: "Account | int | str | Via") -> tuple[str, int | str]:
    if isinstance(account, Via):
        return ("via", account.via)
    if isinstance(account, Account):
        return ("id", account.pk)
    if isinstance(account, int) and not isinstance(account, bool):
        return ("id", account)
    if isinstance(account, str) and account:
        return ("code", account)
    raise UnknownAccount(f"科目不存在或不属于本工会的账套：{account}")


def _account_sql(key: tuple[str, int | str], vendor: str) -> tuple[str, list]:
    """The account of ``key`` as a JSON array, if the year ``y`` may use it (as ``resolve_account`` says)."""
    field, value = key
    if field == "via":
        match, params = ("a.code = c.cash_code" if value == "cash" else "a.code = c.bank_code"), []
    else:
        match, params = f"a.{field} = %s", [value]
    array = "json_build_array" if vendor == "postgresql" else "json_array"
    columns = ", ".join(f"a.{column}" for column in _ACCOUNT_COLUMNS)
    return (
        f"(SELECT {array}({columns}) FROM ledger_account a WHERE a.chart_id = y.chart_id AND a.is_active "
        f"AND (a.union_id IS NULL OR a.union_id = y.union_id) AND {match} LIMIT 1)",
        params,
    )


def _locked_year(
    *,
    pk: int | None = None,
    union: Union | None = None,
    year: int | None = None,
    accounts=(),
    lock: bool = True,
) -> tuple[AccountingYear, dict[tuple[str, int | str], Account]]:
    """The writable year (``lifecycle.check_writable``), its row locked (unless ``lock`` is False: a draft), with
    its union, chart and the accounts ``accounts`` name as the year may use them: one query. Missing accounts are
    absent from the dict (the caller says which line is wrong)."""
    vendor = connection.vendor
    keys = sorted({_account_key(account) for account in accounts}, key=repr)
    subqueries = [_account_sql(key, vendor) for key in keys]
    columns = ", ".join(
        [f"y.{c}" for c in _YEAR_COLUMNS]
        + [f"u.{c}" for c in _UNION_COLUMNS]
        + [f"c.{c}" for c in _CHART_COLUMNS]
    )
    where, params = (
        ("y.id = %s", [pk]) if pk is not None else ("y.union_id = %s AND y.year = %s", [union.pk, year])
    )
    sql = (
        f"SELECT {columns}, EXISTS (SELECT 1 FROM ledger_accountingyear l WHERE l.union_id = y.union_id "
        "AND l.year > y.year AND l.is_closed)"
        + "".join(f", {sql}" for sql, _ in subqueries)
        + " FROM ledger_accountingyear y JOIN ledger_union u ON u.id = y.union_id "
        f"JOIN ledger_chart c ON c.id = y.chart_id WHERE {where}"
        + (" FOR UPDATE OF y" if lock and vendor == "postgresql" else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [p for _, extra in subqueries for p in extra] + params)
        row = cursor.fetchone()
    if row is None:
        raise LedgerError(f"{union.name if union else ''}尚未建立{year}年度的账套")
    n_year, n_union, n_chart = len(_YEAR_COLUMNS), len(_UNION_COLUMNS), len(_CHART_COLUMNS)
    locked = AccountingYear.from_db(connection.alias, _YEAR_COLUMNS, list(row[:n_year]))
    locked.is_closed = bool(locked.is_closed)
    locked.union = Union.from_db(connection.alias, _UNION_COLUMNS, list(row[n_year : n_year + n_union]))
    start = n_year + n_union
    locked.chart = Chart.from_db(connection.alias, _CHART_COLUMNS, list(row[start : start + n_chart]))
    locked.later_closed = bool(row[start + n_chart])
    lifecycle.check_writable(locked)
    found = {}
    for key, data in zip(keys, row[start + n_chart + 1 :], strict=True):
        if isinstance(data, str):  # SQLite hands JSON over as text
            data = json.loads(data)
        if data:
            values = dict(zip(_ACCOUNT_COLUMNS, data, strict=True))
            values["is_active"] = bool(values["is_active"])
            found[key] = Account.from_db(connection.alias, _ACCOUNT_COLUMNS, list(values.values()))
    return locked, found


def _draw_number(year: AccountingYear, count: int = 1) -> int:
    """The first of ``count`` gapless 凭证号 for vouchers posted now into ``year``, whose row is locked. No query:
    the row's ``next_number`` is moved on by the database as each voucher is posted (migration 0021)."""
    first = year.next_number
    year.next_number = first + count
    return first


# --- vouchers -------------------------------------------------------------------------------------------


def _check_open(year: AccountingYear, date: datetime.date) -> None:
    if year.is_closed:  # lifecycle.writable_year refuses it first; this guards a stale copy
        raise ClosedYear(f"{year.year}年度已结账，不能再记账")
    if not isinstance(date, datetime.date) or isinstance(date, datetime.datetime):
        raise DateOutsideYear("凭证日期不正确")
    if date.year != year.year:
        raise DateOutsideYear(f"凭证日期{date:%Y-%m-%d}不在{year.year}年度内")


def _limits(kind: str) -> tuple[Decimal, Decimal]:
    """(largest line, largest 借方合计) of a voucher of ``kind`` — see ``ledger.money`` for why."""
    if kind == Voucher.Kind.NORMAL:
        return MAX_LINE_AMOUNT, MAX_VOUCHER_TOTAL
    return MAX_YEAR_TOTAL, MAX_YEAR_TOTAL  # the books' own vouchers carry or sum a year's entries


def _check_lines(
    year: AccountingYear,
    lines: Sequence[Line],
    kind: str = Voucher.Kind.NORMAL,
    accounts: Mapping[tuple[str, int | str], Account] | None = None,
) -> list[_CheckedLine]:
    """The lines, checked; their accounts from ``accounts`` (read with the year's row) or else one by one."""

    def account_of(key: Account | int | str) -> Account:
        if accounts is None:
            return resolve_account(year, key)
        found = accounts.get(_account_key(key))
        if found is None:
            raise UnknownAccount(f"科目不存在或不属于本工会的账套：{key}")
        return found

    if len(lines) < 2:
        raise UnbalancedVoucher("一张记账凭证至少要有两行分录")
    line_limit, total_limit = _limits(kind)
    checked = []
    for number, line in enumerate(lines, start=1):
        try:
            debit, credit = to_decimal(line.debit), to_decimal(line.credit)
            within_limit(max(debit, credit), line_limit)
        except AmountError as error:
            raise AmountError(f"第{number}行：{error.message}") from None
        if debit < 0 or credit < 0:
            raise AmountError(f"第{number}行：金额必须大于零")
        if (debit > 0) == (credit > 0):
            raise AmountError(f"第{number}行：借方和贷方必须且只能填一方，金额大于零")
        checked.append(_CheckedLine(account_of(line.account), debit, credit, (line.memo or "")[:200]))
    debit_total = sum((line.debit for line in checked), ZERO)
    credit_total = sum((line.credit for line in checked), ZERO)
    if debit_total != credit_total:
        raise UnbalancedVoucher(f"借贷不平衡：借方合计{debit_total}，贷方合计{credit_total}")
    within_limit(debit_total, total_limit, what="一张凭证的借方合计")
    return checked


def _check_header(year: AccountingYear, *, date, summary: str, attachment_count: int) -> str:
    """The voucher's date, 摘要 and 附单据数 checked; the 摘要 as it is kept."""
    _check_open(year, date)
    summary = (summary or "").strip()
    if not summary:
        raise LedgerError("摘要不能为空")
    if len(summary) > 200:
        raise LedgerError("摘要不能超过200字")
    if not isinstance(attachment_count, int) or not 0 <= attachment_count <= 999:
        raise LedgerError("附单据数不正确")
    return summary


@transaction.atomic
def create_voucher(
    *,
    year: AccountingYear,
    date: datetime.date,
    summary: str,
    lines: Sequence[Line],
    prepared_by: AbstractBaseUser,
    counterparty: str = "",
    attachment_count: int = 0,
    kind: str = Voucher.Kind.NORMAL,
    reverses: Voucher | None = None,
) -> Voucher:
    """Write a draft voucher with its lines, after checking everything posting will check."""
    year, accounts = _locked_year(pk=year.pk, accounts=[line.account for line in lines], lock=False)
    summary = _check_header(year, date=date, summary=summary, attachment_count=attachment_count)
    checked = _check_lines(year, lines, kind, accounts)
    voucher = Voucher.objects.create(
        year=year,
        date=date,
        summary=summary,
        counterparty=(counterparty or "").strip()[:100],
        kind=kind,
        reverses=reverses,
        attachment_count=attachment_count,
        prepared_by=prepared_by,
    )
    VoucherLine.objects.bulk_create(_line_rows(voucher, checked))
    audit.record(
        AuditEvent.Action.VOUCHER_CREATED,
        user=prepared_by,
        union=year.union,
        obj=voucher,
        summary=f"{date:%Y-%m-%d} {summary}",
        changes={"lines": _audit_lines(checked)},
    )
    return voucher


def _line_rows(voucher: Voucher, checked: Sequence[_CheckedLine]) -> list[VoucherLine]:
    return [
        VoucherLine(
            voucher=voucher,
            position=position,
            account=line.account,
            debit=money(line.debit),
            credit=money(line.credit),
            memo=line.memo,
        )
        for position, line in enumerate(checked, start=1)
    ]


def _audit_lines(checked: Sequence[_CheckedLine]) -> list[list[str]]:
    return [[line.account.code, f"{line.debit}", f"{line.credit}"] for line in checked]


def _numbers(year: AccountingYear, kinds: Sequence[str]) -> list[int]:
    """Gapless numbers for vouchers of ``kinds`` posted now, in order; refused past the year's bound."""
    first = _draw_number(year, len(kinds))
    numbers = list(range(first, first + len(kinds)))
    for number, kind in zip(numbers, kinds, strict=True):
        if kind == Voucher.Kind.NORMAL and number > MAX_VOUCHERS_PER_YEAR:
            raise LedgerError(f"{year.year}年度的凭证已达{MAX_VOUCHERS_PER_YEAR}张的上限，不能再记账")
    return numbers


def _mark_posted(vouchers: Sequence[Voucher], numbers: Sequence[int], user: AbstractBaseUser) -> None:
    """Turn drafts posted with their numbers: one UPDATE when their ids run on without a gap (a batch written
    by one INSERT usually), else one per 500. The database adds each voucher's lines to the per-day totals."""
    now = timezone.now()
    for voucher, number in zip(vouchers, numbers, strict=True):
        voucher.number, voucher.state, voucher.posted_by, voucher.posted_at = (
            number,
            Voucher.State.POSTED,
            user,
            now,
        )
    posted = {"state": Voucher.State.POSTED, "posted_by": user, "posted_at": now}
    ids = [voucher.pk for voucher in vouchers]
    offset = ids[0] - numbers[0]
    if all(pk - number == offset for pk, number in zip(ids, numbers, strict=True)):
        Voucher.objects.filter(pk__gte=ids[0], pk__lte=ids[-1]).update(number=F("id") - offset, **posted)
        return
    for first in range(0, len(vouchers), 500):
        chunk = vouchers[first : first + 500]
        Voucher.objects.filter(pk__in=[v.pk for v in chunk]).update(
            number=Case(*(When(pk=v.pk, then=Value(v.number)) for v in chunk)), **posted
        )


@transaction.atomic
def post_voucher(*, voucher: Voucher, posted_by: AbstractBaseUser) -> Voucher:
    """Post (记账) a draft: check it again and give it the year's next gapless 凭证号."""
    year, _ = _locked_year(pk=voucher.year_id)
    voucher = Voucher.objects.select_for_update(of=("self",)).get(pk=voucher.pk)
    if voucher.state != Voucher.State.DRAFT:
        raise PostedVoucherImmutable(f"凭证{voucher.voucher_no}已记账")
    _check_open(year, voucher.date)
    lines = list(voucher.lines.select_related("account").order_by("position"))
    usable = {
        ("id", line.account.pk): line.account
        for line in lines
        if line.account.chart_id == year.chart_id
        and line.account.union_id in (None, year.union_id)
        and line.account.is_active
    }
    checked = _check_lines(
        year,
        [Line(line.account_id, line.debit.amount, line.credit.amount) for line in lines],
        voucher.kind,
        usable,
    )
    cash_bank.check_voucher(
        year=year,
        date=voucher.date,
        lines=[(line.account.code, line.debit, line.credit) for line in checked],
    )
    _mark_posted([voucher], _numbers(year, [voucher.kind]), posted_by)
    audit.record(
        AuditEvent.Action.VOUCHER_POSTED,
        user=posted_by,
        union=year.union,
        obj=voucher,
        summary=f"{year.year}年{voucher.voucher_no} {voucher.summary}",
    )
    return voucher


@transaction.atomic
def delete_draft(*, voucher: Voucher, user: AbstractBaseUser) -> None:
    voucher = Voucher.objects.select_related("year").get(pk=voucher.pk)
    if voucher.state != Voucher.State.DRAFT:
        raise PostedVoucherImmutable(f"凭证{voucher.voucher_no}已记账，不能删除；更正请冲销")
    lifecycle.writable_year(voucher.year_id)
    audit.record(
        AuditEvent.Action.DRAFT_DELETED,
        user=user,
        union=voucher.year.union,
        obj=voucher,
        summary=voucher.summary,
    )
    voucher.delete()


@dataclass(frozen=True)
class Entry:
    """One voucher to record and post: what ``record_voucher`` takes, and a row of ``record_many``.

    ``category`` (line index, account type) asks that line's account to be of that type, as the 记收入 / 记支出
    forms do (``receipt_entry``, ``payment_entry``).
    """

    date: datetime.date
    summary: str
    lines: Sequence[Line]
    counterparty: str = ""
    attachment_count: int = 0
    kind: str = Voucher.Kind.NORMAL
    reverses: Voucher | None = None
    category: tuple[int, str] | None = None


def _checked_entry(
    year: AccountingYear, accounts: Mapping[tuple[str, int | str], Account], entry: Entry
) -> tuple[Voucher, list[_CheckedLine]]:
    summary = _check_header(
        year, date=entry.date, summary=entry.summary, attachment_count=entry.attachment_count
    )
    checked = _check_lines(year, entry.lines, entry.kind, accounts)
    if entry.category is not None:
        index, type_ = entry.category
        category = checked[index].account
        if category.type != type_:
            raise UnknownAccount(f"“{category.name}”不是{AccountType(type_).label}科目")
    voucher = Voucher(
        year=year,
        date=entry.date,
        summary=summary,
        counterparty=(entry.counterparty or "").strip()[:100],
        kind=entry.kind,
        reverses=entry.reverses,
        attachment_count=entry.attachment_count,
    )
    return voucher, checked


def _post_entries(
    year: AccountingYear,
    accounts: Mapping[tuple[str, int | str], Account],
    entries: Sequence[Entry],
    user: AbstractBaseUser,
    *,
    batch: bool,
) -> list[Voucher]:
    """Check and post ``entries`` into ``year`` (locked, read by ``_locked_year``): drafts and lines written in
    as few INSERTs as the database takes, then posted with gapless numbers, one audit row each. With ``batch``
    an error names the entry's position and cash and bank are checked once for the whole batch."""
    vouchers, lines = [], []
    for position, entry in enumerate(entries, start=1):
        try:
            voucher, checked = _checked_entry(year, accounts, entry)
        except LedgerError as error:
            if not batch:
                raise
            raise type(error)(f"第{position}张凭证（{_describe(entry)}）：{error.message}") from None
        voucher.prepared_by = user
        vouchers.append(voucher)
        lines.append(checked)
    money_lines = [
        (voucher.date, [(line.account.code, line.debit, line.credit) for line in checked])
        for voucher, checked in zip(vouchers, lines, strict=True)
    ]
    if batch:
        cash_bank.check_batch(year=year, vouchers=money_lines)
    else:
        cash_bank.check_voucher(year=year, date=money_lines[0][0], lines=money_lines[0][1])
    numbers = _numbers(year, [voucher.kind for voucher in vouchers])
    Voucher.objects.bulk_create(vouchers, batch_size=2000)
    VoucherLine.objects.bulk_create(
        [
            row
            for voucher, checked in zip(vouchers, lines, strict=True)
            for row in _line_rows(voucher, checked)
        ],
        batch_size=2000,
    )
    _mark_posted(vouchers, numbers, user)
    audit.record_many(
        [
            audit.event(
                AuditEvent.Action.VOUCHER_POSTED,
                user=user,
                union=year.union,
                obj=voucher,
                summary=f"{year.year}年{voucher.voucher_no} {voucher.summary}",
                changes={"lines": _audit_lines(checked)},
            )
            for voucher, checked in zip(vouchers, lines, strict=True)
        ]
    )
    return vouchers


def _describe(entry: Entry) -> str:
    date = f"{entry.date:%Y-%m-%d}" if isinstance(entry.date, datetime.date) else str(entry.date)
    return f"{date} {(entry.summary or '').strip()[:20]}"


@transaction.atomic
def record_voucher(*, year: AccountingYear, posted_by: AbstractBaseUser, **fields) -> Voucher:
    """Prepare and post a voucher in one step (the treasurer both prepares and posts).

    One read (the year locked, the accounts, the last 凭证号), one more where money leaves cash or bank (the
    per-day totals), then the voucher, its lines, the posting and one audit row: a constant number of queries
    however full the year is."""
    entry = Entry(**fields)
    locked, accounts = _locked_year(pk=year.pk, accounts=[line.account for line in entry.lines])
    return _post_entries(locked, accounts, [entry], posted_by, batch=False)[0]


def record_many(*, year: AccountingYear, entries: Sequence[Entry], user: AbstractBaseUser) -> list[Voucher]:
    """Post many vouchers into ``year`` in one transaction (an import, the demo books), in the given order.

    The same checks as posting one by one — balanced, the year open and writable, every date inside it, every
    account the year's and active, the bound on vouchers a year — except that cash and bank are checked once, by
    the whole batch's effect on every day (``cash_bank.check_batch``). Any error refuses the whole batch and
    writes nothing; the message names the voucher by its position (第N张) in ``entries``. Numbers are gapless,
    in the order given. One audit row per voucher, as posting one by one writes, so each voucher's history reads
    the same whichever way it came in; all of it in a handful of batched INSERTs.
    """
    if not entries:
        return []
    with transaction.atomic():
        locked, accounts = _locked_year(
            pk=year.pk, accounts=[line.account for entry in entries for line in entry.lines]
        )
        return _post_entries(locked, accounts, list(entries), user, batch=True)


def receipt_entry(
    *,
    date: datetime.date,
    account: Account | int | str,
    amount: object,
    into: str,
    summary: str,
    payer: str = "",
    attachment_count: int = 0,
) -> Entry:
    """A 收入 as an ``Entry``: Dr 库存现金/银行存款, Cr the income account (or its 明细科目)."""
    value = positive_amount(amount)
    return Entry(
        date=date,
        summary=summary,
        counterparty=payer,
        attachment_count=attachment_count,
        lines=[Line(Via(into), debit=value), Line(account, credit=value)],
        category=(1, AccountType.INCOME),
    )


def payment_entry(
    *,
    date: datetime.date,
    account: Account | int | str,
    amount: object,
    via: str,
    summary: str,
    payee: str = "",
    attachment_count: int = 0,
) -> Entry:
    """A 支出 as an ``Entry``: Dr the expense account (or its 明细科目), Cr 库存现金/银行存款."""
    value = positive_amount(amount)
    return Entry(
        date=date,
        summary=summary,
        counterparty=payee,
        attachment_count=attachment_count,
        lines=[Line(account, debit=value), Line(Via(via), credit=value)],
        category=(0, AccountType.EXPENSE),
    )


def _record_entry(*, union: Union, entry: Entry, user: AbstractBaseUser) -> Voucher:
    """Lock the union's year of the entry's date with the accounts it names, and post it."""
    if not isinstance(entry.date, datetime.date):
        raise DateOutsideYear("日期不正确")
    date = entry.date
    locked, accounts = _locked_year(
        union=union, year=date.year, accounts=[line.account for line in entry.lines]
    )
    return _post_entries(locked, accounts, [entry], user, batch=False)[0]


@transaction.atomic
def record_receipt(
    *,
    union: Union,
    date: datetime.date,
    account: Account | int | str,
    amount: object,
    into: str,
    summary: str,
    user: AbstractBaseUser,
    payer: str = "",
    attachment_count: int = 0,
) -> Voucher:
    """A 收入: Dr 库存现金/银行存款, Cr the income account (or its 明细科目). Posted at once."""
    return _record_entry(
        union=union,
        user=user,
        entry=receipt_entry(
            date=date,
            account=account,
            amount=amount,
            into=into,
            summary=summary,
            payer=payer,
            attachment_count=attachment_count,
        ),
    )


@transaction.atomic
def record_payment(
    *,
    union: Union,
    date: datetime.date,
    account: Account | int | str,
    amount: object,
    via: str,
    summary: str,
    user: AbstractBaseUser,
    payee: str = "",
    attachment_count: int = 0,
) -> Voucher:
    """A 支出: Dr the expense account (or its 明细科目), Cr 库存现金/银行存款. Posted at once.

    Cash and bank never go negative: posting refuses the payment if the balance on its date or on any later
    day of the year is too small (``ledger.cash_bank``).
    """
    return _record_entry(
        union=union,
        user=user,
        entry=payment_entry(
            date=date,
            account=account,
            amount=amount,
            via=via,
            summary=summary,
            payee=payee,
            attachment_count=attachment_count,
        ),
    )


def enter_opening_balances(
    *,
    year: AccountingYear,
    cash: Decimal | None,
    bank: Decimal | None,
    payable_upper: Decimal | None,
    user: AbstractBaseUser,
) -> Voucher:
    """期初余额 as a union starting its books here knows them: cash and bank, less what is still owed upward
    (应付上级经费); the rest is 结余. The fund balance that makes may not be negative."""
    cash, bank, payable = cash or ZERO, bank or ZERO, payable_upper or ZERO
    if cash + bank - payable < 0:
        raise LedgerError("期初经费余额（现金加银行存款减应付上级经费）不能为负数")
    chart = year.chart
    balances = {chart.cash_code: cash, chart.bank_code: bank, chart.surplus_code: cash + bank - payable}
    if payable and chart.payable_upper_code:
        balances[chart.payable_upper_code] = payable
    return record_opening_balances(year=year, balances=balances, user=user)


@transaction.atomic
def record_opening_balances(
    *, year: AccountingYear, balances: Mapping[Account | int | str, object], user: AbstractBaseUser
) -> Voucher:
    """The year's 期初余额 as one posted opening voucher dated 1 January.

    ``balances`` gives each balance-sheet account's balance on its normal side (assets 借, liabilities
    and net assets 贷); they must balance. Only one opening voucher per year, and by hand only where
    ``lifecycle.check_opening_balances`` allows (结账 carries the next year's opening forward itself).
    """
    year = lifecycle.writable_year(year.pk)
    lifecycle.check_opening_balances(year)
    return _post_opening(year=year, balances=balances, user=user)


def _post_opening(
    *, year: AccountingYear, balances: Mapping[Account | int | str, object], user: AbstractBaseUser
) -> Voucher:
    lines = []
    for key, raw in balances.items():
        account = resolve_account(year, key)
        if account.type not in (AccountType.ASSET, AccountType.LIABILITY, AccountType.NET_ASSETS):
            raise UnknownAccount(f"期初余额只记资产、负债和净资产科目，“{account.name}”不是")
        amount = to_decimal(raw)
        if amount == 0:
            continue
        normal_debit = account.debit_normal
        if amount < 0:
            normal_debit, amount = not normal_debit, -amount
        lines.append(
            Line(account, debit=amount if normal_debit else ZERO, credit=ZERO if normal_debit else amount)
        )
    voucher = record_voucher(
        year=year,
        posted_by=user,
        date=year.start,
        summary="期初余额",
        kind=Voucher.Kind.OPENING,
        lines=lines,
    )
    audit.record(
        AuditEvent.Action.OPENING_RECORDED,
        user=user,
        union=year.union,
        obj=voucher,
        summary=f"{year.year}年度期初余额",
    )
    return voucher


@transaction.atomic
def reverse_voucher(
    *, voucher: Voucher, user: AbstractBaseUser, reason: str, date: datetime.date | None = None
) -> Voucher:
    """红字冲销: a new posted voucher with every line on the opposite side, pointing at the original.

    Amounts stay positive (the database refuses negative ones), so a reversal is the mirror entry; the
    original is never touched. By default the reversal is dated today if today is in the original's
    year, otherwise on the original's date.
    """
    original = Voucher.objects.select_related("year").get(pk=voucher.pk)
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError("请填写冲销原因")
    if original.state != Voucher.State.POSTED:
        raise LedgerError("只有已记账的凭证才能冲销；草稿可以直接删除")
    if original.kind != Voucher.Kind.NORMAL:
        raise LedgerError(f"{original.get_kind_display()}凭证不能冲销")
    if Voucher.objects.filter(reverses=original).exists():
        raise LedgerError(f"凭证{original.voucher_no}已经冲销过")
    if date is None:
        today = timezone.localdate()
        date = today if today.year == original.year.year else original.date
    year = get_year(union=original.year.union, year=date.year)
    reversal = _mirror(
        original,
        year=year,
        date=date,
        user=user,
        summary=f"冲销{original.year.year}年{original.voucher_no}：{reason}",
    )
    audit.record(
        AuditEvent.Action.VOUCHER_REVERSED,
        user=user,
        union=year.union,
        obj=original,
        summary=f"{original.year.year}年{original.voucher_no}由{year.year}年{reversal.voucher_no}冲销：{reason}",
        changes={"reversal_id": reversal.pk, "reason": reason},
    )
    return reversal


def _mirror(original: Voucher, *, year: AccountingYear, date: datetime.date, user, summary: str) -> Voucher:
    """Post the mirror entry of ``original``: every line on the other side, pointing back at it."""
    lines = [
        Line(line.account_id, debit=line.credit.amount, credit=line.debit.amount, memo=line.memo)
        for line in original.lines.all()
    ]
    return record_voucher(
        year=year,
        posted_by=user,
        date=date,
        summary=summary[:200],
        kind=Voucher.Kind.REVERSAL,
        reverses=original,
        lines=lines,
    )


def may_reverse(voucher: Voucher) -> bool:
    """冲销 is open to a posted ordinary voucher of an open year that has not been reversed already."""
    return (
        voucher.is_posted
        and voucher.kind == Voucher.Kind.NORMAL
        and getattr(voucher, "reversed_by", None) is None
        and not voucher.year.is_closed
    )


@transaction.atomic
def close_year(*, year: AccountingYear, user: AbstractBaseUser) -> AccountingYear:
    """结账: close income and spending into 结余, lock the year, open the next with the closing balances.

    Refused while an earlier year is open (``lifecycle.check_close``), drafts remain or a 结账 check fails.
    The next year may already be open, with an opening entered by hand and vouchers of its own: the opening
    is then brought into line with this year's closing balances (``_carry_forward``). Returns the next year.
    """
    year = (
        AccountingYear.objects.select_for_update(of=("self",))
        .select_related("chart", "union")
        .get(pk=year.pk)
    )
    lifecycle.check_close(year)
    if year.vouchers.filter(state=Voucher.State.DRAFT).exists():
        raise LedgerError(f"{year.year}年度还有未记账的草稿凭证，请先记账或删除")
    failed = [check for check in queries.year_checks(year) if check.required and check.ok is False]
    if failed:
        raise LedgerError(
            "结账前检查未通过：" + "；".join(f"{check.title}（{check.detail}）" for check in failed)
        )
    rows = queries.leaf_balances(year=year)
    surplus = resolve_account(year, year.chart.surplus_code)
    transfer = []
    for row in rows:
        if row.account.type in (AccountType.INCOME, AccountType.EXPENSE) and row.closing_debit != 0:
            # Move the balance to the other side so the account ends the year at zero.
            amount = row.closing_debit
            transfer.append(
                Line(
                    row.account, debit=-amount if amount < 0 else ZERO, credit=amount if amount > 0 else ZERO
                )
            )
    if transfer:
        net = sum((to_decimal(line.debit) - to_decimal(line.credit) for line in transfer), ZERO)
        if net:
            transfer.append(Line(surplus, debit=-net if net < 0 else ZERO, credit=net if net > 0 else ZERO))
        record_voucher(
            year=year,
            posted_by=user,
            date=year.end,
            summary=f"{year.year}年度收支结转结余",
            kind=Voucher.Kind.CLOSING,
            lines=transfer,
        )
    closing = {
        row.account: row.closing_debit
        for row in queries.leaf_balances(year=year)
        if row.account.type in (AccountType.ASSET, AccountType.LIABILITY, AccountType.NET_ASSETS)
        and row.closing_debit != 0
    }
    year.is_closed = True
    year.closed_at = timezone.now()
    year.closed_by = user
    year.save(update_fields=["is_closed", "closed_at", "closed_by"])
    audit.record(
        AuditEvent.Action.YEAR_CLOSED, user=user, union=year.union, obj=year, summary=f"{year.year}年度结账"
    )
    following = open_year(union=year.union, year=year.year + 1, user=user)
    _carry_forward(following, closing, user=user)
    return following


def _carry_forward(following: AccountingYear, closing: Mapping[Account, Decimal], *, user) -> None:
    """Make ``following``'s opening the closing balances (借 minus 贷 by account) of the year just closed.

    An opening entered by hand while the closed year was still open is kept if it says the same; otherwise
    the carried-forward opening is posted and then the hand one reversed, both on 1 January, so the next
    year's cash and bank are checked against the opening that stays (and refused, with the day, if its own
    vouchers spent more than was carried forward).
    """
    live = (
        Voucher.objects.filter(year=following, kind=Voucher.Kind.OPENING, reversed_by__isnull=True)
        .prefetch_related("lines__account")
        .first()
    )
    if live is not None:
        held: dict[int, Decimal] = {}
        for line in live.lines.all():
            held[line.account_id] = held.get(line.account_id, ZERO) + line.debit.amount - line.credit.amount
        if {pk: amount for pk, amount in held.items() if amount} == {
            account.pk: amount for account, amount in closing.items()
        }:
            return
        # Checked as one change, so the message speaks of what the replacement does to the next year.
        swap = [(line.account.code, line.credit.amount, line.debit.amount) for line in live.lines.all()]
        swap += [(account.code, max(amount, ZERO), max(-amount, ZERO)) for account, amount in closing.items()]
        try:
            cash_bank.check_voucher(year=following, date=following.start, lines=swap)
        except NegativeBalance as error:
            raise NegativeBalance(
                f"{following.year}年度手工录入的期初余额须换成{following.year - 1}年度结账结转的余额，"
                f"但换后{error.message}"
            ) from None
    if closing:
        _post_opening(
            year=following,
            balances={
                account: amount if account.debit_normal else -amount for account, amount in closing.items()
            },
            user=user,
        )
    if live is not None:
        _mirror(
            live,
            year=following,
            date=following.start,
            user=user,
            summary=f"结账结转替换{following.year}年度手工录入的期初余额",
        )


@transaction.atomic
def reopen_year(*, year: AccountingYear, user: AbstractBaseUser, reason: str) -> AccountingYear:
    """反结账: only a site administrator, with a reason. Undoes 结账 by reversing, never deleting.

    The closing voucher (结转) is reversed in the reopened year and the next year's opening voucher on its
    1 January; both stay in the books. Refused while a later year is closed or the next year has other
    vouchers (``lifecycle.check_reopen``).
    """
    year = AccountingYear.objects.select_for_update().select_related("union").get(pk=year.pk)
    lifecycle.check_reopen(year=year, user=user)
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError("请填写反结账原因")
    following = (
        AccountingYear.objects.select_for_update().filter(union=year.union, year=year.year + 1).first()
    )
    live_opening = None
    if following is not None:
        live_opening = Voucher.objects.filter(
            year=following, kind=Voucher.Kind.OPENING, reversed_by__isnull=True
        ).first()
    year.is_closed = False
    year.closed_at = None
    year.closed_by = None
    year.save(update_fields=["is_closed", "closed_at", "closed_by"])
    closing = Voucher.objects.filter(year=year, kind=Voucher.Kind.CLOSING, reversed_by__isnull=True).first()
    if closing is not None:
        _mirror(
            closing,
            year=year,
            date=year.end,
            user=user,
            summary=f"反结账冲销{year.year}年度收支结转：{reason}",
        )
    if live_opening is not None:
        _mirror(
            live_opening,
            year=following,
            date=following.start,
            user=user,
            summary=f"反结账冲销{following.year}年度期初余额：{reason}",
        )
    audit.record(
        AuditEvent.Action.YEAR_REOPENED,
        user=user,
        union=year.union,
        obj=year,
        summary=f"{year.year}年度反结账：{reason}",
        changes={"reason": reason},
    )
    return year
