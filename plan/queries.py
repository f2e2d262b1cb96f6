"""Reads of the plan: settings, the budget against the books, dues and 收缴率, what is owed upward, findings.

Every figure of the books comes from ``ledger.queries`` (``year_summary``, ``voucher_totals``, ``fen``); this
module only sets them beside the plan. Each read is a fixed number of queries however many vouchers,
members or rules there are. ``plan_report(year)`` is the one function the reports call.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ledger import queries as books
from ledger.models import Account, AccountingYear, AccountType, Union, Voucher, VoucherLine, voucher_no
from ledger.money import ZERO, fen_to_decimal
from plan import compliance
from plan.arith import monthly_dues, percent
from plan.models import (
    Budget,
    BudgetAdjustment,
    BudgetLine,
    DuesPayment,
    Member,
    MemberStatus,
    PaymentFacts,
    PlanSettings,
    RosterChanges,
    SpendingRule,
)

LEVY_INCOME = "拨缴经费收入"
DUES_INCOME = "会费收入"


def settings_for(union: Union) -> PlanSettings:
    """The union's settings, or the defaults (60% kept, 5‰, to the 分, one adjustment) if never saved. One query."""
    return PlanSettings.objects.filter(union=union).first() or PlanSettings(union=union)


def income_account(year: AccountingYear, name: str):
    """The chart's first-level income account of this name (拨缴经费收入, 会费收入): found by name, not code."""
    return (
        books.year_accounts(year)
        .filter(name=name, type=AccountType.INCOME, union__isnull=True, parent__isnull=True)
        .first()
    )


# --- the budget ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetRow:
    account_id: int
    code: str
    name: str
    type: str
    budget: Decimal
    actual: Decimal

    @property
    def percent(self) -> Decimal | None:
        return percent(self.actual, self.budget)

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.actual

    @property
    def over(self) -> bool:
        return self.type == AccountType.EXPENSE and self.actual > self.budget


@dataclass(frozen=True)
class BudgetExecution:
    """预算执行: each budgeted category beside what the books say, and the totals."""

    year: int
    approved_on: datetime.date | None
    adjustments: int
    rows: tuple[BudgetRow, ...]

    def _rows(self, kind: str) -> list[BudgetRow]:
        return [row for row in self.rows if row.type == kind]

    @property
    def income_rows(self) -> list[BudgetRow]:
        return self._rows(AccountType.INCOME)

    @property
    def expense_rows(self) -> list[BudgetRow]:
        return self._rows(AccountType.EXPENSE)

    @property
    def expense_budget(self) -> Decimal:
        return sum((row.budget for row in self.expense_rows), ZERO)

    @property
    def expense_actual(self) -> Decimal:
        return sum((row.actual for row in self.expense_rows), ZERO)

    @property
    def expense_percent(self) -> Decimal | None:
        return percent(self.expense_actual, self.expense_budget)

    @property
    def income_budget(self) -> Decimal:
        return sum((row.budget for row in self.income_rows), ZERO)

    @property
    def income_actual(self) -> Decimal:
        return sum((row.actual for row in self.income_rows), ZERO)

    @property
    def income_percent(self) -> Decimal | None:
        return percent(self.income_actual, self.income_budget)

    @property
    def over_rows(self) -> list[BudgetRow]:
        return [row for row in self.rows if row.over]


def _actuals(summary: books.YearSummary) -> dict[str, Decimal]:
    """Code → the year's amount of an income or spending account with its 明细 (before 结转)."""
    return {
        row.account.code: row.closing
        for row in summary.rows
        if row.account.type in (AccountType.INCOME, AccountType.EXPENSE)
    }


def budget_execution(
    year: AccountingYear, summary: books.YearSummary | None = None
) -> BudgetExecution | None:
    """The year's budget against the books; None without a budget. Two queries (and three for the
    summary when none is given)."""
    budget = (
        Budget.objects.filter(union_id=year.union_id, year=year.year).annotate(n=Count("adjustments")).first()
    )
    if budget is None:
        return None
    summary = summary or books.year_summary(year)
    actual = _actuals(summary)
    lines = BudgetLine.objects.filter(budget=budget).select_related("account").order_by("account__code")
    rows = tuple(
        BudgetRow(
            account_id=line.account_id,
            code=line.account.code,
            name=line.account.name,
            type=line.account.type,
            budget=line.amount,
            actual=actual.get(line.account.code, ZERO),
        )
        for line in lines
    )
    return BudgetExecution(year=year.year, approved_on=budget.approved_on, adjustments=budget.n, rows=rows)


def budget_left(year: AccountingYear, account) -> tuple[BudgetRow, ...]:
    """The budget rows a payment to ``account`` falls under (the account and its parents). Three queries."""
    lines = list(
        BudgetLine.objects.filter(budget__union_id=year.union_id, budget__year=year.year).select_related(
            "account"
        )
    )
    mine = [line for line in lines if account.code.startswith(line.account.code)]
    if not mine:
        return ()
    rows = []
    for line in mine:
        movement = books.account_movement(year=year, account=line.account, include_closing=False)
        rows.append(
            BudgetRow(
                line.account_id,
                line.account.code,
                line.account.name,
                line.account.type,
                line.amount,
                movement.closing,
            )
        )
    return tuple(rows)


# --- dues ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthDues:
    month: int
    due: Decimal
    collected: Decimal

    @property
    def rate(self) -> Decimal | None:
        return percent(self.collected, self.due)


@dataclass(frozen=True)
class MemberArrears:
    member_id: int
    name: str
    department: str
    months: tuple[int, ...]
    amount: Decimal


@dataclass(frozen=True)
class DuesSummary:
    """会费收缴: what was due (the roster at the union's rate) and collected, by month and for the year."""

    year: int
    permille: Decimal
    months: tuple[MonthDues, ...]
    arrears: tuple[MemberArrears, ...]
    members: int

    @property
    def due(self) -> Decimal:
        return sum((m.due for m in self.months), ZERO)

    @property
    def collected(self) -> Decimal:
        return sum((m.collected for m in self.months), ZERO)

    @property
    def rate(self) -> Decimal | None:
        return percent(self.collected, self.due)

    @property
    def arrears_total(self) -> Decimal:
        return sum((a.amount for a in self.arrears), ZERO)


def last_due_month(year: int, today: datetime.date | None = None) -> int:
    """Dues fall due month by month: all twelve for a past year, up to this month in the current one."""
    today = today or timezone.localdate()
    return 12 if today.year > year else (today.month if today.year == year else 0)


def due_months(member: Member, year: int, last: int) -> list[int]:
    """The months of ``year`` (up to ``last``) a member owes dues for: 在职 and joined by the month's end."""
    return _due_months(member.status, member.joined, year, last)


def _due_months(status: str, joined: datetime.date, year: int, last: int) -> list[int]:
    if status != MemberStatus.ACTIVE:
        return []
    first = 1 if joined.year < year else (joined.month if joined.year == year else 13)
    return list(range(first, last + 1))


def dues_payments(union: Union, year: int):
    """Dues collected on posted vouchers that were not reversed."""
    return DuesPayment.objects.filter(
        member__union=union, year=year, voucher__state=Voucher.State.POSTED, voucher__reversed_by__isnull=True
    )


def _under(union: Union, field: str = "union") -> Q:
    """The union itself or one of its 分工会: one IN over a subquery of their ids (an OR across the join to the
    union had PostgreSQL read every union's dues: 48 ms for 100 members among 2,000 unions' two million dues)."""
    return Q(**{f"{field}_id__in": Union.objects.filter(Q(pk=union.pk) | Q(parent=union)).values("pk")})


def members(union: Union):
    return Member.objects.filter(union=union).order_by("department", "id")  # in the order they were entered


def dues_summary(
    union: Union, year: int, *, today: datetime.date | None = None, setting: PlanSettings | None = None
) -> DuesSummary | None:
    """The year's 会费收缴; None when the roster is empty. Three queries (two with ``setting``; one with
    an empty roster).

    The roster and the dues are the union's own and its 分工会's (those with books record their members' dues
    in their own books): dues a branch collects count in the parent's 收缴率."""
    setting = setting or settings_for(union)
    roster = list(Member.objects.filter(_under(union)).order_by("union_id", "department", "id"))
    if not roster:
        return None
    payments = DuesPayment.objects.filter(
        _under(union, "member__union"), year=year, voucher__state=Voucher.State.POSTED
    ).filter(~Exists(Voucher.objects.filter(reverses=OuterRef("voucher"))))
    return _summarise(
        roster,
        payments.values_list("member_id", "month", "amount"),
        setting,
        year,
        last_due_month(year, today),
    )


def _summarise(roster: list[Member], payments, setting: PlanSettings, year: int, last: int) -> DuesSummary:
    """The 会费收缴 of ``roster`` with ``payments`` as (member id, month, amount): the one rule of what is due."""
    paid: dict[tuple[int, int], Decimal] = {}
    collected = defaultdict(lambda: ZERO)
    for member_id, month, amount in payments:
        paid[(member_id, month)] = amount
        collected[month] += amount
    due = defaultdict(lambda: ZERO)
    arrears = []
    for member in roster:
        owed_months = []
        each = monthly_dues(member.wage_base, setting.dues_permille, setting.dues_rounding)
        for month in due_months(member, year, last):
            due[month] += each
            if (member.pk, month) not in paid:
                owed_months.append(month)
        if owed_months and each:
            arrears.append(
                MemberArrears(
                    member.pk, member.name, member.department, tuple(owed_months), each * len(owed_months)
                )
            )
    months = tuple(
        MonthDues(month, due[month], collected[month])
        for month in range(1, 13)
        if due[month] or collected[month]
    )
    return DuesSummary(year, setting.dues_permille, months, tuple(arrears), len(roster))


def _owners(ids: list[int]) -> dict[int, int]:
    """Each of the unions ``ids`` and of their 分工会 → the union of ``ids`` whose 收缴率 its roster counts in (a
    union's own members are its own, even were it another's 分工会). One query."""
    owner = dict(Union.objects.filter(parent_id__in=ids).values_list("pk", "parent_id"))
    owner.update((pk, pk) for pk in ids)
    return owner


def dues_rates_of_unions(
    unions: list[Union], year: int, *, today: datetime.date | None = None
) -> dict[int, Decimal | None]:
    """The 收缴率 of ``dues_summary`` of many unions (each with its 分工会), by union id, in four queries however
    many: the 总工会's table. A union with an empty roster is absent.

    The same rule as ``_summarise``: what each member owes (``monthly_dues`` for each of ``due_months``) against
    what was collected on posted, unreversed vouchers. The collected dues are summed in the database (in 分) and
    the roster is read as three columns, not as models, so 200,000 members and two million dues cost seconds,
    not tens of them."""
    ids = [union.pk for union in unions]
    settings = {row.union_id: row for row in PlanSettings.objects.filter(union_id__in=ids)}
    owner = _owners(ids)
    last = last_due_month(year, today)
    due: dict[int, Decimal] = {}
    each: dict[tuple[int, Decimal], Decimal] = {}
    for union_id, wage, status, joined in Member.objects.filter(union_id__in=list(owner)).values_list(
        "union_id", "wage_base", "status", "joined"
    ):
        top = owner[union_id]
        if (top, wage) not in each:
            setting = settings.get(top) or PlanSettings()
            each[(top, wage)] = monthly_dues(wage, setting.dues_permille, setting.dues_rounding)
        due[top] = due.get(top, ZERO) + each[(top, wage)] * len(_due_months(status, joined, year, last))
    reversal = Voucher.objects.filter(reverses=OuterRef("voucher"))
    collected = {
        union_id: fen_to_decimal(fen)
        for union_id, fen in DuesPayment.objects.filter(
            member__union_id__in=list(owner), year=year, voucher__state=Voucher.State.POSTED
        )
        .filter(~Exists(reversal))
        .values_list("member__union_id")
        .annotate(fen=Sum(books.fen("amount")))
        .order_by()
    }
    collected_by_top: dict[int, Decimal] = {}
    for union_id, amount in collected.items():
        collected_by_top[owner[union_id]] = collected_by_top.get(owner[union_id], ZERO) + amount
    return {top: percent(collected_by_top.get(top, ZERO), amount) for top, amount in due.items()}


def dues_states(unions: list[Union], year: int, *, today: datetime.date | None = None) -> dict[int, tuple]:
    """What each union's 收缴率 of ``year`` is computed from, by union id, in four queries however many: the
    count of writes to its and its 分工会's rosters (``RosterChanges``, kept by the database), the counts of posted
    vouchers of all their years (dues are posted in any year's books, and a 红字冲销 is a posting too), its dues
    rate and rounding, and the last month due. A 收缴率 kept with this state is the one ``dues_rates_of_unions``
    would compute while the state is unchanged."""
    ids = [union.pk for union in unions]
    owner = _owners(ids)
    rosters: dict[int, list] = defaultdict(list)
    for union_id, changes in RosterChanges.objects.filter(union_id__in=list(owner)).values_list(
        "union_id", "changes"
    ):
        rosters[owner[union_id]].append((union_id, changes))
    posted: dict[int, list] = defaultdict(list)
    for union_id, found, counter in AccountingYear.objects.filter(union_id__in=list(owner)).values_list(
        "union_id", "year", "next_number"
    ):
        posted[owner[union_id]].append((union_id, found, counter))
    settings = {row.union_id: row for row in PlanSettings.objects.filter(union_id__in=ids)}
    last = last_due_month(year, today)
    states = {}
    for pk in ids:
        setting = settings.get(pk) or PlanSettings()
        states[pk] = (
            sorted(rosters[pk]),
            sorted(posted[pk]),
            str(setting.dues_permille),
            setting.dues_rounding,
            last,
        )
    return states


def unpaid_members(union: Union, year: int, month: int, department: str) -> list[tuple[Member, Decimal]]:
    """The members of a department who owe the month's dues and have not paid them, with the amount. Three queries."""
    setting = settings_for(union)
    paid = set(dues_payments(union, year).filter(month=month).values_list("member_id", flat=True))
    result = []
    for member in members(union).filter(department=department):
        if month in due_months(member, year, 12) and member.pk not in paid:
            amount = monthly_dues(member.wage_base, setting.dues_permille, setting.dues_rounding)
            if amount:
                result.append((member, amount))
    return result


def departments(union: Union) -> list[str]:
    return list(
        Member.objects.filter(union=union)
        .order_by("department")
        .values_list("department", flat=True)
        .distinct()
    )


# --- the levy and what is owed upward ------------------------------------------------------------------


def owed_upward(summary: books.YearSummary) -> Decimal:
    """应付上级经费 at the end of the books so far: what is still to be remitted upward."""
    code = summary.year.chart.payable_upper_code
    return summary.closing_by_code.get(code, ZERO) if code else ZERO


def levy_received(summary: books.YearSummary) -> Decimal:
    """拨缴经费收入 of the year (the share kept)."""
    return next(
        (row.closing for row in summary.rows if row.level == 1 and row.account.name == LEVY_INCOME), ZERO
    )


# --- findings ------------------------------------------------------------------------------------------


def rules_for(union: Union) -> list[SpendingRule]:
    """The rules that apply to the union: national and its province's, active. One query."""
    return compliance.applicable(SpendingRule.objects.filter(is_active=True), union.province)


def _live(year: AccountingYear):
    return {
        "voucher__year": year,
        "voucher__state": Voucher.State.POSTED,
        "voucher__reversed_by__isnull": True,
    }


def year_payments(year: AccountingYear, cash_limit: Decimal | None) -> list[compliance.Payment]:
    """The year's payments as the rules see them: those with facts, and any other paid from cash above
    ``cash_limit``. Three queries (one without a limit)."""
    return years_payments([year], {year.pk: cash_limit})[year.pk]


def years_payments(
    years: list[AccountingYear], cash_limits: dict[int, Decimal | None]
) -> dict[int, list[compliance.Payment]]:
    """``year_payments`` of many years (by id; their charts loaded), in three queries however many (one when no
    year has a cash limit): the facts, the charts' 库存现金 accounts and the cash lines above the limit."""
    ids = [year.pk for year in years]
    facts = (
        PaymentFacts.objects.filter(
            voucher__year_id__in=ids, voucher__state=Voucher.State.POSTED, voucher__reversed_by__isnull=True
        )
        .select_related("voucher")
        .annotate(
            total_fen=Coalesce(books.voucher_totals("voucher_id"), Value(0), output_field=BigIntegerField())
        )
    )
    cash_paid: dict[int, tuple] = {}
    limited = [year for year in years if cash_limits.get(year.pk) is not None]
    if limited:
        spending = VoucherLine.objects.filter(voucher=OuterRef("voucher"), account__type=AccountType.EXPENSE)
        reversal = Voucher.objects.filter(reverses=OuterRef("voucher"))
        # Each year's own 库存现金 (a line names an account of its year's chart only). Compared as account_id + 0:
        # every union's cash lines share the chart's account, and on the bare column PostgreSQL reads them all by
        # the account's index before it looks at the year (0.5 s for 20 union-years among 2,000; 30 ms this way).
        cash = Account.objects.filter(
            union__isnull=True,
            chart_id__in={year.chart_id for year in limited},
            code__in={year.chart.cash_code for year in limited},
        ).filter(code=F("chart__cash_code"))
        lines = (
            VoucherLine.objects.filter(voucher__year_id__in=[year.pk for year in limited])
            .filter(voucher__state=Voucher.State.POSTED)
            .annotate(cash_account=F("account_id") + Value(0), cents=books.fen("credit"))
            .filter(
                cash_account__in=list(cash.values_list("pk", flat=True)),
                cents__gt=int(min(cash_limits[year.pk] for year in limited) * 100),
            )
            .filter(Exists(spending), ~Exists(reversal))
            .order_by()
            .values_list(
                "voucher_id",
                "voucher__year_id",
                "voucher__number",
                "voucher__date",
                "voucher__summary",
                "cents",
            )
        )
        for voucher_id, year_id, number, date, summary, cents in lines:
            if cents > int(cash_limits[year_id] * 100):
                cash_paid[voucher_id] = (year_id, number, date, summary, fen_to_decimal(cents))
    result: dict[int, list[compliance.Payment]] = {pk: [] for pk in ids}
    for fact in facts:
        voucher = fact.voucher
        result[voucher.year_id].append(
            compliance.Payment(
                date=voucher.date,
                amount=fen_to_decimal(fact.total_fen),
                paid_in_cash=voucher.pk in cash_paid or fact.paid_in_cash,
                purpose=fact.purpose,
                form=fact.form,
                headcount=fact.headcount,
                per_head=fact.per_head,
                voucher_id=voucher.pk,
                voucher_no=voucher.voucher_no,
                summary=voucher.summary,
            )
        )
    known = {payment.voucher_id for payments in result.values() for payment in payments}
    for voucher_id, (year_id, number, date, summary, amount) in cash_paid.items():
        if voucher_id not in known:
            result[year_id].append(
                compliance.Payment(
                    date=date,
                    amount=amount,
                    paid_in_cash=True,
                    voucher_id=voucher_id,
                    voucher_no=voucher_no(number),
                    summary=summary,
                )
            )
    return result


def _cash_limit(rules: list[SpendingRule]) -> Decimal | None:
    limits = [rule.limit for rule in rules if rule.kind == "cash_threshold"]
    return min(limits) if limits else None


def findings(year: AccountingYear) -> list[compliance.Finding]:
    """Every finding of the year's posted payments under the union's rules (of its ``Union.province``)."""
    rules = rules_for(year.union)
    return compliance.evaluate_year(rules, year_payments(year, _cash_limit(rules)))


def active_rules() -> list[SpendingRule]:
    """Every active rule, national and of every province, in a fixed order. One query."""
    return list(SpendingRule.objects.filter(is_active=True).order_by("pk"))


def rules_state(rules: list[SpendingRule]) -> list[tuple]:
    """What ``rules`` (``active_rules``) say, field by field: it changes when a rule is added, edited or retired."""
    names = [field.attname for field in SpendingRule._meta.concrete_fields]
    return [tuple(repr(getattr(rule, name)) for name in names) for rule in rules]


def findings_of_years(
    years: list[AccountingYear], every_rule: list[SpendingRule] | None = None
) -> dict[int, list[compliance.Finding]]:
    """``findings`` of many years (their unions and charts loaded) in four queries however many: the rules
    once (none when ``every_rule``, from ``active_rules``, is given), then the payments of all the years
    (``years_payments``)."""
    every_rule = active_rules() if every_rule is None else every_rule
    rules = {year.pk: compliance.applicable(every_rule, year.union.province) for year in years}
    payments = years_payments(years, {pk: _cash_limit(found) for pk, found in rules.items()})
    return {year.pk: compliance.evaluate_year(rules[year.pk], payments[year.pk]) for year in years}


def payment_warnings(
    *, year: AccountingYear, date: datetime.date, account, amount: Decimal, via: str, facts: dict
) -> list[str]:
    """What is wrong with a payment about to be recorded: broken rules (with the year's earlier payments for
    the annual caps) and a category's budget overrun."""
    rules = rules_for(year.union)
    earlier = [p for p in year_payments(year, None) if p.purpose and p.purpose == facts.get("purpose")]
    tally = compliance.YearTally()
    for payment in sorted(earlier, key=lambda p: (p.date, p.voucher_no)):
        compliance.evaluate(rules, payment, tally)
    payment = compliance.Payment(
        date=date,
        amount=amount,
        paid_in_cash=via == "cash",
        purpose=facts.get("purpose") or "",
        form=facts.get("form") or "",
        headcount=facts.get("headcount"),
        per_head=facts.get("per_head"),
    )
    warnings = [
        f"{f.rule}：{f.message}（依据：{f.source}）" for f in compliance.evaluate(rules, payment, tally)
    ]
    for row in budget_left(year, account):
        if row.actual + amount > row.budget:
            warnings.append(
                f"超预算：{row.code} {row.name}预算{row.budget}元，已支出{row.actual}元，"
                f"本笔{amount}元后超出{row.actual + amount - row.budget}元"
            )
    return warnings


# --- the report's part, and the home page ---------------------------------------------------------------


@dataclass(frozen=True)
class PlanReport:
    """What the 财务工作报告 and its JSON say of the plan: budget, dues, the levy, findings."""

    budget: BudgetExecution | None
    dues: DuesSummary | None
    levy_received: Decimal
    remitted: Decimal
    owed_upward: Decimal
    findings: tuple[compliance.Finding, ...]

    @property
    def fully_remitted(self) -> bool:
        """足额及时拨缴 may be said: something was remitted and nothing is still owed."""
        return self.owed_upward == 0


def plan_report(year: AccountingYear, summary: books.YearSummary) -> PlanReport:
    """The plan's part of a year's report, from the summary the report already has: seven queries (six when no
    rule limits cash), and one more each for a budget and a roster."""
    setting = settings_for(year.union)
    return PlanReport(
        budget=budget_execution(year, summary),
        dues=dues_summary(year.union, year.year, setting=setting),
        levy_received=levy_received(summary),
        remitted=summary.remittance_upper,
        owed_upward=owed_upward(summary),
        findings=tuple(findings(year)),
    )


def budget_accounts(year: AccountingYear):
    """The categories a budget may hold: the year's income and spending accounts with their 明细. One query."""
    return books.year_accounts(year).filter(
        type__in=[AccountType.INCOME, AccountType.EXPENSE], is_active=True
    )


def adjustments(year: AccountingYear) -> list:
    return list(
        BudgetAdjustment.objects.filter(
            budget__union_id=year.union_id, budget__year=year.year
        ).select_related("by")
    )


def flagged_payments(year: AccountingYear):
    """Payments recorded despite a warning, with the reason given. One query."""
    return (
        PaymentFacts.objects.filter(**_live(year))
        .exclude(reason="")
        .select_related("voucher")
        .order_by("voucher__date", "voucher__number")
    )


def fact_categories(year: AccountingYear):
    """The year's postable spending accounts with their parents (to tell which reach members). One query."""
    return books.postable_accounts(year=year, types=[AccountType.EXPENSE]).select_related("parent")
