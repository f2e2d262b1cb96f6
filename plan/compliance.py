"""The spending rules applied to payments. Pure: rules and payments in, findings out; no database.

The same ``evaluate`` warns at entry (one payment, with what the year already holds) and lists the findings
of a year (every payment in date order), so the 支出 form, the auditor's 合规检查 page, the 结账 checks and
the report appendix always agree.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from plan.arith import per_head
from plan.models import GiftForm, Purpose, RuleKind, SpendingRule


@dataclass(frozen=True)
class Payment:
    """What the rules see of one 支出."""

    date: datetime.date
    amount: Decimal
    paid_in_cash: bool
    purpose: str = ""
    form: str = ""
    headcount: int | None = None
    per_head: Decimal | None = None
    voucher_id: int | None = None
    voucher_no: str = ""
    summary: str = ""

    @property
    def each(self) -> Decimal | None:
        """人均: as entered, else the amount shared by 人数."""
        return self.per_head if self.per_head is not None else per_head(self.amount, self.headcount)


@dataclass(frozen=True)
class Finding:
    """One payment that breaks one rule."""

    rule_code: str
    rule: str
    source: str
    province: str
    date: datetime.date
    amount: Decimal
    message: str
    voucher_id: int | None = None
    voucher_no: str = ""
    summary: str = ""


def in_force(rule: SpendingRule, date: datetime.date) -> bool:
    return (rule.valid_from is None or rule.valid_from <= date) and (
        rule.valid_to is None or date <= rule.valid_to
    )


def applicable(rules: Iterable[SpendingRule], province: str) -> list[SpendingRule]:
    """The active national rules and those of ``province``."""
    return [r for r in rules if r.is_active and (not r.province or r.province == province)]


def _covers(rule: SpendingRule, purpose: str) -> bool:
    return bool(purpose) and (not rule.purposes or purpose in rule.purposes)


@dataclass
class YearTally:
    """What earlier payments of the year add up to, per annual rule: 人均 so far."""

    per_head: dict[str, Decimal] = field(default_factory=dict)


def evaluate(
    rules: Sequence[SpendingRule], payment: Payment, tally: YearTally | None = None
) -> list[Finding]:
    """The findings of one payment under ``rules`` (already chosen by province). ``tally`` carries the
    year's earlier payments for the per-member annual caps and is updated with this one."""
    tally = tally if tally is not None else YearTally()
    found = []
    form_label = GiftForm(payment.form).label if payment.form else ""
    purpose_label = Purpose(payment.purpose).label if payment.purpose else ""
    each = payment.each
    for rule in rules:
        if not in_force(rule, payment.date):
            continue
        message = ""
        if rule.kind == RuleKind.BANNED_FORM:
            if _covers(rule, payment.purpose) and payment.form in rule.forms:
                message = f"{purpose_label}以{form_label}发放"
        elif rule.kind == RuleKind.PER_HEAD_CAP:
            if _covers(rule, payment.purpose) and each is not None and each > rule.limit:
                message = f"{purpose_label}人均{each}元，超过每人{rule.limit}元"
        elif rule.kind == RuleKind.ANNUAL_PER_HEAD_CAP:
            if _covers(rule, payment.purpose) and each is not None:
                so_far = tally.per_head.get(rule.code, Decimal(0)) + each
                tally.per_head[rule.code] = so_far
                if so_far > rule.limit:
                    message = f"{purpose_label}本年人均累计{so_far}元，超过每人每年{rule.limit}元"
        elif rule.kind == RuleKind.CASH_THRESHOLD:
            if payment.paid_in_cash and payment.amount > rule.limit:
                message = f"以现金支付{payment.amount}元，超过{rule.limit}元"
        if message:
            found.append(
                Finding(
                    rule_code=rule.code,
                    rule=rule.title,
                    source=rule.source,
                    province=rule.province or "全国",
                    date=payment.date,
                    amount=payment.amount,
                    message=message,
                    voucher_id=payment.voucher_id,
                    voucher_no=payment.voucher_no,
                    summary=payment.summary,
                )
            )
    return found


def evaluate_year(rules: Sequence[SpendingRule], payments: Iterable[Payment]) -> list[Finding]:
    """Every finding of a year's payments, taken in date and 凭证号 order (annual caps add up in that order)."""
    tally = YearTally()
    found = []
    for payment in sorted(payments, key=lambda p: (p.date, p.voucher_no, p.voucher_id or 0)):
        found.extend(evaluate(rules, payment, tally))
    return found
