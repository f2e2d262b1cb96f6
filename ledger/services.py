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
- amounts are exact ``Decimal`` 元 with two places; floats and a third decimal are refused, not rounded.

Every function either does all it says or raises a ``LedgerError`` with a Chinese message and writes nothing.
"""

import datetime
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit import trail as audit
from ledger import cash_bank, lifecycle, queries, roles, transition
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
    AuditEvent,
    Chart,
    Submission,
    Union,
    Voucher,
    VoucherLine,
    VoucherTemplate,
)
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

    account: Account | int | str
    debit: object = ZERO
    credit: object = ZERO
    memo: str = ""


@dataclass(frozen=True)
class _CheckedLine:
    account: Account
    debit: Decimal
    credit: Decimal
    memo: str = field(default="")


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
def create_union(*, name: str, slug: str, parent: Union | None = None, province: str = "") -> Union:
    """A new 工会组织 (for an administrator setting up many, ``manage.py create_union``)."""
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
    return Union.objects.create(name=name, slug=slug, parent=parent, province=province)


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
    year: AccountingYear, lines: Sequence[Line], kind: str = Voucher.Kind.NORMAL
) -> list[_CheckedLine]:
    """Each line on exactly one side, debits equal credits, within the bounds (of the absolute amount).

    Amounts are positive, except on a 红字冲销 voucher, whose every amount is negative (the same side as the
    line it cancels; the database checks it mirrors that line).
    """
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
            _CheckedLine(resolve_account(year, line.account), debit, credit, (line.memo or "")[:200])
        )
    debit_total = sum((line.debit for line in checked), ZERO)
    credit_total = sum((line.credit for line in checked), ZERO)
    if debit_total != credit_total:
        raise UnbalancedVoucher(f"借贷不平衡：借方合计{debit_total}，贷方合计{credit_total}")
    within_limit(abs(debit_total), total_limit, what="一张凭证的借方合计")
    return checked


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


def _write_lines(voucher: Voucher, checked: list[_CheckedLine]) -> None:
    VoucherLine.objects.bulk_create(
        VoucherLine(
            voucher=voucher,
            position=position,
            account=line.account,
            debit=money(line.debit),
            credit=money(line.credit),
            memo=line.memo,
        )
        for position, line in enumerate(checked, start=1)
    )


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
    attachment_count: int = 0,
    kind: str = Voucher.Kind.NORMAL,
    reverses: Voucher | None = None,
) -> Voucher:
    """制单: write a voucher 未审核 (draft) with its lines, after checking everything posting will check."""
    year = lifecycle.writable_year(year.pk)  # the current state, not a stale copy
    summary = _check_head(year, date, summary, attachment_count)
    checked = _check_lines(year, lines, kind)
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
    _write_lines(voucher, checked)
    audit.record(
        AuditEvent.Action.VOUCHER_CREATED,
        user=prepared_by,
        union=year.union,
        obj=voucher,
        summary=f"{date:%Y-%m-%d} {summary}",
        changes={"lines": _line_changes(checked)},
    )
    return voucher


def _unposted(voucher: Voucher) -> Voucher:
    """The voucher locked, fresh from the database, if it is not posted yet."""
    voucher = Voucher.objects.select_for_update(of=("self",)).select_related("year__union").get(pk=voucher.pk)
    if voucher.state == Voucher.State.POSTED:
        raise PostedVoucherImmutable(f"凭证{voucher.full_no}已记账，不能再改变；更正请红字冲销")
    return voucher


@transaction.atomic
def update_draft(
    *,
    voucher: Voucher,
    user: AbstractBaseUser,
    date: datetime.date,
    summary: str,
    lines: Sequence[Line],
    counterparty: str = "",
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
    year = lifecycle.writable_year(voucher.year_id)
    summary = _check_head(year, date, summary, attachment_count)
    checked = _check_lines(year, lines, voucher.kind)
    before = [
        [line.account.code, f"{line.debit.amount}", f"{line.credit.amount}"]
        for line in voucher.lines.select_related("account")
    ]
    voucher.lines.all().delete()
    _write_lines(voucher, checked)
    voucher.date, voucher.summary = date, summary
    voucher.counterparty = (counterparty or "").strip()[:100]
    voucher.attachment_count = attachment_count
    voucher.cashier_signed_by = voucher.cashier_signed_at = None
    voucher.save(
        update_fields=[
            "date",
            "summary",
            "counterparty",
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


def _draw_number(year: AccountingYear, month: int) -> int:
    """The next 凭证号 of the union-year's ``month``. One query.

    Gapless: the caller holds the year row locked (SELECT ... FOR UPDATE) while it draws and posts, and a posted
    voucher is never deleted, so the highest number of the month plus one is free and the next one.
    """
    last = Voucher.objects.filter(year=year, month=month).aggregate(last=Max("number"))["last"]
    return (last or 0) + 1


@transaction.atomic
def post_voucher(*, voucher: Voucher, posted_by: AbstractBaseUser) -> Voucher:
    """记账: check a voucher again and give it the next gapless 凭证号 of its month.

    Where the union requires review, only a reviewed voucher is posted; where it requires 出纳签字, a cash or
    bank voucher is posted only once signed. The books' own vouchers (期初, 结转, their reversals) are posted
    by ``_record_and_post`` without those steps.
    """
    return _post(voucher, posted_by, steps=True)


def _post(voucher: Voucher, posted_by: AbstractBaseUser, *, steps: bool) -> Voucher:
    year = lifecycle.writable_year(voucher.year_id, lock=True)
    voucher = _unposted(voucher)
    union = year.union
    if steps and union.review_required and voucher.state != Voucher.State.REVIEWED:
        raise LedgerError("本工会的凭证须经他人审核后才能记账，这张凭证尚未审核")
    _check_open(year, voucher.date)
    checked = _check_lines(
        year,
        [Line(line.account_id, line.debit.amount, line.credit.amount) for line in voucher.lines.all()],
        voucher.kind,
    )
    if (
        steps
        and union.cashier_sign_required
        and voucher.cashier_signed_by_id is None
        and any(
            line.account.code.startswith((year.chart.cash_code, year.chart.bank_code)) for line in checked
        )
    ):
        raise LedgerError("本工会涉及库存现金、银行存款的凭证须出纳签字后才能记账")
    if voucher.kind == Voucher.Kind.NORMAL and year.next_number > MAX_VOUCHERS_PER_YEAR:
        raise LedgerError(f"{year.year}年度的凭证已达{MAX_VOUCHERS_PER_YEAR}张的上限，不能再记账")
    cash_bank.check_voucher(
        year=year,
        date=voucher.date,
        lines=[(line.account.code, line.debit, line.credit) for line in checked],
    )
    voucher.month = voucher.date.month
    voucher.number = _draw_number(year, voucher.month)
    voucher.state = Voucher.State.POSTED
    voucher.posted_by = posted_by
    voucher.posted_at = timezone.now()
    voucher.save(update_fields=["month", "number", "state", "posted_by", "posted_at"])
    year.next_number += 1
    year.save(update_fields=["next_number"])
    audit.record(
        AuditEvent.Action.VOUCHER_POSTED,
        user=posted_by,
        union=union,
        obj=voucher,
        summary=f"{voucher.full_no} {voucher.summary}",
    )
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
    Submission.objects.filter(voucher=voucher).delete()
    voucher.delete()


@transaction.atomic
def record_voucher(*, year: AccountingYear, posted_by: AbstractBaseUser, **fields) -> Voucher:
    """记凭证 as the treasurer enters it: 制单, and 记账 at once where the union does not require review (the
    one-step feel of a one-person union; such a voucher says 未经他人审核). Otherwise it waits 未审核."""
    voucher = create_voucher(year=year, prepared_by=posted_by, **fields)
    if year.union.review_required:
        return voucher
    return _post(voucher, posted_by, steps=True)


def _record_and_post(*, year: AccountingYear, posted_by: AbstractBaseUser, **fields) -> Voucher:
    """The books' own vouchers (期初余额, 期末结转, their reversals): prepared and posted in one step."""
    voucher = create_voucher(year=year, prepared_by=posted_by, **fields)
    return _post(voucher, posted_by, steps=False)


@transaction.atomic
def record_history(*, year: AccountingYear, posted_by: AbstractBaseUser, **fields) -> Voucher:
    """A voucher of past books (the import): prepared and posted in one step, without the review step whatever
    the union's setting (history is not reviewed again); every other check of ``record_voucher`` applies. A
    红字冲销 of history passes ``kind=Voucher.Kind.REVERSAL`` and ``reverses`` (the database checks the
    mirror). Like any voucher posted by its preparer it says 未经他人审核."""
    return _record_and_post(year=year, posted_by=posted_by, **fields)


def _money_account(year: AccountingYear, via: str) -> Account:
    codes = {"cash": year.chart.cash_code, "bank": year.chart.bank_code}
    if via not in codes:
        raise LedgerError("请选择收付方式：现金或银行存款")
    return resolve_account(year, codes[via])


def _entry(
    *, union: Union, date: datetime.date, account: Account | int | str, amount: object, type_: str
) -> tuple[AccountingYear, Account, Decimal]:
    """The year, the category account and the amount of a simple 收入 or 支出, checked."""
    if not isinstance(date, datetime.date):
        raise DateOutsideYear("日期不正确")
    year = get_year(union=union, year=date.year)
    category = resolve_account(year, account)
    if category.type != type_:
        raise UnknownAccount(f"“{category.name}”不是{AccountType(type_).label}科目")
    return year, category, positive_amount(amount)


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
    """A 收入: Dr 库存现金/银行存款, Cr the income account (or its 明细科目). Entered as ``record_voucher``."""
    year, income, value = _entry(
        union=union, date=date, account=account, amount=amount, type_=AccountType.INCOME
    )
    return record_voucher(
        year=year,
        posted_by=user,
        date=date,
        summary=summary,
        counterparty=payer,
        attachment_count=attachment_count,
        lines=[Line(_money_account(year, into), debit=value), Line(income, credit=value)],
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
    """A 支出: Dr the expense account (or its 明细科目), Cr 库存现金/银行存款. Entered as ``record_voucher``.

    Cash and bank never go negative: posting refuses the payment if the balance on its date or on any later
    day of the year is too small (``ledger.cash_bank``).
    """
    year, expense, value = _entry(
        union=union, date=date, account=account, amount=amount, type_=AccountType.EXPENSE
    )
    source = _money_account(year, via)
    return record_voucher(
        year=year,
        posted_by=user,
        date=date,
        summary=summary,
        counterparty=payee,
        attachment_count=attachment_count,
        lines=[Line(expense, debit=value), Line(source, credit=value)],
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
    """
    original = Voucher.objects.select_related("year__union").get(pk=voucher.pk)
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
    year = get_year(union=original.year.union, year=date.year)
    reversal = _mirror(
        original,
        year=year,
        date=date,
        user=user,
        summary=f"冲销{original.full_no}号凭证：{reason}",
        post=not year.union.review_required,
    )
    audit.record(
        AuditEvent.Action.VOUCHER_REVERSED,
        user=user,
        union=year.union,
        obj=original,
        summary=(
            f"{original.full_no}由{reversal.full_no}红字冲销：{reason}"
            if reversal.is_posted
            else f"{original.full_no}的红字冲销凭证已填制，待审核后记账：{reason}"
        ),
        changes={"reversal_id": reversal.pk, "reason": reason},
    )
    return reversal


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
    union = voucher.year.union
    steps = set()
    if voucher.state == Voucher.State.POSTED:
        if may_record and may_reverse(voucher):
            steps.add("reverse")
        return frozenset(steps)
    if voucher.state == Voucher.State.DRAFT:
        if may_record and voucher.prepared_by_id == user.pk:
            steps |= {"edit", "delete"} if voucher.kind == Voucher.Kind.NORMAL else {"delete"}
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
