"""Writes of the plan: settings, the levy and its remittance, the budget and its adjustments, the roster and a
month's dues, the facts of a payment. One function per action, keyword-only, ``@transaction.atomic``;
vouchers are posted through ``ledger.services`` and refusals are ``LedgerError`` with a Chinese message.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Mapping
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from ledger import queries as books
from ledger import services as ledger
from ledger.errors import AmountError, LedgerError
from ledger.models import Account, AccountingYear, AccountType, Union, Voucher
from ledger.money import ZERO, parse_amount_input, positive_amount, to_decimal
from plan import queries
from plan.arith import levy_split
from plan.models import (
    Budget,
    BudgetAdjustment,
    BudgetLine,
    DuesPayment,
    GiftForm,
    Member,
    MemberStatus,
    PaymentFacts,
    PlanSettings,
    Purpose,
)


class PlanError(LedgerError):
    """A refusal of the plan (bad input, a rule of the union), with a Chinese message."""


# --- settings ------------------------------------------------------------------------------------------


@transaction.atomic
def save_settings(*, union: Union, **values) -> PlanSettings:
    """The plan's settings of ``union``; ``province`` is the union's own (``ledger.services.set_province``)."""
    if "province" in values:
        ledger.set_province(union=union, province=values.pop("province"))
    setting = queries.settings_for(union)
    for key, value in values.items():
        setattr(setting, key, value)
    setting.full_clean()
    setting.save()
    return setting


# --- the 2% levy ---------------------------------------------------------------------------------------


def _payable(year: AccountingYear) -> Account:
    if not year.chart.payable_upper_code:
        raise PlanError(f"{year.chart.name}没有应付上级经费科目")
    return ledger.resolve_account(year, year.chart.payable_upper_code)


@transaction.atomic
def record_levy(
    *,
    union: Union,
    date: datetime.date,
    amount: object,
    into: str,
    user: AbstractBaseUser,
    summary: str = "",
    payer: str = "",
    attachment_count: int = 0,
) -> Voucher:
    """收到拨缴经费: Dr 银行存款/库存现金 the whole, Cr 拨缴经费收入 the share kept, Cr 应付上级经费 the rest.

    The share kept is the union's setting (default 60%), rounded half up to the 分; the upward share is the
    remainder, so the two lines always add up to the receipt (``plan.arith.levy_split``)."""
    year = ledger.get_year(union=union, year=date.year)
    total = positive_amount(amount)
    setting = queries.settings_for(union)
    kept, owed = levy_split(total, setting.levy_kept_percent)
    income = queries.income_account(year, queries.LEVY_INCOME)
    if income is None:
        raise PlanError(f"{year.chart.name}没有“{queries.LEVY_INCOME}”科目")
    lines = [ledger.Line(ledger.Via(into), debit=total)]
    if kept:
        lines.append(ledger.Line(income, credit=kept, memo=f"留成{setting.levy_kept_percent.normalize()}%"))
    if owed:
        lines.append(ledger.Line(_payable(year), credit=owed, memo="应上缴上级工会部分"))
    return ledger.record_voucher(
        year=year,
        posted_by=user,
        date=date,
        summary=(summary or "收到拨缴工会经费")[:200],
        counterparty=payer,
        attachment_count=attachment_count,
        lines=lines,
    )


@transaction.atomic
def remit_levy(
    *,
    union: Union,
    date: datetime.date,
    amount: object,
    via: str,
    user: AbstractBaseUser,
    summary: str = "",
    attachment_count: int = 0,
) -> Voucher:
    """上缴上级经费: Dr 应付上级经费, Cr 银行存款/库存现金. Settles the liability; never spending. Refused
    above what is owed."""
    year = ledger.get_year(union=union, year=date.year)
    value = positive_amount(amount)
    owed = queries.owed_upward(books.year_summary(year))
    if value > owed:
        raise PlanError(f"上缴金额{value}元超过尚欠上级经费{owed}元")
    return ledger.record_voucher(
        year=year,
        posted_by=user,
        date=date,
        summary=(summary or "上缴上级工会经费")[:200],
        counterparty="上级工会",
        attachment_count=attachment_count,
        lines=[
            ledger.Line(_payable(year), debit=value),
            ledger.Line(ledger.Via(via), credit=value),
        ],
    )


# --- the budget ----------------------------------------------------------------------------------------


def _budget_accounts(year: AccountingYear, amounts: Mapping) -> dict[Account, Decimal]:
    allowed = {
        account.code: account
        for account in books.year_accounts(year).filter(type__in=[AccountType.INCOME, AccountType.EXPENSE])
    }
    result = {}
    for key, raw in amounts.items():
        code = key.code if isinstance(key, Account) else str(key)
        if code not in allowed:
            raise PlanError(f"预算科目不存在或不是收入、支出科目：{code}")
        try:
            value = to_decimal(raw)
        except (AmountError, ValueError, ArithmeticError):
            raise PlanError(f"{code}的预算金额不正确：{raw}") from None
        if value < 0:
            raise PlanError(f"{code}的预算金额不能为负数")
        result[allowed[code]] = value
    return result


@transaction.atomic
def set_budget(
    *,
    year: AccountingYear,
    amounts: Mapping,
    user: AbstractBaseUser,
    approved_on: datetime.date | None = None,
    reason: str = "",
    date: datetime.date | None = None,
) -> Budget:
    """Enter or change a year's budget (code or account → amount; 0 removes a line).

    Before approval it is a draft and changes freely. Once approved, a change is a 预算调整: it needs a
    reason, is kept with what it changed, and the union allows only so many a year (default once)."""
    budget, _ = Budget.objects.select_for_update().get_or_create(union=year.union, year=year.year)
    wanted = _budget_accounts(year, amounts)
    current = {line.account: line for line in budget.lines.select_related("account")}
    changes = {}
    for account, value in wanted.items():
        before = current[account].amount if account in current else ZERO
        if before != value:
            changes[account.code] = [str(before), str(value)]
    if budget.approved_on is not None and changes:
        reason = (reason or "").strip()
        if not reason:
            raise PlanError("预算已批准，调整预算须填写调整原因")
        limit = queries.settings_for(year.union).budget_adjustments
        if budget.adjustments.count() >= limit:
            raise PlanError(f"本会规定预算每年最多调整{limit}次，{year.year}年度已调整{limit}次")
        BudgetAdjustment.objects.create(
            budget=budget, date=date or datetime.date.today(), reason=reason[:200], changes=changes, by=user
        )
    for account, value in wanted.items():
        if value == 0:
            BudgetLine.objects.filter(budget=budget, account=account).delete()
        else:
            BudgetLine.objects.update_or_create(budget=budget, account=account, defaults={"amount": value})
    if approved_on is not None and budget.approved_on is None:
        budget.approved_on = approved_on
        budget.save(update_fields=["approved_on"])
    return budget


@transaction.atomic
def draft_next_budget(*, year: AccountingYear, user: AbstractBaseUser) -> Budget:
    """Next year's draft budget from this year's actuals per category (first-level accounts and 明细)."""
    following = ledger.get_year(union=year.union, year=year.year + 1)
    if Budget.objects.filter(union=year.union, year=following.year, approved_on__isnull=False).exists():
        raise PlanError(f"{following.year}年度预算已批准，不能再用本年实际数生成草稿")
    summary = books.year_summary(year)
    codes = {account.code for account in books.year_accounts(following)}
    amounts = {
        row.account.code: row.closing
        for row in summary.rows
        if row.account.type in (AccountType.INCOME, AccountType.EXPENSE)
        and row.closing > 0
        and row.account.code in codes
    }
    return set_budget(year=following, amounts=amounts, user=user)


def read_rows(content: bytes) -> list[list]:
    """The first sheet of an Excel book (xlsx) as rows of cell values."""
    from python_calamine import CalamineWorkbook  # noqa: PLC0415 - only imports read Excel

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises its own types for a broken file
        raise PlanError(f"无法读取Excel文件：{error}") from None


def _cell_amount(value, where: str) -> Decimal:
    try:
        if isinstance(value, float):
            return Decimal(str(value)).quantize(Decimal("0.01"))
        if isinstance(value, int):
            return Decimal(value).quantize(Decimal("0.01"))
        return parse_amount_input(str(value).strip())
    except (AmountError, ArithmeticError):
        raise PlanError(f"{where}金额不正确：{value}") from None


def _header(rows: list[list], wanted: dict[str, tuple[str, ...]]) -> dict[str, int]:
    if not rows:
        raise PlanError("Excel文件是空的")
    head = [str(cell).strip() for cell in rows[0]]
    found = {}
    for key, names in wanted.items():
        index = next((i for i, cell in enumerate(head) if cell in names), None)
        if index is not None:
            found[key] = index
    return found


@transaction.atomic
def import_budget(
    *, year: AccountingYear, content: bytes, user: AbstractBaseUser, reason: str = ""
) -> Budget:
    """A budget from Excel: columns 科目编码 and 预算金额 (科目名称 may stand in for the code). Every row is
    checked before anything is written."""
    rows = read_rows(content)
    cols = _header(
        rows, {"code": ("科目编码", "编码"), "name": ("科目名称", "科目"), "amount": ("预算金额", "金额")}
    )
    if "amount" not in cols or not ({"code", "name"} & cols.keys()):
        raise PlanError("第1行须有“科目编码”（或“科目名称”）和“预算金额”两列")
    by_name = {account.name: account.code for account in books.year_accounts(year)}
    amounts = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(str(cell).strip() for cell in row):
            continue
        code = str(row[cols["code"]]).strip() if "code" in cols else ""
        if code.endswith(".0"):
            code = code[:-2]
        if not code and "name" in cols:
            code = by_name.get(str(row[cols["name"]]).strip(), "")
        if not code:
            raise PlanError(f"第{number}行：找不到科目")
        amounts[code] = _cell_amount(row[cols["amount"]], f"第{number}行")
    try:
        return set_budget(year=year, amounts=amounts, user=user, reason=reason)
    except PlanError as error:
        raise PlanError(f"导入预算失败：{error.message}") from None


# --- members and dues ----------------------------------------------------------------------------------

STATUS_BY_LABEL = {label: value for value, label in MemberStatus.choices} | {
    v: v for v in MemberStatus.values
}


@transaction.atomic
def save_member(
    *,
    union: Union,
    name: str,
    department: str,
    wage_base: object,
    joined: datetime.date,
    status: str = MemberStatus.ACTIVE,
    member: Member | None = None,
) -> Member:
    member = member or Member(union=union)
    if member.union_id != union.pk:
        raise PlanError("会员不属于本工会")
    member.name, member.department = (name or "").strip(), (department or "").strip()
    member.wage_base = to_decimal(wage_base)
    member.joined, member.status = joined, status
    if not member.name or not member.department:
        raise PlanError("请填写会员姓名和部门")
    if member.wage_base < 0:
        raise PlanError("月工资基数不能为负数")
    clash = Member.objects.filter(union=union, department=member.department, name=member.name).exclude(
        pk=member.pk
    )
    if clash.exists():
        raise PlanError(f"{member.department}已有会员{member.name}")
    member.full_clean()
    member.save()
    return member


def _cell_date(value, where: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip().replace("/", "-").replace("年", "-").replace("月", "-").rstrip("日")
    try:
        return datetime.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        raise PlanError(f"{where}日期不正确：{value}") from None


@transaction.atomic
def import_roster(*, union: Union, content: bytes) -> tuple[int, int]:
    """The roster from Excel: 姓名, 部门（或 分会）, 月工资基数, 入会日期, 状态 (在职/退休/离开, may be left
    empty: 在职). A member is matched by department and name: changed if there, added if not. Every row is
    checked first; on any error nothing is written. Returns (added, changed)."""
    rows = read_rows(content)
    cols = _header(
        rows,
        {
            "name": ("姓名",),
            "department": ("部门", "分会", "部门/分会"),
            "wage": ("月工资基数", "工资基数", "月工资"),
            "joined": ("入会日期", "入会时间"),
            "status": ("状态",),
        },
    )
    missing = [
        label
        for key, label in (
            ("name", "姓名"),
            ("department", "部门"),
            ("wage", "月工资基数"),
            ("joined", "入会日期"),
        )
        if key not in cols
    ]
    if missing:
        raise PlanError("第1行缺少列：" + "、".join(missing))
    parsed = []
    seen = set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(str(cell).strip() for cell in row):
            continue
        where = f"第{number}行"
        name, department = str(row[cols["name"]]).strip(), str(row[cols["department"]]).strip()
        if not name or not department:
            raise PlanError(f"{where}：姓名和部门不能为空")
        if (department, name) in seen:
            raise PlanError(f"{where}：{department}{name}重复")
        seen.add((department, name))
        wage = _cell_amount(row[cols["wage"]], where)
        joined = _cell_date(row[cols["joined"]], where)
        status_text = str(row[cols["status"]]).strip() if "status" in cols else ""
        status = STATUS_BY_LABEL.get(status_text or "在职")
        if status is None:
            raise PlanError(f"{where}：状态只能是在职、退休或离开")
        parsed.append((name, department, wage, joined, status))
    existing = {(m.department, m.name): m for m in Member.objects.filter(union=union)}
    added = changed = 0
    for name, department, wage, joined, status in parsed:
        member = existing.get((department, name))
        if member is None:
            Member.objects.create(
                union=union, name=name, department=department, wage_base=wage, joined=joined, status=status
            )
            added += 1
        elif (member.wage_base, member.joined, member.status) != (wage, joined, status):
            member.wage_base, member.joined, member.status = wage, joined, status
            member.save(update_fields=["wage_base", "joined", "status"])
            changed += 1
    return added, changed


@transaction.atomic
def record_dues(
    *,
    union: Union,
    month: int,
    department: str,
    date: datetime.date,
    into: str,
    user: AbstractBaseUser,
) -> Voucher:
    """A department's dues of one month as ONE voucher: Dr 银行存款/库存现金 the total, Cr 会费收入 one line
    per member (the memo names the member), and a row per member in the dues table. Members who paid the
    month already are left out; refused when nobody owes it."""
    if not 1 <= month <= 12:
        raise PlanError("月份须在1到12之间")
    year = ledger.get_year(union=union, year=date.year)
    owing = queries.unpaid_members(union, date.year, month, department)
    if not owing:
        raise PlanError(f"{department}{date.year}年{month}月没有应缴未缴会费的会员")
    income = queries.income_account(year, queries.DUES_INCOME)
    if income is None:
        raise PlanError(f"{year.chart.name}没有“{queries.DUES_INCOME}”科目")
    total = sum((amount for _, amount in owing), ZERO)
    lines = [ledger.Line(ledger.Via(into), debit=total, memo=f"{department}{month}月会费")]
    lines += [
        ledger.Line(income, credit=amount, memo=f"{member.name} {month}月会费") for member, amount in owing
    ]
    voucher = ledger.record_voucher(
        year=year,
        posted_by=user,
        date=date,
        summary=f"收{department}{date.year}年{month}月会费（{len(owing)}人）",
        lines=lines,
    )
    DuesPayment.objects.bulk_create(
        DuesPayment(member=member, year=date.year, month=month, amount=amount, voucher=voucher)
        for member, amount in owing
    )
    return voucher


# --- the facts of a payment ----------------------------------------------------------------------------


def record_payment_facts(
    *, voucher: Voucher, via: str, facts: Mapping, warnings: list[str]
) -> PaymentFacts | None:
    """Keep what the rules need beside a payment just recorded (inside its transaction), with the warnings
    shown and the reason given. Nothing is kept for a payment with no facts and no warning."""
    purpose = facts.get("purpose") or ""
    form = facts.get("form") or ""
    if purpose and purpose not in Purpose.values or form and form not in GiftForm.values:
        raise PlanError("用途或发放形式不正确")
    if not (purpose or form or facts.get("headcount") or warnings):
        return None
    return PaymentFacts.objects.create(
        voucher=voucher,
        purpose=purpose,
        form=form,
        headcount=facts.get("headcount"),
        per_head=facts.get("per_head"),
        paid_in_cash=via == "cash",
        warnings=list(warnings),
        reason=(facts.get("reason") or "")[:200],
        over_budget=any(w.startswith("超预算") for w in warnings),
    )


FORM_BY_LABEL = {label: value for value, label in GiftForm.choices} | {"统一组织": GiftForm.ORGANISED}
PURPOSE_BY_LABEL = {label: value for value, label in Purpose.choices}


def facts_from_columns(
    *, headcount: object = None, form: object = None, purpose: object = None, where: str = ""
) -> dict:
    """The optional import columns 人数, 发放形式 (and 用途) of a payment row as the facts
    ``record_payment_facts`` keeps: the Excel import calls this for each payment row, then
    ``record_payment_facts`` in the row's transaction, so a row that breaks a rule imports with its finding
    (findings are read from the facts). Empty cells give no facts; a bad cell is refused with its place."""
    facts: dict = {}
    text = str(form or "").strip()
    if text:
        if text not in FORM_BY_LABEL:
            raise PlanError(f"{where}发放形式只能是实物、现金、购物卡、提货券或统一组织：{text}")
        facts["form"] = FORM_BY_LABEL[text]
    text = str(purpose or "").strip()
    if text:
        if text not in PURPOSE_BY_LABEL:
            raise PlanError(f"{where}用途不正确：{text}")
        facts["purpose"] = PURPOSE_BY_LABEL[text]
    elif facts.get("form"):
        facts["purpose"] = Purpose.OTHER
    if headcount not in (None, ""):
        try:
            count = int(Decimal(str(headcount)))
        except ArithmeticError:
            count = 0
        if count < 1 or Decimal(str(headcount)) != count:
            raise PlanError(f"{where}人数须是正整数：{headcount}")
        facts["headcount"] = count
    return facts
