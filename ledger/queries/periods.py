"""A year's figures up to the end of one month: what the monthly statements (工会01表, 工会02表) read.

Built on the 科目余额表 (``balances.trial_balance``), before the year-end 结转 so that income and spending
show what the year brought in and spent; a fixed number of queries however many vouchers there are.
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from ledger.models import AccountingYear, AccountType
from ledger.money import ZERO
from ledger.queries.balances import TrialBalanceRow, leaf_balances, trial_balance


@dataclass(frozen=True)
class PeriodFigures:
    """Code → amount on the account's normal side, for every account with a figure (明细 included).

    ``opening``: 年初数; ``closing``: 期末数 at the month's end (income and spending: 本年累计数);
    ``month``: what the month itself moved (本月数); ``surplus``: income less spending to the month's end.
    """

    year: AccountingYear
    month: int
    end: datetime.date
    rows: tuple[TrialBalanceRow, ...]  # the 科目余额表 to the month's end
    opening: dict[str, Decimal]
    closing: dict[str, Decimal]
    in_month: dict[str, Decimal]

    @property
    def surplus(self) -> Decimal:
        return sum(
            (
                row.closing if row.account.type == AccountType.INCOME else -row.closing
                for row in self.rows
                if row.level == 1 and row.account.type in (AccountType.INCOME, AccountType.EXPENSE)
            ),
            ZERO,
        )


def period_figures(
    year: AccountingYear, month: int, *, rows: tuple[TrialBalanceRow, ...] | None = None
) -> PeriodFigures:
    """The figures of ``year`` (with its chart) from 1 January to the end of ``month``.

    Five queries; two when ``rows`` is the year's 科目余额表 before 结转 to that month's end (for December,
    ``YearSummary.rows``, which the annual report has already read).
    """
    if month not in range(1, 13):
        raise ValueError(month)
    start = datetime.date(year.year, month, 1)
    end = datetime.date(year.year, month, calendar.monthrange(year.year, month)[1])
    if rows is None:
        rows = tuple(trial_balance(year=year, end=end, include_closing=False))
    inside = leaf_balances(year=year, start=start, end=end, include_closing=False)
    in_month = {}
    for row in rows:
        net = sum(
            (leaf.debit - leaf.credit for leaf in inside if leaf.account.code.startswith(row.account.code)),
            ZERO,
        )
        in_month[row.account.code] = net if row.account.debit_normal else -net
    return PeriodFigures(
        year=year,
        month=month,
        end=end,
        rows=tuple(rows),
        opening={row.account.code: row.opening for row in rows},
        closing={row.account.code: row.closing for row in rows},
        in_month=in_month,
    )
