"""Reads that aggregate the books. Each is a fixed number of queries, however many vouchers there are.

Sums are taken over integer 分 (``ROUND(amount * 100)`` cast to a big integer), because SQLite keeps a
DECIMAL column as a floating-point REAL and its SUM can drift by a cent over many rows; integer sums are
exact on SQLite and PostgreSQL alike. Only posted vouchers count.

Balances live inside one accounting year: the year's opening voucher (期初余额) carries what came before.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BigIntegerField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, Round

from ledger.models import Account, AccountingYear, Voucher, VoucherLine
from ledger.money import fen_to_decimal

ZERO = Decimal("0.00")


def fen(field: str) -> Cast:
    """The integer 分 of a money column, exact on both databases."""
    return Cast(Round(F(field) * Value(100)), output_field=BigIntegerField())


def fen_sum(field: str, condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum(fen(field), filter=condition), Value(0), output_field=BigIntegerField())


def posted_lines(year: AccountingYear) -> QuerySet[VoucherLine]:
    return VoucherLine.objects.filter(voucher__year=year, voucher__state=Voucher.State.POSTED)


def _period(start: datetime.date | None, end: datetime.date | None, include_closing: bool) -> tuple[Q, Q]:
    """(before the period, inside it). The opening voucher always counts as before the period.

    A reversal takes the part of what it reverses: reopening a year reverses its closing voucher and the
    next year's opening voucher, and those reversals belong to closing and opening too.
    """
    opening = Q(voucher__kind=Voucher.Kind.OPENING) | Q(voucher__reverses__kind=Voucher.Kind.OPENING)
    before = opening | Q(voucher__date__lt=start) if start else opening
    inside = ~opening
    if start:
        inside &= Q(voucher__date__gte=start)
    if end:
        inside &= Q(voucher__date__lte=end)
        before &= Q(voucher__date__lte=end)
    if not include_closing:
        inside &= ~(Q(voucher__kind=Voucher.Kind.CLOSING) | Q(voucher__reverses__kind=Voucher.Kind.CLOSING))
    return before, inside


@dataclass(frozen=True)
class Movement:
    """An account's figures over a period, each on the account's normal side (资产、支出 借; others 贷)."""

    opening: Decimal
    debit: Decimal
    credit: Decimal
    closing: Decimal


def _normal(debit_positive: Decimal, debit_normal: bool) -> Decimal:
    return debit_positive if debit_normal else -debit_positive


def account_movement(
    *,
    year: AccountingYear,
    account: Account,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    include_closing: bool = True,
) -> Movement:
    """Opening, debit, credit and closing of ``account`` and all its 明细科目 between ``start`` and ``end``."""
    before, inside = _period(start, end, include_closing)
    totals = (
        posted_lines(year)
        .filter(account__code__startswith=account.code)
        .aggregate(
            before_debit=fen_sum("debit", before),
            before_credit=fen_sum("credit", before),
            debit=fen_sum("debit", inside),
            credit=fen_sum("credit", inside),
        )
    )
    opening = fen_to_decimal(totals["before_debit"] - totals["before_credit"])
    debit, credit = fen_to_decimal(totals["debit"]), fen_to_decimal(totals["credit"])
    closing = opening + debit - credit
    return Movement(
        opening=_normal(opening, account.debit_normal),
        debit=debit,
        credit=credit,
        closing=_normal(closing, account.debit_normal),
    )


@dataclass(frozen=True)
class LeafBalance:
    """One account's own lines (not its children's): opening and closing as 借 minus 贷."""

    account: Account
    opening_debit: Decimal
    debit: Decimal
    credit: Decimal

    @property
    def closing_debit(self) -> Decimal:
        return self.opening_debit + self.debit - self.credit


def leaf_balances(
    *,
    year: AccountingYear,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    include_closing: bool = True,
) -> list[LeafBalance]:
    """Every account with posted lines in the year, with its own totals. Two queries."""
    before, inside = _period(start, end, include_closing)
    rows = (
        posted_lines(year)
        .values("account_id")
        .annotate(
            before_debit=fen_sum("debit", before),
            before_credit=fen_sum("credit", before),
            debit_fen=fen_sum("debit", inside),
            credit_fen=fen_sum("credit", inside),
        )
        .order_by()
    )
    totals = {row["account_id"]: row for row in rows}
    accounts = Account.objects.filter(pk__in=totals).order_by("code")
    return [
        LeafBalance(
            account=account,
            opening_debit=fen_to_decimal(
                totals[account.pk]["before_debit"] - totals[account.pk]["before_credit"]
            ),
            debit=fen_to_decimal(totals[account.pk]["debit_fen"]),
            credit=fen_to_decimal(totals[account.pk]["credit_fen"]),
        )
        for account in accounts
    ]


@dataclass(frozen=True)
class TrialBalanceRow:
    """A row of the 科目余额表. Opening and closing are on the account's normal side (方向)."""

    account: Account
    level: int
    opening: Decimal
    debit: Decimal
    credit: Decimal
    closing: Decimal

    @property
    def direction(self) -> str:
        if self.closing == 0:
            return "平"
        return "借" if self.account.debit_normal == (self.closing > 0) else "贷"

    @property
    def is_zero(self) -> bool:
        return not (self.opening or self.debit or self.credit or self.closing)


def year_accounts(year: AccountingYear) -> QuerySet[Account]:
    """The accounts a year may use: its chart's and the union's own 明细科目."""
    return (
        Account.objects.filter(chart_id=year.chart_id)
        .filter(Q(union__isnull=True) | Q(union_id=year.union_id))
        .order_by("code")
    )


def trial_balance(
    *,
    year: AccountingYear,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    include_closing: bool = True,
    include_zero: bool = False,
) -> list[TrialBalanceRow]:
    """The 科目余额表: every account, its figures including all its 明细科目. Three queries."""
    leaves = leaf_balances(year=year, start=start, end=end, include_closing=include_closing)
    rows = []
    for account in year_accounts(year):
        mine = [leaf for leaf in leaves if leaf.account.code.startswith(account.code)]
        opening = sum((leaf.opening_debit for leaf in mine), ZERO)
        debit = sum((leaf.debit for leaf in mine), ZERO)
        credit = sum((leaf.credit for leaf in mine), ZERO)
        level = 1 if account.parent_id is None else (2 if len(account.code) <= 5 else 3)
        row = TrialBalanceRow(
            account=account,
            level=level,
            opening=_normal(opening, account.debit_normal),
            debit=debit,
            credit=credit,
            closing=_normal(opening + debit - credit, account.debit_normal),
        )
        if include_zero or not row.is_zero:
            rows.append(row)
    return rows


@dataclass(frozen=True)
class TrialBalanceTotals:
    """Totals over first-level accounts, as 借 and 贷 columns; a balanced book has equal pairs."""

    opening_debit: Decimal
    opening_credit: Decimal
    debit: Decimal
    credit: Decimal
    closing_debit: Decimal
    closing_credit: Decimal

    @property
    def balanced(self) -> bool:
        return (
            self.opening_debit == self.opening_credit
            and self.debit == self.credit
            and self.closing_debit == self.closing_credit
        )


def trial_balance_totals(rows: list[TrialBalanceRow]) -> TrialBalanceTotals:
    top = [row for row in rows if row.level == 1]

    def side(value_of, debit_side: bool) -> Decimal:
        total = ZERO
        for row in top:
            signed = value_of(row) if row.account.debit_normal else -value_of(row)  # 借 minus 贷
            if (signed > 0) == debit_side:
                total += abs(signed)
        return total

    return TrialBalanceTotals(
        opening_debit=side(lambda r: r.opening, True),
        opening_credit=side(lambda r: r.opening, False),
        debit=sum((row.debit for row in top), ZERO),
        credit=sum((row.credit for row in top), ZERO),
        closing_debit=side(lambda r: r.closing, True),
        closing_credit=side(lambda r: r.closing, False),
    )


@dataclass(frozen=True)
class YearPosition:
    """A year's fund position as the 财务工作报告 and 结账 read it; income and spending exclude 结转."""

    opening_net: Decimal  # 年初经费余额: net assets from the opening voucher
    income: Decimal
    expense: Decimal
    net_balance: Decimal  # 年末经费余额: net assets plus income minus spending
    cash_and_bank: Decimal
    balanced: bool  # debits equal credits, for the opening and for the year


def year_position(*, year: AccountingYear) -> YearPosition:
    """Two queries."""
    leaves = leaf_balances(year=year, include_closing=False)
    chart = year.chart

    def total(types: set[str], value) -> Decimal:
        return sum((value(leaf) for leaf in leaves if leaf.account.type in types), ZERO)

    net_opening = -total({"net_assets"}, lambda leaf: leaf.opening_debit)
    income = total({"income"}, lambda leaf: leaf.credit - leaf.debit)
    expense = total({"expense"}, lambda leaf: leaf.debit - leaf.credit)
    net_assets = -total({"net_assets"}, lambda leaf: leaf.closing_debit)
    cash_and_bank = sum(
        (
            leaf.closing_debit
            for leaf in leaves
            if leaf.account.code.startswith(chart.cash_code) or leaf.account.code.startswith(chart.bank_code)
        ),
        ZERO,
    )
    return YearPosition(
        opening_net=net_opening,
        income=income,
        expense=expense,
        net_balance=net_assets + income - expense,
        cash_and_bank=cash_and_bank,
        balanced=sum((leaf.opening_debit for leaf in leaves), ZERO) == 0
        and sum((leaf.debit for leaf in leaves), ZERO) == sum((leaf.credit for leaf in leaves), ZERO),
    )


@dataclass(frozen=True)
class Check:
    """One year-end check as the auditor's and the 结账 pages show it; ``ok`` is None where it does not apply."""

    label: str
    ok: bool | None
    detail: str
    required: bool = True  # closing the year is refused while a required check fails


def year_end_checks(*, year: AccountingYear) -> list[Check]:
    """The checks before 结账: at most six queries."""
    position = year_position(year=year)
    previous = (
        AccountingYear.objects.filter(union_id=year.union_id, year=year.year - 1)
        .select_related("chart")
        .first()
    )
    expected = position.opening_net + position.income - position.expense
    checks = [
        Check(
            "试算平衡：借方合计等于贷方合计",
            position.balanced,
            "借贷平衡" if position.balanced else "借贷不平衡，请检查凭证",
        ),
        Check(
            "库存现金加银行存款等于年末经费余额",
            position.cash_and_bank == position.net_balance,
            f"库存现金和银行存款 {position.cash_and_bank}，年末经费余额 {position.net_balance}"
            + (
                ""
                if position.cash_and_bank == position.net_balance
                else "（有借出款、应付上级经费等往来款项时两者不等）"
            ),
            required=False,
        ),
        Check(
            "年末经费余额 = 年初经费余额 + 本年收入 − 本年支出",
            position.net_balance == expected,
            f"{position.opening_net} + {position.income} − {position.expense} = {expected}；"
            f"账面年末经费余额 {position.net_balance}",
        ),
    ]
    if previous is None:
        checks.append(Check("上年年末经费余额等于本年年初经费余额", None, f"没有{year.year - 1}年度的账"))
    else:
        before = year_position(year=previous)
        checks.append(
            Check(
                "上年年末经费余额等于本年年初经费余额",
                before.net_balance == position.opening_net,
                f"{previous.year}年末 {before.net_balance}，{year.year}年初 {position.opening_net}",
            )
        )
    from ledger import cash_bank  # noqa: PLC0415 - cash_bank reads through this module's sums

    never_negative, lowest = cash_bank.year_end_check(year=year)
    checks.append(
        Check(
            "库存现金和银行存款在年内任何一天都不为负数",
            never_negative,
            lowest + ("" if never_negative else "；请查找记账错误，更正后再结账"),
        )
    )
    return checks


# --- books for the browser: journals, category totals, the cash-and-bank position ----------------------
# (appended for the treasurer's workflow; each function below is a fixed number of queries)

from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery, Window  # noqa: E402
from django.db.models.expressions import RowRange  # noqa: E402

from ledger.models import Attachment  # noqa: E402


@dataclass(frozen=True)
class JournalLine:
    """One line of a 日记账 or 明细账, with the account's balance after it (on its normal side)."""

    voucher_id: int
    number: int
    date: datetime.date
    summary: str
    counterparty: str
    kind: str
    account_code: str
    account_name: str
    memo: str
    debit: Decimal
    credit: Decimal
    balance: Decimal

    @property
    def voucher_no(self) -> str:
        return f"记-{self.number:04d}"

    @property
    def direction(self) -> str:
        return "平" if self.balance == 0 else ("借" if self.balance > 0 else "贷")


@dataclass(frozen=True)
class Journal:
    """A 现金日记账, 银行存款日记账 or 明细账 over a period: opening, the lines, totals and closing."""

    account: Account
    start: datetime.date | None
    end: datetime.date | None
    opening: Decimal
    lines: list[JournalLine]
    debit: Decimal
    credit: Decimal
    closing: Decimal


def journal(
    *,
    year: AccountingYear,
    account: Account,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Journal:
    """The lines of ``account`` and its 明细科目 in date order, each with the running balance. Two queries.

    The balance runs over integer 分 by a window function in the database (never a Python loop over the
    books); the opening balance of the period (the 期初余额 voucher and everything dated before ``start``)
    is added to it. Balances are on the account's normal side, as the printed books show them.
    """
    movement = account_movement(year=year, account=account, start=start, end=end)
    _, inside = _period(start, end, include_closing=True)
    signed = fen("debit") - fen("credit") if account.debit_normal else fen("credit") - fen("debit")
    order = [F("voucher__date").asc(), F("voucher__number").asc(), F("voucher_id").asc(), F("position").asc()]
    rows = (
        posted_lines(year)
        .filter(inside, account__code__startswith=account.code)
        .annotate(
            running=Window(Sum(signed), order_by=order, frame=RowRange(start=None, end=0)),
            debit_fen=fen("debit"),
            credit_fen=fen("credit"),
        )
        .order_by(*order)
        .values_list(
            "voucher_id",
            "voucher__number",
            "voucher__date",
            "voucher__summary",
            "voucher__counterparty",
            "voucher__kind",
            "account__code",
            "account__name",
            "memo",
            "debit_fen",
            "credit_fen",
            "running",
        )
    )
    lines = [
        JournalLine(
            voucher_id=voucher_id,
            number=number,
            date=date,
            summary=summary,
            counterparty=counterparty,
            kind=kind,
            account_code=code,
            account_name=name,
            memo=memo,
            debit=fen_to_decimal(debit_fen),
            credit=fen_to_decimal(credit_fen),
            balance=movement.opening + fen_to_decimal(running),
        )
        for (
            voucher_id,
            number,
            date,
            summary,
            counterparty,
            kind,
            code,
            name,
            memo,
            debit_fen,
            credit_fen,
            running,
        ) in rows
    ]
    return Journal(
        account=account,
        start=start,
        end=end,
        opening=movement.opening,
        lines=lines,
        debit=movement.debit,
        credit=movement.credit,
        closing=movement.closing,
    )


@dataclass(frozen=True)
class CategoryTotal:
    """What one income or spending account (a leaf as posted to) took in or paid out over the year."""

    account_id: int
    code: str
    name: str
    parent_name: str
    amount: Decimal

    @property
    def label(self) -> str:
        return f"{self.parent_name} › {self.name}" if self.parent_name else self.name


def category_totals(
    *, year: AccountingYear, type: str, end: datetime.date | None = None
) -> list[CategoryTotal]:
    """Income (``type="income"``) or spending (``"expense"``) of the year by the account posted to. One query.

    The year-end closing voucher (结转) and its reversal by 反结账 are left out, so a closed year still shows
    what it took in and spent; a reversal counts against its category, so a reversed payment nets to zero.
    """
    _, inside = _period(None, end, include_closing=False)
    lines = posted_lines(year).filter(inside, account__type=type)
    rows = (
        lines.values("account_id", "account__code", "account__name", "account__parent__name")
        .annotate(debit_fen=fen_sum("debit"), credit_fen=fen_sum("credit"))
        .order_by("account__code")
    )
    result = []
    for row in rows:
        net = row["debit_fen"] - row["credit_fen"]
        amount = fen_to_decimal(net if type == "expense" else -net)
        if amount:
            result.append(
                CategoryTotal(
                    account_id=row["account_id"],
                    code=row["account__code"],
                    name=row["account__name"],
                    parent_name=row["account__parent__name"] or "",
                    amount=amount,
                )
            )
    return result


@dataclass(frozen=True)
class MoneyPosition:
    """库存现金 and 银行存款 at the start of the year and now (after every posted voucher of the year)."""

    cash_opening: Decimal
    bank_opening: Decimal
    cash: Decimal
    bank: Decimal

    @property
    def opening(self) -> Decimal:
        return self.cash_opening + self.bank_opening

    @property
    def total(self) -> Decimal:
        return self.cash + self.bank


def money_position(*, year: AccountingYear) -> MoneyPosition:
    """Cash and bank, opening and current, in one query (codes from the year's chart, 明细科目 included)."""
    opening, _ = _period(None, None, include_closing=True)
    cash = Q(account__code__startswith=year.chart.cash_code)
    bank = Q(account__code__startswith=year.chart.bank_code)
    totals = posted_lines(year).aggregate(
        cash_opening_debit=fen_sum("debit", cash & opening),
        cash_opening_credit=fen_sum("credit", cash & opening),
        bank_opening_debit=fen_sum("debit", bank & opening),
        bank_opening_credit=fen_sum("credit", bank & opening),
        cash_debit=fen_sum("debit", cash),
        cash_credit=fen_sum("credit", cash),
        bank_debit=fen_sum("debit", bank),
        bank_credit=fen_sum("credit", bank),
    )
    return MoneyPosition(
        cash_opening=fen_to_decimal(totals["cash_opening_debit"] - totals["cash_opening_credit"]),
        bank_opening=fen_to_decimal(totals["bank_opening_debit"] - totals["bank_opening_credit"]),
        cash=fen_to_decimal(totals["cash_debit"] - totals["cash_credit"]),
        bank=fen_to_decimal(totals["bank_debit"] - totals["bank_credit"]),
    )


def voucher_totals() -> Subquery:
    """A voucher's 借方合计 in 分, to annotate a voucher list in the same query (no query per voucher)."""
    return Subquery(
        VoucherLine.objects.filter(voucher=OuterRef("pk"))
        .values("voucher")
        .annotate(total=fen_sum("debit"))
        .values("total")[:1],
        output_field=BigIntegerField(),
    )


def postable_accounts(*, year: AccountingYear, types: list[str] | None = None) -> QuerySet[Account]:
    """The active accounts a voucher line of this year may use (leaves only: no active 明细科目 below).

    Leaves are what the treasurer posts to; a parent's figures are the sum of its 明细科目.
    """
    children = Account.objects.filter(parent=OuterRef("pk"), is_active=True).filter(
        Q(union__isnull=True) | Q(union_id=year.union_id)
    )
    accounts = year_accounts(year).filter(is_active=True).exclude(Exists(children)).select_related("parent")
    return accounts.filter(type__in=types) if types else accounts


def vouchers(
    *,
    year: AccountingYear,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    accounts: list[Account] | tuple = (),
    min_amount: Decimal | None = None,
    max_amount: Decimal | None = None,
    text: str = "",
) -> QuerySet[Voucher]:
    """The year's posted vouchers in 凭证号 order, filtered, each annotated with ``total_fen`` (借方合计, 分)
    and ``scan_count`` (attached scans) in the same query; lines and their accounts come in one more.

    Each of ``accounts`` must be matched by a line of the voucher on that account or one of its 明细科目.
    """
    scans = (
        Attachment.objects.filter(voucher=OuterRef("pk"))
        .values("voucher")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    result = (
        Voucher.objects.filter(year=year, state=Voucher.State.POSTED)
        .annotate(
            total_fen=Coalesce(voucher_totals(), Value(0), output_field=BigIntegerField()),
            scan_count=Coalesce(Subquery(scans, output_field=BigIntegerField()), Value(0)),
        )
        .select_related("year", "reverses", "reversed_by")
        .prefetch_related(
            Prefetch("lines", queryset=VoucherLine.objects.select_related("account").order_by("position"))
        )
        .order_by("number")
    )
    if start:
        result = result.filter(date__gte=start)
    if end:
        result = result.filter(date__lte=end)
    for account in accounts:
        result = result.filter(
            Exists(VoucherLine.objects.filter(voucher=OuterRef("pk"), account__code__startswith=account.code))
        )
    if min_amount is not None:
        result = result.filter(total_fen__gte=int(min_amount * 100))
    if max_amount is not None:
        result = result.filter(total_fen__lte=int(max_amount * 100))
    if text:
        result = result.filter(Q(summary__icontains=text) | Q(counterparty__icontains=text))
    return result
