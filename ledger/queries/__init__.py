"""Reads that aggregate the books. Each is a fixed number of queries, however many vouchers there are.

- ``balances``: 分 sums, the period rule, an account's movement, the 科目余额表;
- ``summary``: the year's figures (``year_summary``) and the year-end checks built on them;
- ``books``: 日记账 and 明细账, the voucher list, postable accounts, the workbook's lines.

The names are gathered here so callers write ``queries.trial_balance(...)``; each lives in one module.
"""

from ledger.queries.balances import (
    LeafBalance,
    Movement,
    TrialBalanceRow,
    TrialBalanceTotals,
    account_movement,
    fen,
    fen_sum,
    leaf_balances,
    period,
    posted_lines,
    rows_of,
    trial_balance,
    trial_balance_totals,
    year_accounts,
)
from ledger.queries.books import (
    Journal,
    JournalLine,
    JournalRow,
    VoucherLines,
    books_state,
    journal,
    journal_rows,
    postable_accounts,
    scans,
    sub_account_suggestions,
    voucher_in,
    voucher_lines,
    voucher_totals,
    vouchers,
    with_totals,
)
from ledger.queries.entry import AccountHint, EntryHints, entry_hints, template_lines, voucher_templates
from ledger.queries.summary import (
    CategoryTotal,
    Check,
    Comparison,
    YearSummary,
    previous_year,
    year_checks,
    year_end_checks,
    year_summary,
)

__all__ = [
    "AccountHint",
    "EntryHints",
    "entry_hints",
    "template_lines",
    "voucher_templates",
    "CategoryTotal",
    "Check",
    "Comparison",
    "Journal",
    "JournalLine",
    "JournalRow",
    "LeafBalance",
    "Movement",
    "TrialBalanceRow",
    "TrialBalanceTotals",
    "VoucherLines",
    "YearSummary",
    "account_movement",
    "books_state",
    "fen",
    "fen_sum",
    "journal",
    "journal_rows",
    "leaf_balances",
    "period",
    "postable_accounts",
    "posted_lines",
    "previous_year",
    "rows_of",
    "trial_balance",
    "trial_balance_totals",
    "scans",
    "sub_account_suggestions",
    "voucher_lines",
    "voucher_in",
    "voucher_totals",
    "vouchers",
    "with_totals",
    "year_accounts",
    "year_checks",
    "year_end_checks",
    "year_summary",
]
