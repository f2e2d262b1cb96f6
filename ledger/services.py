"""Every write to the books: one function per treasurer action, each in one transaction.

Invariants kept here (and, where the database can, again by the triggers of migration 0003):
- a voucher is 未审核 (its preparer may change or delete it), 已审核 (by a 会计主管/审核 other than its
  preparer; 反审核 returns it) or 已记账; where the union requires review only a reviewed voucher is posted;
- a posted voucher has two or more lines, every amount on exactly one side, debits equal credits; amounts are
  positive, except on a 红字冲销, which repeats its original's lines on the same sides with negated amounts;
- a posted voucher never changes; a correction is a 红字冲销 voucher pointing at the original;
- nothing is written into a closed year, and a voucher's date lies inside its year;
- 库存现金 and 银行存款 are never below zero at the end of any day of the year (``ledger.cash_bank``);
- 凭证号 are gapless per union, year and month, drawn at 记账 (``_draw_number``) with the year row locked;
- amounts are exact ``Decimal`` 元 with two places; floats and a third decimal are refused, not rounded;
- the two sides of a 补助下级 (``Allocation``) are posted together, deleted together and reversed together, each in
  its own books; the branch's side is never handled alone.

Every function either does all it says or raises a ``LedgerError`` with a Chinese message and writes nothing.
"""

import datetime
import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from audit import trail as audit
from ledger import cash_bank, lifecycle, queries, roles, sql, transition
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
from ledger.models import (
    Account,
    AccountingYear,
    AccountType,
    Allocation,
    AuditEvent,
    Chart,
    CounterpartyKind,
    Submission,
    Union,
    Voucher,
    VoucherLine,
    VoucherTemplate,
)
from ledger.money import (
    CURRENCY,
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
from ledger.queries.consolidation import ALLOCATION_EXPENSE, ALLOCATION_INCOME


@dataclass(frozen=True)
class Line:
    """One line as a caller describes it: an account (object, id or code) and a 借方 or 贷方 amount."""

    account: "Account | int | str | Via"
    debit: object = ZERO
    credit: object = ZERO
    memo: str = ""
    branch: int | None = None  # 辅助核算: the id of a 分工会 without books of its own


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
    branch: int | None = None


# --- years and accounts -------------------------------------------------------------------------------


def chart_for_year(year: int) -> Chart:
    """The newest chart in force on 1 January of ``year`` (of two in force from the same day, the one loaded
    last: a corrected version loaded by ``import_chart``)."""
    chart = (
        Chart.objects.filter(effective_from__lte=datetime.date(year, 12, 31))
        .order_by("-effective_from", "-pk")
        .first()
    )
    if chart is None:
        raise LedgerError(f"没有适用于{year}年的会计制度")
    return chart


@transaction.atomic
def open_year(
    *, union: Union, year: int, chart: Chart | str | None = None, user: AbstractBaseUser | None = None
) -> AccountingYear:
    """Return the union's accounting year, creating it (open) on the chart in force if it is new.

    ``chart`` (a chart or its code) is the union's own choice; without it a year from 2022 on opens on the
    2021 chart and an earlier one on the 2009 chart (the newest chart in force that year).

    A new year is refused once a later year is closed (``lifecycle.check_open``); it is recorded in the audit
    trail (``user`` None: a command or the demo loader opened it).
    """
    if not isinstance(year, int) or isinstance(year, bool) or not 1950 <= year <= 2200:
        raise LedgerError(f"会计年度不正确：{year}")
    existing = AccountingYear.objects.filter(union=union, year=year).first()
    if existing:
        return existing
    lifecycle.check_open(union=union, year=year)
    if isinstance(chart, str):
        found = Chart.objects.filter(code=chart).first()
        if found is None:
            raise LedgerError(f"没有编码为“{chart}”的会计制度")
        chart = found
    opened = AccountingYear.objects.create(union=union, year=year, chart=chart or chart_for_year(year))
    audit.record(
        AuditEvent.Action.YEAR_OPENED, user=user, union=union, obj=opened, summary=f"建立{year}年度账套"
    )
    return opened


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@transaction.atomic
def create_union(
    *, name: str, slug: str, parent: Union | None = None, province: str = "", keeps_books: bool = True
) -> Union:
    """A new 工会组织 (for an administrator setting up many, ``manage.py create_union``). Under a ``parent`` it is
    a 分工会 that keeps its own books, or (``keeps_books`` False) none: its figures are then a dimension
    (辅助核算) of the parent's voucher lines."""
    name, slug, province = (name or "").strip(), (slug or "").strip(), (province or "").strip()
    if not name or len(name) > 100:
        raise LedgerError("工会名称不能为空，最多100字")
    unprintable = unprintable_characters(name)
    if unprintable:
        raise LedgerError(f"工会名称中有账簿和报告印不出的字符：{'、'.join(unprintable)}")
    if not _SLUG.match(slug) or len(slug) > 50:
        raise LedgerError(f"简称“{slug}”不正确：只能用小写字母、数字和连字符，如 blzq-hospital")
    if Union.objects.filter(slug=slug).exists():
        raise LedgerError(f"简称为“{slug}”的工会已经存在")
    if len(province) > 20:
        raise LedgerError("省份最多20字")
    if parent is None and not keeps_books:
        raise LedgerError("只有分工会（有上级工会）可以不单独建账")
    return Union.objects.create(
        name=name, slug=slug, parent=parent, province=province, keeps_books=keeps_books
    )


def set_province(*, union: Union, province: str) -> Union:
    """The union's 省份, which chooses the spending rules that apply to it (``plan``)."""
    province = (province or "").strip()
    if len(province) > 20:
        raise LedgerError("省份最多20字")
    if province != union.province:
        union.province = province
        union.save(update_fields=["province"])
    return union


def find_year(*, slug: str, year: int) -> AccountingYear:
    """A union's accounting year by the union's slug, as the command line names it."""
    union = Union.objects.filter(slug=slug).first() if "\x00" not in slug else None  # PostgreSQL refuses NUL
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


# --- the year and its accounts, in one read ----------------------------------------------------------------
# Writing a voucher reads the year (its row locked to post; its counter ``next_number`` fresh), its union and
# chart, and the accounts its lines name in ONE statement: each account is a scalar subquery on the year's row.
# Written as SQL because every posting makes it: built by the ORM, compiling it cost ten times running it.

_YEAR_COLUMNS = ("id", "union_id", "year", "chart_id", "is_closed", "next_number")
_UNION_COLUMNS = ("id", "name", "slug", "parent_id", "review_required", "cashier_sign_required")
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
    field_, value = key
    if field_ == "via":
        match, params = ("a.code = c.cash_code" if value == "cash" else "a.code = c.bank_code"), []
    else:
        match, params = f"a.{field_} = %s", [value]
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
    """The writable year (``lifecycle.check_writable``), its row locked (unless ``lock`` is False: 制单), with
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
    union_row = dict(zip(_UNION_COLUMNS, row[n_year : n_year + n_union], strict=True))
    for flag in ("review_required", "cashier_sign_required"):
        union_row[flag] = bool(union_row[flag])
    locked.union = Union.from_db(connection.alias, _UNION_COLUMNS, list(union_row.values()))
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
    """Each line on exactly one side, debits equal credits, within the bounds (of the absolute amount); the
    accounts from ``accounts`` (read with the year's row by ``_locked_year``) or else one by one.

    Amounts are positive, except on a 红字冲销 voucher, whose every amount is negative (the same side as the
    line it cancels; the database checks it mirrors that line).
    """

    def account_of(key: "Account | int | str | Via") -> Account:
        if accounts is None:
            if isinstance(key, Via):
                key = year.chart.cash_code if key.via == "cash" else year.chart.bank_code
            return resolve_account(year, key)
        found = accounts.get(_account_key(key))
        if found is None:
            raise UnknownAccount(f"科目不存在或不属于本工会的账套：{key}")
        return found

    if len(lines) < 2:
        raise UnbalancedVoucher("一张记账凭证至少要有两行分录")
    line_limit, total_limit = _limits(kind)
    red = kind == Voucher.Kind.REVERSAL
    checked = []
    for number, line in enumerate(lines, start=1):
        try:
            debit, credit = to_decimal(line.debit), to_decimal(line.credit)
            within_limit(max(abs(debit), abs(credit)), line_limit)
        except AmountError as error:
            raise AmountError(f"第{number}行：{error.message}") from None
        if red and (debit > 0 or credit > 0):
            raise AmountError(f"第{number}行：红字冲销凭证的金额须为负数")
        if not red and (debit < 0 or credit < 0):
            raise AmountError(f"第{number}行：金额必须大于零")
        if (debit != 0) == (credit != 0):
            raise AmountError(f"第{number}行：借方和贷方必须且只能填一方，金额不能为零")
        checked.append(
            _CheckedLine(
                account_of(line.account), debit, credit, (line.memo or "")[:200], line.branch or None
            )
        )
    _check_branches(year, {line.branch for line in checked if line.branch})
    debit_total = sum((line.debit for line in checked), ZERO)
    credit_total = sum((line.credit for line in checked), ZERO)
    if debit_total != credit_total:
        raise UnbalancedVoucher(f"借贷不平衡：借方合计{debit_total}，贷方合计{credit_total}")
    within_limit(abs(debit_total), total_limit, what="一张凭证的借方合计")
    return checked


def _check_branches(year: AccountingYear, branches: set[int]) -> None:
    """A line's 分会 (辅助核算) is one of this union's 分工会 that keep no books of their own. One query the first
    time ``year`` (as read for this posting, or for this part of a bulk posting) meets a 分会, none after."""
    if not branches:
        return
    tracked = getattr(year, "_tracked_branches", None)
    if tracked is None:
        tracked = year._tracked_branches = frozenset(
            Union.objects.filter(parent_id=year.union_id, keeps_books=False).values_list("pk", flat=True)
        )
    if not branches <= tracked:
        raise LedgerError("辅助核算的分会须是本工会下不单独建账的分工会")


def _check_head(year: AccountingYear, date: datetime.date, summary: str, attachment_count: int) -> str:
    """The checked 摘要 of a voucher's head (date in the open year, 摘要, 附单据数)."""
    _check_open(year, date)
    summary = (summary or "").strip()
    if not summary:
        raise LedgerError("摘要不能为空")
    if len(summary) > 200:
        raise LedgerError("摘要不能超过200字")
    if not isinstance(attachment_count, int) or not 0 <= attachment_count <= 999:
        raise LedgerError("附单据数不正确")
    return summary


def _counterparty(name: str, kind: str) -> tuple[str, str]:
    """The checked payer/payee of a voucher and whether it is a 单位 or a 个人 ("" when not said)."""
    kind = kind or ""
    if kind and kind not in CounterpartyKind.values:
        raise LedgerError("对方类型只能是“单位”或“个人”")
    return (name or "").strip()[:100], kind


def _line_rows(voucher: Voucher, checked: Sequence[_CheckedLine]) -> list[VoucherLine]:
    return [
        VoucherLine(
            voucher=voucher,
            position=position,
            account=line.account,
            debit=money(line.debit),
            credit=money(line.credit),
            memo=line.memo,
            branch_id=line.branch,
        )
        for position, line in enumerate(checked, start=1)
    ]


def _write_lines(voucher: Voucher, checked: list[_CheckedLine]) -> None:
    VoucherLine.objects.bulk_create(_line_rows(voucher, checked))


def _line_changes(checked: list[_CheckedLine]) -> list[list[str]]:
    return [[line.account.code, f"{line.debit}", f"{line.credit}"] for line in checked]


@transaction.atomic
def create_voucher(
    *,
    year: AccountingYear,
    date: datetime.date,
    summary: str,
    lines: Sequence[Line],
    prepared_by: AbstractBaseUser,
    counterparty: str = "",
    counterparty_kind: str = "",
    attachment_count: int = 0,
    kind: str = Voucher.Kind.NORMAL,
    reverses: Voucher | None = None,
) -> Voucher:
    """制单: write a voucher 未审核 (draft) with its lines, after checking everything posting will check.
    One read (the year, not locked: a draft takes no number, and the accounts), the voucher, its lines, the
    audit row."""
    entry = Entry(
        date=date,
        summary=summary,
        lines=lines,
        counterparty=counterparty,
        counterparty_kind=counterparty_kind,
        attachment_count=attachment_count,
        kind=kind,
        reverses=reverses,
    )
    year, accounts = _locked_year(pk=year.pk, accounts=[line.account for line in lines], lock=False)
    return _write_entries(year, accounts, [entry], prepared_by, post=False)[0]


def _unposted(voucher: Voucher) -> Voucher:
    """The voucher locked, fresh from the database, if it is not posted yet and not the branch's side of a 补助下级
    (which follows the parent's side: ``_refuse_branch_side``)."""
    voucher = (
        Voucher.objects.select_for_update(of=("self",))
        .select_related("year__union", "allocation_out__branch_voucher", "allocation_in")
        .get(pk=voucher.pk)
    )
    if voucher.state == Voucher.State.POSTED:
        raise PostedVoucherImmutable(f"凭证{voucher.full_no}已记账，不能再改变；更正请红字冲销")
    _refuse_branch_side(voucher)
    return voucher


BRANCH_SIDE = "这张凭证是上级工会补助下级（下拨）的分工会一方，随上级工会的凭证审核、记账或删除，不能单独处理"


def _refuse_branch_side(voucher: Voucher) -> None:
    """The branch's side of a 补助下级 waiting for the parent's review is never handled on its own: 记账 of the
    parent's side posts it, deleting the parent's draft deletes it. ``voucher`` has ``allocation_in`` loaded."""
    if getattr(voucher, "allocation_in", None) is not None:
        raise LedgerError(BRANCH_SIDE)


def allocation_side(voucher: Voucher) -> str:
    """ "parent" or "branch" when ``voucher`` is a side of a 补助下级 (or of its 红字冲销), else "". Free when the
    voucher was read with ``allocation_out`` and ``allocation_in`` (``queries.voucher_in``)."""
    if getattr(voucher, "allocation_out", None) is not None:
        return "parent"
    if getattr(voucher, "allocation_in", None) is not None:
        return "branch"
    return ""


@transaction.atomic
def update_draft(
    *,
    voucher: Voucher,
    user: AbstractBaseUser,
    date: datetime.date,
    summary: str,
    lines: Sequence[Line],
    counterparty: str = "",
    counterparty_kind: str = "",
    attachment_count: int = 0,
) -> Voucher:
    """修改凭证: its preparer changes a 未审核 voucher (head and lines), checked as when it was made.

    Refused once reviewed (反审核 first) or posted, for anyone but the preparer, and for a 红字冲销 (delete it
    and reverse again). A 出纳签字 no longer holds for the changed voucher and is cleared.
    """
    voucher = _unposted(voucher)
    if voucher.state != Voucher.State.DRAFT:
        raise LedgerError(f"凭证已审核，不能修改；请先由审核人反审核（{voucher.summary}）")
    if voucher.prepared_by_id != user.pk:
        raise LedgerError("只有制单人可以修改自己填制的未审核凭证")
    if voucher.kind != Voucher.Kind.NORMAL:
        raise LedgerError(f"{voucher.get_kind_display()}凭证不能修改；可以删除后重新填制")
    if allocation_side(voucher):
        raise LedgerError("补助下级（下拨）凭证不能修改（两方须一致）；可以删除后重新下拨")
    year = lifecycle.writable_year(voucher.year_id)
    summary = _check_head(year, date, summary, attachment_count)
    counterparty, counterparty_kind = _counterparty(counterparty, counterparty_kind)
    checked = _check_lines(year, lines, voucher.kind)
    before = [
        [line.account.code, f"{line.debit.amount}", f"{line.credit.amount}"]
        for line in voucher.lines.select_related("account")
    ]
    voucher.lines.all().delete()
    _write_lines(voucher, checked)
    voucher.date, voucher.summary = date, summary
    voucher.counterparty, voucher.counterparty_kind = counterparty, counterparty_kind
    voucher.attachment_count = attachment_count
    voucher.cashier_signed_by = voucher.cashier_signed_at = None
    voucher.save(
        update_fields=[
            "date",
            "summary",
            "counterparty",
            "counterparty_kind",
            "attachment_count",
            "cashier_signed_by",
            "cashier_signed_at",
        ]
    )
    audit.record(
        AuditEvent.Action.VOUCHER_CHANGED,
        user=user,
        union=year.union,
        obj=voucher,
        summary=f"{date:%Y-%m-%d} {summary}",
        changes={"before": before, "lines": _line_changes(checked)},
    )
    return voucher


@transaction.atomic
def review_voucher(*, voucher: Voucher, user: AbstractBaseUser) -> Voucher:
    """审核: a 会计主管/审核 other than its preparer passes a 未审核 voucher; it may then be posted."""
    voucher = _unposted(voucher)
    union = voucher.year.union
    if not roles.can_review(user, union):
        raise LedgerError("只有会计主管/审核可以审核凭证")
    if voucher.state != Voucher.State.DRAFT:
        raise LedgerError("凭证已经审核过了")
    if voucher.prepared_by_id == user.pk:
        raise LedgerError("不能审核自己填制的凭证，须由他人审核")
    year = lifecycle.writable_year(voucher.year_id)
    _check_open(year, voucher.date)
    voucher.state = Voucher.State.REVIEWED
    voucher.reviewed_by = user
    voucher.reviewed_at = timezone.now()
    voucher.save(update_fields=["state", "reviewed_by", "reviewed_at"])
    audit.record(
        AuditEvent.Action.VOUCHER_REVIEWED,
        user=user,
        union=union,
        obj=voucher,
        summary=f"审核 {voucher.date:%Y-%m-%d} {voucher.summary}",
    )
    return voucher


@transaction.atomic
def unreview_voucher(*, voucher: Voucher, user: AbstractBaseUser) -> Voucher:
    """反审核: a reviewed voucher goes back to 未审核 before 记账, so that its preparer may change it."""
    voucher = _unposted(voucher)
    union = voucher.year.union
    if not roles.can_review(user, union):
        raise LedgerError("只有会计主管/审核可以反审核凭证")
    if voucher.state != Voucher.State.REVIEWED:
        raise LedgerError("只有已审核、尚未记账的凭证可以反审核")
    lifecycle.writable_year(voucher.year_id)
    reviewer = voucher.reviewed_by
    voucher.state = Voucher.State.DRAFT
    voucher.reviewed_by = voucher.reviewed_at = None
    voucher.save(update_fields=["state", "reviewed_by", "reviewed_at"])
    audit.record(
        AuditEvent.Action.VOUCHER_UNREVIEWED,
        user=user,
        union=union,
        obj=voucher,
        summary=f"反审核 {voucher.date:%Y-%m-%d} {voucher.summary}",
        changes={"reviewed_by": reviewer.get_username() if reviewer else ""},
    )
    return voucher


def touches_cash_or_bank(voucher: Voucher) -> bool:
    """Whether a line of the voucher is on 库存现金 or 银行存款 (or their 明细科目): 出纳签字 applies. One query."""
    chart = voucher.year.chart
    return any(
        code.startswith((chart.cash_code, chart.bank_code))
        for code in voucher.lines.values_list("account__code", flat=True)
    )


@transaction.atomic
def sign_voucher(*, voucher: Voucher, user: AbstractBaseUser) -> Voucher:
    """出纳签字: the cashier (出纳/会计) confirms the money of a cash or bank voucher moved, before 记账."""
    voucher = _unposted(voucher)
    union = voucher.year.union
    if not roles.can_record(user, union):
        raise LedgerError("只有出纳/会计可以出纳签字")
    if voucher.cashier_signed_by_id is not None:
        raise LedgerError("出纳已经签过字了")
    if not touches_cash_or_bank(voucher):
        raise LedgerError("这张凭证不涉及库存现金或银行存款，不需要出纳签字")
    lifecycle.writable_year(voucher.year_id)
    voucher.cashier_signed_by = user
    voucher.cashier_signed_at = timezone.now()
    voucher.save(update_fields=["cashier_signed_by", "cashier_signed_at"])
    audit.record(
        AuditEvent.Action.CASHIER_SIGNED,
        user=user,
        union=union,
        obj=voucher,
        summary=f"出纳签字 {voucher.date:%Y-%m-%d} {voucher.summary}",
    )
    return voucher


def _check_bound(year: AccountingYear, kinds: Sequence[str]) -> None:
    """Refuse an entered voucher past the year's bound. ``next_number`` (posted vouchers plus one, moved on by the
    posting trigger of migration 0018) comes fresh from the year's locked row, so the bound costs no query."""
    for offset, kind in enumerate(kinds):
        if kind == Voucher.Kind.NORMAL and year.next_number + offset > MAX_VOUCHERS_PER_YEAR:
            raise LedgerError(f"{year.year}年度的凭证已达{MAX_VOUCHERS_PER_YEAR}张的上限，不能再记账")


_POST_ONE = (
    "UPDATE ledger_voucher SET state = 'posted', posted_by_id = %s, posted_at = %s, month = %s, number = "
    "(SELECT COALESCE(MAX(v.number), 0) + 1 FROM ledger_voucher v WHERE v.year_id = %s AND v.month = %s) "
    "WHERE id = %s RETURNING number"
)


def _draw_number(year: AccountingYear, voucher: Voucher, user: AbstractBaseUser) -> None:
    """记账 of one voucher: it turns posted with the next 凭证号 of the union-year's month, drawn by the same
    UPDATE (one query, ``RETURNING`` the number). The database adds its lines to the per-day totals.

    Gapless: the caller holds the year row locked (SELECT ... FOR UPDATE) while it draws and posts, and a posted
    voucher is never deleted, so the highest number of the month plus one is free and the next one. The
    statement starts after the lock is granted, so on PostgreSQL it sees a posting that held the lock before.
    """
    now = timezone.now()
    month = voucher.date.month
    with connection.cursor() as cursor:
        cursor.execute(
            _POST_ONE,
            [
                user.pk,
                connection.ops.adapt_datetimefield_value(now),
                month,
                year.pk,
                month,
                voucher.pk,
            ],
        )
        (number,) = cursor.fetchone()
    voucher.state, voucher.posted_by, voucher.posted_at = Voucher.State.POSTED, user, now
    voucher.month, voucher.number = month, number


def _touches_money(year: AccountingYear, checked: Sequence[_CheckedLine]) -> bool:
    return any(line.account.code.startswith((year.chart.cash_code, year.chart.bank_code)) for line in checked)


def _posted_event(voucher: Voucher, user: AbstractBaseUser, union: Union) -> AuditEvent:
    return audit.event(
        AuditEvent.Action.VOUCHER_POSTED,
        user=user,
        union=union,
        obj=voucher,
        summary=f"{voucher.full_no} {voucher.summary}",
    )


@transaction.atomic
def post_voucher(*, voucher: Voucher, posted_by: AbstractBaseUser) -> Voucher:
    """记账: check a voucher again and give it the next gapless 凭证号 of its month.

    Where the union requires review, only a reviewed voucher is posted; where it requires 出纳签字, a cash or
    bank voucher is posted only once signed. The books' own vouchers (期初, 结转, their reversals) are posted
    by ``_record_and_post`` without those steps.
    """
    return _post(voucher, posted_by, steps=True)


def _post(voucher: Voucher, posted_by: AbstractBaseUser, *, steps: bool, paired: bool = False) -> Voucher:
    """记账 of a voucher already written: the year locked with its union and chart (one read), the voucher locked,
    its lines read with their accounts, the cash/bank check on the per-day totals (where money leaves), one
    UPDATE that posts it with its number, one audit row.

    The parent's side of a 补助下级 (or of its 红字冲销) posts the branch's side with it, in the branch's books and
    numbered there (``paired``: without the branch's own review or 出纳签字, the parent's review stands for the pair);
    the branch's side is never posted alone."""
    year, _ = _locked_year(pk=voucher.year_id)
    voucher = (
        Voucher.objects.select_for_update(of=("self",))
        .select_related("allocation_out__branch_voucher__year__union", "allocation_in")
        .get(pk=voucher.pk)
    )
    voucher.year = year
    if voucher.state == Voucher.State.POSTED:
        raise PostedVoucherImmutable(f"凭证{voucher.full_no}已记账，不能再改变；更正请红字冲销")
    if not paired:
        _refuse_branch_side(voucher)
    union = year.union
    if steps and union.review_required and voucher.state != Voucher.State.REVIEWED:
        raise LedgerError("本工会的凭证须经他人审核后才能记账，这张凭证尚未审核")
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
    if (
        steps
        and union.cashier_sign_required
        and voucher.cashier_signed_by_id is None
        and _touches_money(year, checked)
    ):
        raise LedgerError("本工会涉及库存现金、银行存款的凭证须出纳签字后才能记账")
    _check_bound(year, [voucher.kind])
    cash_bank.check_voucher(
        year=year,
        date=voucher.date,
        lines=[(line.account.code, line.debit, line.credit) for line in checked],
    )
    _draw_number(year, voucher, posted_by)
    audit.record_many([_posted_event(voucher, posted_by, union)])
    pair = getattr(voucher, "allocation_out", None)
    if pair is not None:
        branch = pair.branch_voucher
        try:
            _post(branch, posted_by, steps=False, paired=True)
        except LedgerError as error:
            raise type(error)(
                f"补助下级的分工会一方（{branch.year.union.name}）不能记账，两方都未记账：{error.message}"
            ) from None
    return voucher


@transaction.atomic
def delete_draft(*, voucher: Voucher, user: AbstractBaseUser) -> None:
    """Its preparer deletes a 未审核 voucher (a reviewed one is 反审核 first; a posted one is reversed)."""
    voucher = _unposted(voucher)
    if voucher.state != Voucher.State.DRAFT:
        raise LedgerError("凭证已审核，不能删除；请先由审核人反审核")
    if voucher.prepared_by_id != user.pk:
        raise LedgerError("只有制单人可以删除自己填制的未审核凭证")
    lifecycle.writable_year(voucher.year_id)
    if voucher.attachments.exists():
        raise LedgerError("这张凭证已上传扫描件（扫描件只能追加、不能删除），不能删除；请修改后送审")
    audit.record(
        AuditEvent.Action.DRAFT_DELETED,
        user=user,
        union=voucher.year.union,
        obj=voucher,
        summary=voucher.summary,
    )
    pair = getattr(voucher, "allocation_out", None)
    Submission.objects.filter(voucher=voucher).delete()
    if pair is not None:
        _delete_branch_side(pair, user)
    voucher.delete()


def _delete_branch_side(pair: Allocation, user: AbstractBaseUser) -> None:
    """Deleting the parent's draft of a 补助下级 (or of its 红字冲销) deletes the branch's side and the link: the pair
    is one act, never half there."""
    branch = (
        Voucher.objects.select_for_update(of=("self",))
        .select_related("year__union")
        .get(pk=pair.branch_voucher_id)
    )
    if branch.state == Voucher.State.POSTED:  # posted only with the parent's side, which is not
        raise PostedVoucherImmutable(f"分工会一方的凭证{branch.full_no}已记账，不能删除")
    lifecycle.writable_year(branch.year_id)
    if branch.attachments.exists():
        raise LedgerError(
            f"{branch.year.union.name}已为分工会一方的凭证上传扫描件（扫描件只能追加、不能删除），不能删除这笔补助下级"
        )
    audit.record(
        AuditEvent.Action.DRAFT_DELETED,
        user=user,
        union=branch.year.union,
        obj=branch,
        summary=branch.summary,
    )
    pair.delete()
    branch.delete()


@dataclass(frozen=True)
class Entry:
    """One voucher to record: what ``record_voucher`` takes, and a row of ``record_many``.

    ``category`` (line index, account type) asks that line's account to be of that type, as the 记收入 / 记支出
    forms do (``receipt_entry``, ``payment_entry``).
    """

    date: datetime.date
    summary: str
    lines: Sequence[Line]
    counterparty: str = ""
    counterparty_kind: str = ""  # CounterpartyKind: 单位 or 个人, "" when not said
    attachment_count: int = 0
    kind: str = Voucher.Kind.NORMAL
    reverses: Voucher | None = None
    category: tuple[int, str] | None = None


def _checked_parts(
    year: AccountingYear, accounts: Mapping[tuple[str, int | str], Account], entry: Entry
) -> tuple[tuple[str, str, str], list[_CheckedLine]]:
    """An entry's checked head (摘要, payer/payee and its kind) and lines: the checks of every voucher, one by one
    or in bulk."""
    summary = _check_head(year, entry.date, entry.summary, entry.attachment_count)
    head = (summary, *_counterparty(entry.counterparty, entry.counterparty_kind))
    checked = _check_lines(year, entry.lines, entry.kind, accounts)
    if entry.category is not None:
        index, type_ = entry.category
        category = checked[index].account
        if category.type != type_:
            raise UnknownAccount(f"“{category.name}”不是{AccountType(type_).label}科目")
    return head, checked


def _checked_entry(
    year: AccountingYear, accounts: Mapping[tuple[str, int | str], Account], entry: Entry
) -> tuple[Voucher, list[_CheckedLine]]:
    (summary, counterparty, counterparty_kind), checked = _checked_parts(year, accounts, entry)
    voucher = Voucher(
        year=year,
        date=entry.date,
        summary=summary,
        counterparty=counterparty,
        counterparty_kind=counterparty_kind,
        kind=entry.kind,
        reverses=entry.reverses,
        attachment_count=entry.attachment_count,
    )
    return voucher, checked


def _write_entries(
    year: AccountingYear,
    accounts: Mapping[tuple[str, int | str], Account],
    entries: Sequence[Entry],
    user: AbstractBaseUser,
    *,
    post: bool,
    steps: bool = False,
) -> list[Voucher]:
    """Check one entry and write it into ``year`` (read by ``_locked_year``, its row locked if ``post``): the
    voucher, its lines in one INSERT, its 制单 in the audit trail; with ``post`` also 记账 (its number, the database
    adds the per-day totals) and its row in the same INSERT. Many entries go through ``BulkPosting``.

    ``steps``: the union's 出纳签字 applies (a one-step entry; review is decided by the caller)."""
    (entry,) = entries
    voucher, checked = _checked_entry(year, accounts, entry)
    voucher.prepared_by = user
    if post:
        if steps and year.union.cashier_sign_required and _touches_money(year, checked):
            raise LedgerError("本工会涉及库存现金、银行存款的凭证须出纳签字后才能记账")
        _check_bound(year, [voucher.kind])
        cash_bank.check_voucher(
            year=year,
            date=voucher.date,
            lines=[(line.account.code, line.debit, line.credit) for line in checked],
        )
    voucher.save(force_insert=True)
    _write_lines(voucher, checked)
    events = [
        audit.event(
            AuditEvent.Action.VOUCHER_CREATED,
            user=user,
            union=year.union,
            obj=voucher,
            summary=f"{voucher.date:%Y-%m-%d} {voucher.summary}",
            changes={"lines": _line_changes(checked)},
        )
    ]
    if post:
        _draw_number(year, voucher, user)
        events.append(_posted_event(voucher, user, year.union))
    audit.record_many(events)
    return [voucher]


def _describe(entry: Entry) -> str:
    date = f"{entry.date:%Y-%m-%d}" if isinstance(entry.date, datetime.date) else str(entry.date)
    return f"{date} {(entry.summary or '').strip()[:20]}"


def _record(entry: Entry, user: AbstractBaseUser, **where) -> Voucher:
    """记凭证 as the treasurer enters it: 制单, and 记账 at once where the union does not require review (the
    one-step feel of a one-person union; such a voucher says 未经他人审核). Otherwise it waits 未审核.

    One read (the year locked, its union, chart and the accounts), then the voucher, its lines, the posting and
    the audit rows: a constant number of queries however full the year is."""
    year, accounts = _locked_year(**where, accounts=[line.account for line in entry.lines])
    post = not year.union.review_required
    return _write_entries(year, accounts, [entry], user, post=post, steps=True)[0]


@transaction.atomic
def record_voucher(*, year: AccountingYear, posted_by: AbstractBaseUser, **fields) -> Voucher:
    """记凭证 (see ``_record``): 制单, and 记账 at once where the union does not require review."""
    return _record(Entry(**fields), posted_by, pk=year.pk)


def _record_and_post(*, year: AccountingYear, posted_by: AbstractBaseUser, **fields) -> Voucher:
    """The books' own vouchers (期初余额, 期末结转, their reversals): prepared and posted in one step."""
    entry = Entry(**fields)
    locked, accounts = _locked_year(pk=year.pk, accounts=[line.account for line in entry.lines])
    return _write_entries(locked, accounts, [entry], posted_by, post=True)[0]


def record_many(
    *,
    year: AccountingYear,
    entries: Sequence[Entry],
    user: AbstractBaseUser,
    label: Callable[[int], str] | None = None,
) -> list[Voucher]:
    """Post many vouchers into ``year`` in one transaction (``load_demo``, the benchmarks, tests), in the given
    order, directly: history needs no review step, and like any voucher posted by its preparer they say
    未经他人审核. One ``BulkPosting`` of one part: see there for the checks, the statements and the messages
    (``label`` of a position from 0 names a voucher in them; by default 第N张凭证)."""
    if not entries:
        return []
    with bulk_posting(year=year, user=user) as bulk:
        return bulk.post(entries, label=label)


# --- bulk posting ----------------------------------------------------------------------------------------------
# Posting a batch costs a fixed number of statements a part, whatever its size (up to the database's limit on
# parameters a statement): the year's read, the month's last numbers, one INSERT of the vouchers, one of the lines,
# one UPDATE that posts them with their numbers (the database's triggers then check and total them as for one
# voucher), one INSERT of the audit rows; and once for the whole batch the cash/bank check. Written as SQL: built by
# the ORM, its compiling cost five times the database's work (``benchmarks/README.md``, "Importing Excel books").


_VOUCHER_COLUMNS = (
    "year_id",
    "date",
    "summary",
    "counterparty",
    "counterparty_kind",
    "state",
    "kind",
    "reverses_id",
    "attachment_count",
    "prepared_by_id",
    "created_at",
)
_ALL_VOUCHER_COLUMNS = [field.attname for field in Voucher._meta.concrete_fields]
_LINE_COLUMNS = (
    "voucher_id",
    "position",
    "account_id",
    "debit",
    "debit_currency",
    "credit",
    "credit_currency",
    "memo",
    "branch_id",
)


class BulkPosting:
    """Many vouchers posted into one year in one transaction, part by part (``post``); made by ``bulk_posting``.

    The checks of posting one by one, in bulk: each voucher balanced and its lines well formed (``_check_lines``), the
    year open and writable and read afresh with its row locked for every part, every date inside it, every account
    the year's chart's (or the union's 明细科目) and active, the category of a receipt or payment, the bound on
    vouchers a year; 库存现金 and 银行存款 never below zero on any day, checked once for the whole batch when it ends
    (``cash_bank.check_posted``), by the joint effect of its vouchers. Numbers are gapless per month, in the order
    posted, after the numbers already drawn. The audit trail reads as for vouchers entered one by one (制单 and 记账
    of each). Any error raises out of the transaction: nothing of the batch stays written, and the message names
    the voucher (``label`` of its position in the part, else 第N张凭证 counted over the batch).

    What it keeps between parts is the cash/bank outflows by day (at most 366 names an account), so a batch of any
    size streams through in bounded memory; the database's triggers (balanced vouchers, per-day totals, posted
    lines unchangeable) fire for every voucher as they do for one."""

    def __init__(self, *, year: AccountingYear, user: AbstractBaseUser):
        self.year_pk = year.pk
        self.user = user
        self.count = 0
        self.year: AccountingYear | None = None
        self.outflows = cash_bank.Outflows()

    def post(self, entries: Sequence[Entry], *, label: Callable[[int], str] | None = None) -> list[Voucher]:
        """Check and post ``entries`` (in this order, after the parts before): a fixed number of statements."""
        entries = list(entries)
        if not entries:
            return []
        first = self.count

        def name(position: int, money: bool = False) -> str:
            if label:
                return label(position)
            entry = entries[position]
            if money:
                return f"第{first + position + 1}张凭证（{entry.date:%Y-%m-%d}）"
            return f"第{first + position + 1}张凭证（{_describe(entry)}）"

        year, accounts = _locked_year(
            pk=self.year_pk, accounts=[line.account for entry in entries for line in entry.lines]
        )
        self.year = year
        parts = []
        for position, entry in enumerate(entries):
            try:
                parts.append(_checked_parts(year, accounts, entry))
            except LedgerError as error:
                raise type(error)(f"{name(position)}：{error.message}") from None
        _check_bound(year, [entry.kind for entry in entries])
        for position, (entry, (_, checked)) in enumerate(zip(entries, parts, strict=True)):
            lines = [(line.account.code, line.debit, line.credit) for line in checked]
            self.outflows.add(year, entry.date, lines, lambda position=position: name(position, money=True))
        self.count += len(entries)
        return _write_posted(year, entries, parts, self.user)

    def finish(self) -> None:
        """The cash/bank check of the whole batch, once it is written (one query; none if no money left)."""
        if self.year is not None:
            cash_bank.check_posted(year=self.year, outflows=self.outflows)


@contextmanager
def bulk_posting(*, year: AccountingYear, user: AbstractBaseUser) -> Iterator[BulkPosting]:
    """A ``BulkPosting`` inside one transaction (a savepoint in the caller's), checked for cash and bank at the end."""
    with transaction.atomic():
        bulk = BulkPosting(year=year, user=user)
        yield bulk
        bulk.finish()


def _write_posted(
    year: AccountingYear,
    entries: Sequence[Entry],
    parts: Sequence[tuple[str, list[_CheckedLine]]],
    user: AbstractBaseUser,
) -> list[Voucher]:
    """Write checked entries as posted vouchers: INSERT the vouchers (unposted: the guards of migration 0003 take a
    voucher's lines only before it is posted), INSERT their lines, draw the numbers (one grouped read of each month's
    last number, under the year's lock), one UPDATE that posts them all (``UPDATE … FROM (VALUES …)``: SQLite 3.33
    or later), one INSERT of their 制单 and 记账 audit rows. The triggers then check and total every voucher."""
    now = timezone.now()
    at = connection.ops.adapt_datetimefield_value(now)
    heads = [
        (
            year.pk,
            connection.ops.adapt_datefield_value(entry.date),
            *head,
            Voucher.State.DRAFT.value,
            str(entry.kind),
            entry.reverses.pk if entry.reverses is not None else None,
            entry.attachment_count,
            user.pk,
            at,
        )
        for entry, (head, _) in zip(entries, parts, strict=True)
    ]
    ids = sql.insert("ledger_voucher", _VOUCHER_COLUMNS, heads, returning=True)
    sql.insert(
        "ledger_voucherline",
        _LINE_COLUMNS,
        [
            (
                pk,
                position,
                line.account.pk,
                line.debit,
                CURRENCY,
                line.credit,
                CURRENCY,
                line.memo,
                line.branch,
            )
            for pk, (_, checked) in zip(ids, parts, strict=True)
            for position, line in enumerate(checked, start=1)
        ],
    )
    months = sorted({entry.date.month for entry in entries})
    last = dict(
        Voucher.objects.filter(year_id=year.pk, month__in=months)
        .values("month")
        .annotate(last=Max("number"))
        .values_list("month", "last")
    )
    numbers = []
    for entry in entries:
        last[entry.date.month] = (last.get(entry.date.month) or 0) + 1
        numbers.append(last[entry.date.month])
    per = sql.max_params() // 3 - 1
    with connection.cursor() as cursor:
        for first in range(0, len(ids), per):
            rows = list(zip(ids, (e.date.month for e in entries), numbers, strict=True))[first : first + per]
            cursor.execute(
                "UPDATE ledger_voucher SET state = %s, posted_by_id = %s, posted_at = %s, month = v.column2, "
                "number = v.column3 FROM (VALUES "
                + ", ".join(["(%s, %s, %s)"] * len(rows))
                + ") AS v WHERE ledger_voucher.id = v.column1",
                [Voucher.State.POSTED.value, user.pk, at] + [value for row in rows for value in row],
            )
    vouchers = []
    posted = {
        "state": Voucher.State.POSTED.value,
        "posted_by_id": user.pk,
        "posted_at": now,
        "created_at": now,
    }
    for pk, entry, head, number in zip(ids, entries, heads, numbers, strict=True):
        values = dict(zip(_VOUCHER_COLUMNS, head, strict=True))
        values.update(posted, id=pk, date=entry.date, month=entry.date.month, number=number)
        # from_db's positional path: a model object costs less built this way than by keyword
        voucher = Voucher.from_db(
            connection.alias, _ALL_VOUCHER_COLUMNS, [values.get(c) for c in _ALL_VOUCHER_COLUMNS]
        )
        voucher.year = year
        vouchers.append(voucher)
    audit.record_rows(
        user=user,
        union=year.union,
        rows=[
            (
                AuditEvent.Action.VOUCHER_CREATED,
                voucher,
                f"{voucher.date:%Y-%m-%d} {voucher.summary}",
                {"lines": _line_changes(checked)},
            )
            for voucher, (_, checked) in zip(vouchers, parts, strict=True)
        ]
        + [
            (AuditEvent.Action.VOUCHER_POSTED, voucher, f"{voucher.full_no} {voucher.summary}", None)
            for voucher in vouchers
        ],
    )
    return vouchers


def receipt_entry(
    *,
    date: datetime.date,
    account: Account | int | str,
    amount: object,
    into: str,
    summary: str,
    payer: str = "",
    payer_kind: str = "",
    attachment_count: int = 0,
    branch: int | None = None,
) -> Entry:
    """A 收入 as an ``Entry``: Dr 库存现金/银行存款, Cr the income account (or its 明细科目), that line marked with the
    ``branch`` (辅助核算) it is for, if any."""
    value = positive_amount(amount)
    return Entry(
        date=date,
        summary=summary,
        counterparty=payer,
        counterparty_kind=payer_kind,
        attachment_count=attachment_count,
        lines=[Line(Via(into), debit=value), Line(account, credit=value, branch=branch)],
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
    payee_kind: str = "",
    attachment_count: int = 0,
    branch: int | None = None,
) -> Entry:
    """A 支出 as an ``Entry``: Dr the expense account (or its 明细科目), that line marked with the ``branch``
    (辅助核算) it is for, if any; Cr 库存现金/银行存款."""
    value = positive_amount(amount)
    return Entry(
        date=date,
        summary=summary,
        counterparty=payee,
        counterparty_kind=payee_kind,
        attachment_count=attachment_count,
        lines=[Line(account, debit=value, branch=branch), Line(Via(via), credit=value)],
        category=(0, AccountType.EXPENSE),
    )


def _record_entry(*, union: Union, entry: Entry, user: AbstractBaseUser) -> Voucher:
    """The union's year of the entry's date, read with the accounts it names, and the entry recorded there."""
    if not isinstance(entry.date, datetime.date):
        raise DateOutsideYear("日期不正确")
    return _record(entry, user, union=union, year=entry.date.year)


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
    payer_kind: str = "",
    attachment_count: int = 0,
    branch: int | None = None,
) -> Voucher:
    """A 收入: Dr 库存现金/银行存款, Cr the income account (or its 明细科目). Entered as ``record_voucher``."""
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
            payer_kind=payer_kind,
            attachment_count=attachment_count,
            branch=branch,
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
    payee_kind: str = "",
    attachment_count: int = 0,
    branch: int | None = None,
) -> Voucher:
    """A 支出: Dr the expense account (or its 明细科目), Cr 库存现金/银行存款. Entered as ``record_voucher``.

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
            payee_kind=payee_kind,
            attachment_count=attachment_count,
            branch=branch,
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
    *,
    year: AccountingYear,
    balances: Mapping[Account | int | str, object],
    user: AbstractBaseUser,
    memos: Mapping[Account, str] | None = None,
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
        memo = (memos or {}).get(key, "") if isinstance(key, Account) else ""
        lines.append(
            Line(
                account,
                debit=amount if normal_debit else ZERO,
                credit=ZERO if normal_debit else amount,
                memo=memo,
            )
        )
    voucher = _record_and_post(
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
    """红字冲销: a new voucher repeating every line of the original on the same side with the amount negated
    (红字), linked both ways; the original is never touched, and the 发生额 of each account net out.

    It is entered like any voucher: posted at once where the union does not require review, otherwise it waits
    未审核 (deleting it frees the original for another reversal). By default it is dated today if today is in
    the original's year, otherwise on the original's date.

    The parent's side of a 补助下级 reverses both (``_reverse_allocation``); the branch's side is reversed only
    with it: the 分工会's users do not write into the parent's books.
    """
    original = Voucher.objects.select_related(
        "year__union",
        "allocation_out__parent_voucher__year__union",
        "allocation_out__branch_voucher__year__union",
        "allocation_in__parent_voucher__year__union",
    ).get(pk=voucher.pk)
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError("请填写冲销原因")
    if original.state != Voucher.State.POSTED:
        raise LedgerError("只有已记账的凭证才能冲销；未记账的凭证可以修改或删除")
    if original.kind != Voucher.Kind.NORMAL:
        raise LedgerError(f"{original.get_kind_display()}凭证不能冲销")
    if Voucher.objects.filter(reverses=original).exists():
        raise LedgerError(f"凭证{original.full_no}已经冲销过")
    if date is None:
        today = timezone.localdate()
        date = today if today.year == original.year.year else original.date
    if (
        getattr(original, "allocation_in", None) is not None
        and not Voucher.objects.filter(reverses_id=original.allocation_in.parent_voucher_id).exists()
    ):
        parent = original.allocation_in.parent_voucher
        raise LedgerError(
            f"这张凭证是{parent.year.union.name}补助下级（下拨）的分工会一方，由上级工会在其凭证"
            f"{parent.full_no}上红字冲销，两方一同冲销；分工会不能单独冲销"
        )
    pair = getattr(original, "allocation_out", None)
    # A pair one side of which was reversed alone (before both were reversed together) completes one by one.
    if (
        pair is not None
        and not Voucher.objects.filter(
            reverses_id__in=[pair.parent_voucher_id, pair.branch_voucher_id]
        ).exists()
    ):
        return _reverse_allocation(pair, user=user, reason=reason, date=date)
    year = get_year(union=original.year.union, year=date.year)
    reversal = _mirror(
        original,
        year=year,
        date=date,
        user=user,
        summary=f"冲销{original.full_no}号凭证：{reason}",
        post=not year.union.review_required,
    )
    _record_reversal(original, reversal, user=user, union=year.union, reason=reason)
    return reversal


def _record_reversal(
    original: Voucher,
    reversal: Voucher,
    *,
    user: AbstractBaseUser,
    union: Union,
    reason: str,
    pair: bool = False,
) -> None:
    """The 冲销 in the original's trail: by which red voucher, or that it waits for review (``pair``: both sides of
    a 补助下级 reversed together, the branch's waiting for the parent's review)."""
    both, waits = ("（补助下级两方一同冲销）", "待上级工会审核后记账") if pair else ("", "待审核后记账")
    audit.record(
        AuditEvent.Action.VOUCHER_REVERSED,
        user=user,
        union=union,
        obj=original,
        summary=(
            f"{original.full_no}由{reversal.full_no}红字冲销{both}：{reason}"
            if reversal.is_posted
            else f"{original.full_no}的红字冲销凭证已填制{both}，{waits}：{reason}"
        ),
        changes={"reversal_id": reversal.pk, "reason": reason},
    )


def _reverse_allocation(
    pair: Allocation, *, user: AbstractBaseUser, reason: str, date: datetime.date
) -> Voucher:
    """红字冲销 of a 补助下级: both sides at once, each in its own books on the same date, the two red vouchers linked
    to their originals (``reverses``) and to each other by an ``Allocation`` of their own (so the pair keeps
    eliminating to nothing in a consolidation). Posted at once unless the parent requires review; then both wait
    未审核 and 记账 of the parent's red voucher posts the branch's (``_post``), deleting it deletes both.

    Refused, changing nothing, when either side's year is closed. Returns the parent's red voucher (the branch's
    side is reversed only with it: ``reverse_voucher``)."""
    sides = (pair.parent_voucher, pair.branch_voucher)
    years = [get_year(union=voucher.year.union, year=date.year) for voucher in sides]
    for year in years:
        if year.is_closed:
            raise ClosedYear(
                f"{year.union.name}{year.year}年度已结账：补助下级（下拨）的两方须一同冲销，"
                f"不能只冲销{'上级工会' if year.union_id == sides[1].year.union_id else '分工会'}一方，未做任何更改"
            )
    post = not years[0].union.review_required
    reversals = [
        _mirror(
            voucher,
            year=year,
            date=date,
            user=user,
            summary=f"冲销{voucher.full_no}号凭证：{reason}",
            post=post,
        )
        for voucher, year in zip(sides, years, strict=True)
    ]
    Allocation.objects.create(
        parent_voucher=reversals[0], branch_voucher=reversals[1], amount_fen=pair.amount_fen, created_by=user
    )
    for voucher, reversal, year in zip(sides, reversals, years, strict=True):
        _record_reversal(voucher, reversal, user=user, union=year.union, reason=reason, pair=True)
    return reversals[0]


def _mirror(
    original: Voucher, *, year: AccountingYear, date: datetime.date, user, summary: str, post: bool = True
) -> Voucher:
    """The 红字 mirror of ``original``: every line on the same side with the amount negated, pointing back at
    it. Posted at once (``post``) or left 未审核."""
    lines = [
        Line(
            line.account_id,
            debit=-line.debit.amount if line.debit.amount else ZERO,
            credit=-line.credit.amount if line.credit.amount else ZERO,
            memo=line.memo,
            branch=line.branch_id,
        )
        for line in original.lines.all()
    ]
    fields = {
        "year": year,
        "date": date,
        "summary": summary[:200],
        "kind": Voucher.Kind.REVERSAL,
        "reverses": original,
        "lines": lines,
    }
    if post:
        return _record_and_post(posted_by=user, **fields)
    return create_voucher(prepared_by=user, **fields)


def next_steps(
    voucher: Voucher, user: AbstractBaseUser, *, may_record: bool, may_review: bool
) -> frozenset[str]:
    """What ``user`` may do next with ``voucher`` (the page's buttons; each service checks again): "edit" and
    "delete" (its preparer, while 未审核), "review" (a reviewer other than the preparer), "unreview", "sign"
    (出纳签字, where the union requires it), "post" and "reverse". ``may_record`` / ``may_review``: the user's
    roles in an open year. At most one query (whether the voucher touches cash or bank, for 出纳签字)."""
    if voucher.year.is_closed:
        return frozenset()
    side = allocation_side(voucher)
    if (
        side == "branch"
    ):  # it follows the parent's side: posted and reversed with it (``_refuse_branch_side``)
        return frozenset()
    union = voucher.year.union
    steps = set()
    if voucher.state == Voucher.State.POSTED:
        if may_record and may_reverse(voucher):
            steps.add("reverse")
        return frozenset(steps)
    if voucher.state == Voucher.State.DRAFT:
        if may_record and voucher.prepared_by_id == user.pk:
            steps |= {"edit", "delete"} if voucher.kind == Voucher.Kind.NORMAL and not side else {"delete"}
        if may_review and voucher.prepared_by_id != user.pk:
            steps.add("review")
    else:
        if may_review:
            steps.add("unreview")
    signed_or_free = True
    if union.cashier_sign_required and voucher.cashier_signed_by_id is None:
        signed_or_free = not touches_cash_or_bank(voucher)
        if not signed_or_free and may_record:
            steps.add("sign")
    reviewed = voucher.state == Voucher.State.REVIEWED or not union.review_required
    if signed_or_free and reviewed and (may_record or may_review):
        steps.add("post")
    return frozenset(steps)


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

    Refused while an earlier year is open (``lifecycle.check_close``) or a 结账 check fails (among them: no
    voucher of the year may wait 未审核 or 已审核 unposted).
    The next year may already be open, with an opening entered by hand and vouchers of its own: the opening
    is then brought into line with this year's closing balances (``_carry_forward``). Returns the next year.
    """
    year = (
        AccountingYear.objects.select_for_update(of=("self",))
        .select_related("chart", "union")
        .get(pk=year.pk)
    )
    lifecycle.check_close(year)
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
        _record_and_post(
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
    memos: dict[Account, str] = {}
    if following.chart_id != year.chart_id:
        closing, memos = _into_new_chart(year, following, closing, user=user)
    _carry_forward(following, closing, user=user, memos=memos)
    return following


def _into_new_chart(
    year: AccountingYear, following: AccountingYear, closing: Mapping[Account, Decimal], *, user
) -> tuple[dict[Account, Decimal], dict[Account, str]]:
    """新旧制度衔接: the closing balances by the next year's accounts, and each new account's memo.

    Refused, naming the account, when a balance has no new account (``ledger.transition``); a union's own
    明细科目 is made under its parent's new account where the next chart has none of its name.
    """
    moved = transition.plan(
        union_id=year.union_id, old_chart=year.chart, new_chart=following.chart, closing=closing
    )
    if moved.unmapped:
        raise LedgerError(moved.refusal())
    made: dict[tuple[int, str], Account] = {}
    balances: dict[Account, Decimal] = {}
    memos: dict[Account, list[str]] = {}
    for move in moved.moves:
        account = move.new
        if account is None:
            key = (move.create_under.pk, move.new_name)
            if key not in made:
                made[key] = add_sub_account(
                    union=year.union, parent=move.create_under, name=move.new_name, user=user
                )
            account = made[key]
        balances[account] = balances.get(account, ZERO) + move.amount
        memos.setdefault(account, []).append(move.memo)
    joined = {account: "；".join(texts) for account, texts in memos.items()}
    return (
        {account: amount for account, amount in balances.items() if amount},
        {account: text if len(text) <= 200 else text[:199] + "…" for account, text in joined.items()},
    )


def _carry_forward(
    following: AccountingYear,
    closing: Mapping[Account, Decimal],
    *,
    user,
    memos: Mapping[Account, str] | None = None,
) -> None:
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
            memos=memos,
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


@transaction.atomic
def save_voucher_template(*, voucher: Voucher, name: str, user: AbstractBaseUser) -> VoucherTemplate:
    """常用凭证: keep a voucher's 摘要 and lines under ``name`` to start 记凭证 from (a name again replaces it)."""
    name = (name or "").strip()
    if not name or len(name) > 40:
        raise LedgerError("常用凭证的名称不能为空，最多40字")
    unprintable = unprintable_characters(name)
    if unprintable:
        raise LedgerError(f"名称中有印不出的字符：{'、'.join(unprintable)}")
    lines = [
        [line.account.code, f"{line.debit.amount:.2f}", f"{line.credit.amount:.2f}", line.memo]
        for line in voucher.lines.select_related("account").order_by("position")
    ]
    template, _ = VoucherTemplate.objects.update_or_create(
        union=voucher.year.union,
        name=name,
        defaults={"summary": voucher.summary, "lines": lines, "created_by": user},
    )
    return template


# --- 补助下级 (下拨) to a 分工会 with books of its own -----------------------------------------------------------


def _chart_account(year: AccountingYear, name: str) -> Account:
    found = Account.objects.filter(
        chart_id=year.chart_id, union__isnull=True, parent__isnull=True, name=name, is_active=True
    ).first()
    if found is None:
        raise UnknownAccount(f"{year.union.name}{year.year}年度的会计制度中没有“{name}”科目")
    return found


@transaction.atomic
def allocate_to_branch(
    *,
    year: AccountingYear,
    branch: Union,
    date: datetime.date,
    amount: object,
    summary: str,
    user: AbstractBaseUser,
    via: str = "bank",
    into: str = "bank",
    history: bool = False,
) -> Allocation:
    """补助下级 / 下拨: Dr 补助下级支出, Cr 库存现金/银行存款 in the union's ``year``; Dr 银行存款/库存现金, Cr 上级补助收入
    in the branch's year of the same date, both posted in this one transaction and linked by an ``Allocation``
    (consolidated figures eliminate the pair). The branch keeps books of its own and is this union's; both
    years are open. The pair is one act of the parent's treasurer, never half-done:

    - where the union does not require review (or for loaded ``history``), both vouchers are posted at once (like
      any one-step posting, they say 未经他人审核);
    - where it does, both are written 未审核, linked: the parent's voucher goes 审核 → 记账 as any voucher, and its
      记账 posts the branch's side in the same transaction, numbered in the branch's books. The branch's side is
      never reviewed, posted, changed or deleted on its own; deleting the parent's draft deletes it (反审核 leaves
      it waiting as it was). Neither counts anywhere until posted."""
    if branch.parent_id != year.union_id:
        raise LedgerError(f"“{branch.name}”不是{year.union.name}的分工会")
    if not branch.keeps_books:
        raise LedgerError(f"“{branch.name}”不单独建账：请在本工会的凭证上按分会辅助核算")
    if not isinstance(date, datetime.date):
        raise DateOutsideYear("日期不正确")
    value = positive_amount(amount)
    summary = (summary or "").strip() or f"补助下级：{branch.name}"
    own_year = AccountingYear.objects.select_related("union", "chart").get(pk=year.pk)
    if date.year != own_year.year:
        raise DateOutsideYear(f"日期{date:%Y-%m-%d}不在{own_year.year}年度内")
    branch_year = (
        AccountingYear.objects.select_related("union", "chart").filter(union=branch, year=date.year).first()
    )
    if branch_year is None:
        raise LedgerError(f"{branch.name}尚未建立{date.year}年度的账套，请先在分工会的首页建立")
    expense = _chart_account(own_year, ALLOCATION_EXPENSE)
    income = _chart_account(branch_year, ALLOCATION_INCOME)
    out = Entry(
        date=date,
        summary=summary,
        counterparty=branch.name,
        lines=[Line(expense, debit=value), Line(Via(via), credit=value)],
    )
    received = Entry(
        date=date,
        summary=summary,
        counterparty=own_year.union.name,
        lines=[Line(Via(into), debit=value), Line(income, credit=value)],
    )
    post = history or not own_year.union.review_required
    vouchers = []
    for target, entry in ((own_year, out), (branch_year, received)):
        locked, accounts = _locked_year(
            pk=target.pk, accounts=[line.account for line in entry.lines], lock=post
        )
        vouchers.append(_write_entries(locked, accounts, [entry], user, post=post)[0])
    return Allocation.objects.create(
        parent_voucher=vouchers[0],
        branch_voucher=vouchers[1],
        amount_fen=int(value * 100),
        created_by=user,
    )
