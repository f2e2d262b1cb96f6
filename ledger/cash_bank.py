"""库存现金 and 银行存款 never below zero, on any day of the year.

A union cannot spend money it does not hold: a cash box or a bank account below zero is an error in the
books, never a fact. A balance here is the end-of-day balance of the 科目 with all its 明细科目 (vouchers of
one day have no order the treasurer can rely on), counting every posted voucher of the year: the opening
voucher, receipts, payments, general vouchers, 结转 and reversals alike.

A voucher dated D changes every end-of-day balance from D to 31 December by the same amount, so it is
refused when the lowest of those balances plus that amount is below zero — a back-dated payment is checked
against the days after it too. ``daily_movements`` is the one query this takes, over the per-account-per-day
totals the database keeps (at most 366 rows an account, however full the year); a voucher that takes no money
out of cash or bank needs none. Many vouchers posted at once (``services.record_many``, the import) are checked
once, after they are written and before their transaction ends, by their joint effect on every day
(``Outflows``, ``check_posted``).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from ledger.errors import NegativeBalance
from ledger.models import Account, AccountingYear
from ledger.money import fen_to_decimal

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


def daily_movements(
    *, year: AccountingYear, start: datetime.date
) -> dict[str, list[tuple[datetime.date, int]]]:
    """Cash's and bank's net movement in 分 (借 minus 贷, with all their 明细科目) per day from ``start`` to the end
    of ``year``, days with movement only, in date order; everything before ``start`` is counted on ``start``.
    One query over the per-day totals (``DayTotal``): at most 366 rows an account, however many vouchers. Written
    as SQL: every payment makes it, and the ORM's compiling cost more than the database's answer."""
    codes = _codes(year)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN a.code LIKE %s THEN 'cash' ELSE 'bank' END, "
            "CASE WHEN t.date < %s THEN %s ELSE t.date END, SUM(t.debit_fen - t.credit_fen) "
            "FROM ledger_daytotal t JOIN ledger_account a ON a.id = t.account_id "
            "WHERE t.year_id = %s AND (a.code LIKE %s OR a.code LIKE %s) GROUP BY 1, 2 ORDER BY 1, 2",
            [f"{codes[CASH]}%", start, start, year.pk, f"{codes[CASH]}%", f"{codes[BANK]}%"],
        )
        rows = cursor.fetchall()
    movements: dict[str, list[tuple[datetime.date, int]]] = {CASH: [], BANK: []}
    for account, day, net in rows:
        day = day if isinstance(day, datetime.date) else datetime.date.fromisoformat(day)
        movements[account].append((day, int(net)))
    return movements


def _lowest(movements: list[tuple[datetime.date, int]], start: datetime.date) -> Lowest:
    lowest, running = Lowest(0, start), 0
    for day, net in movements:
        running += net
        if running < lowest.fen or day == start:
            lowest = Lowest(running, day)
    return lowest


def lowest_balances(*, year: AccountingYear, start: datetime.date) -> dict[str, Lowest]:
    """The lowest end-of-day balance of cash and of bank from ``start`` to the end of ``year``. One query.

    Lines dated before ``start`` are counted on ``start``, so the first row is the balance ``start`` opens
    the period with; then one row per day with movement. An account without lines is at 0.00 on ``start``.
    """
    movements = daily_movements(year=year, start=start)
    return {account: _lowest(movements[account], start) for account in (CASH, BANK)}


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
    change = _change(_codes(year), lines)
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


def _change(codes: dict[str, str], lines: Iterable[tuple[str, Decimal, Decimal]]) -> dict[str, int]:
    change = {CASH: 0, BANK: 0}
    for code, debit, credit in lines:
        for account, prefix in codes.items():
            if code.startswith(prefix):
                change[account] += int((debit - credit) * 100)
    return change


@dataclass
class Outflows:
    """What a batch took out of cash and bank, for ``check_posted``: per account, the name of the batch's last voucher
    taking money out on each day. At most 366 names an account, however many vouchers the batch posts."""

    last: dict[str, dict[datetime.date, str]] = field(default_factory=lambda: {CASH: {}, BANK: {}})

    def add(
        self,
        year: AccountingYear,
        date: datetime.date,
        lines: Iterable[tuple[str, Decimal, Decimal]],
        name: Callable[[], str],
    ) -> None:
        """Note a voucher of the batch (in posting order, ``name`` says how a message names it), if it takes money
        out of cash or bank."""
        for account, value in _change(_codes(year), lines).items():
            if value < 0:
                self.last[account][date] = name()


def check_posted(*, year: AccountingYear, outflows: Outflows) -> None:
    """Refuse a batch, once written (inside its transaction, the year's row locked), if together its vouchers took
    cash or bank below zero at the end of any day from the first day the batch takes money out of it to the end of
    ``year``. The books held no such day before (every posting keeps it so), so a day below zero is the batch's.

    The batch is one change: its vouchers of one day count together, whatever their order, as they do in the
    books. The message names the batch's last voucher that takes money out of the account on or before the first
    day it falls below zero. One query over the per-day totals, none if no voucher took money out. The caller
    raises out of the transaction, so nothing of the batch stays written.
    """
    firsts = {account: min(days) for account, days in outflows.last.items() if days}
    if not firsts:
        return
    movements = daily_movements(year=year, start=min(firsts.values()))
    for account, first_out in firsts.items():
        running = 0
        for day, net in movements[account]:
            running += net
            if day >= first_out and running < 0:
                which = outflows.last[account][max(d for d in outflows.last[account] if d <= day)]
                money = _names(year)[account]
                raise NegativeBalance(
                    f"{which}：{money}余额不足：连同本批凭证，"
                    f"{day:%Y-%m-%d}日末余额将为{fen_to_decimal(running)}元；{money}在任何一天都不能为负数"
                )
