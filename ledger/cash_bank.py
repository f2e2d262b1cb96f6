"""库存现金 and 银行存款 never below zero, on any day of the year.

A union cannot spend money it does not hold: a cash box or a bank account below zero is an error in the
books, never a fact. A balance here is the end-of-day balance of the 科目 with all its 明细科目 (vouchers of
one day have no order the treasurer can rely on), counting every posted voucher of the year: the opening
voucher, receipts, payments, general vouchers, 结转 and reversals alike.

A voucher dated D changes every end-of-day balance from D to 31 December by the same amount, so it is
refused when the lowest of those balances plus that amount is below zero — a back-dated payment is checked
against the days after it too. ``lowest_balances`` is the one query this takes; a voucher that takes no money
out of cash or bank needs none. It is swappable: per-account-per-day totals can answer the same question.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, CharField, Q, Value, When
from django.db.models.functions import Greatest

from ledger.errors import NegativeBalance
from ledger.models import Account, AccountingYear
from ledger.money import fen_to_decimal
from ledger.queries.balances import fen_sum, posted_lines

CASH, BANK = "cash", "bank"


@dataclass(frozen=True)
class Lowest:
    """The lowest end-of-day balance of cash or bank over a period, in 分, and the first day it is reached."""

    fen: int
    day: datetime.date

    @property
    def amount(self) -> Decimal:
        return fen_to_decimal(self.fen)


def _codes(year: AccountingYear) -> dict[str, str]:
    return {CASH: year.chart.cash_code, BANK: year.chart.bank_code}


def lowest_balances(*, year: AccountingYear, start: datetime.date) -> dict[str, Lowest]:
    """The lowest end-of-day balance of cash and of bank from ``start`` to the end of ``year``. One query.

    Lines dated before ``start`` are counted on ``start``, so the first row is the balance ``start`` opens
    the period with; then one row per day with movement. An account without lines is at 0.00 on ``start``.
    """
    codes = _codes(year)
    money = Q(account__code__startswith=codes[CASH]) | Q(account__code__startswith=codes[BANK])
    rows = (
        posted_lines(year)
        .filter(money, voucher__date__lte=year.end)
        .annotate(
            money_account=Case(
                When(account__code__startswith=codes[CASH], then=Value(CASH)),
                default=Value(BANK),
                output_field=CharField(),
            ),
            day=Greatest("voucher__date", Value(start)),
        )
        .values("money_account", "day")
        .annotate(debit_fen=fen_sum("debit"), credit_fen=fen_sum("credit"))
        .order_by("money_account", "day")
        .values_list("money_account", "day", "debit_fen", "credit_fen")
    )
    lowest = {CASH: Lowest(0, start), BANK: Lowest(0, start)}
    running = {CASH: 0, BANK: 0}
    for account, day, debit_fen, credit_fen in rows:
        running[account] += debit_fen - credit_fen
        if running[account] < lowest[account].fen or day == start:
            lowest[account] = Lowest(running[account], day)
    return lowest


def _names(year: AccountingYear) -> dict[str, str]:
    codes = _codes(year)
    names = dict(
        Account.objects.filter(
            chart_id=year.chart_id, union__isnull=True, code__in=codes.values()
        ).values_list("code", "name")
    )
    return {key: names.get(code, code) for key, code in codes.items()}


def check_voucher(
    *, year: AccountingYear, date: datetime.date, lines: Iterable[tuple[str, Decimal, Decimal]]
) -> None:
    """Refuse a voucher (lines as account code, 借, 贷) that would take cash or bank below zero on any day
    from ``date`` to the end of ``year``. No query unless the voucher takes money out of cash or bank.

    Called inside the posting transaction with the year's row locked, so two postings cannot both pass.
    """
    codes = _codes(year)
    change = {CASH: 0, BANK: 0}
    for code, debit, credit in lines:
        for account, prefix in codes.items():
            if code.startswith(prefix):
                change[account] += int((debit - credit) * 100)
    if all(value >= 0 for value in change.values()):
        return
    lowest = lowest_balances(year=year, start=date)
    for account in (CASH, BANK):
        low = lowest[account]
        if change[account] < 0 and low.fen + change[account] < 0:
            name = _names(year)[account]
            after = fen_to_decimal(low.fen + change[account])
            raise NegativeBalance(
                f"{name}余额不足：{low.day:%Y-%m-%d}余额{low.amount}元，本凭证减少{fen_to_decimal(-change[account])}元，"
                f"记账后该日余额将为{after}元；{name}在任何一天都不能为负数"
            )


def year_end_lows(*, year: AccountingYear) -> list[tuple[str, Lowest]]:
    """For the 结账 check: the name and the lowest end-of-day balance of cash and of bank. Two queries."""
    lowest = lowest_balances(year=year, start=year.start)
    names = _names(year)
    return [(names[account], lowest[account]) for account in (CASH, BANK)]
