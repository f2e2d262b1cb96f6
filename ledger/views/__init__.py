"""The treasurer's pages, one module per idea: ``entry`` (记账), ``books`` (reading the books), ``year_end``
(opening a year, 期初余额, 结账 and 反结账). Each view: access (``ledger.access.book_for``) → form → one
service or query call → message → redirect or render. The navigation comes from
``unionledger.context_processors.book_nav``.
"""

from ledger.views.books import (
    account_ledger,
    account_list,
    attachment_file,
    dashboard,
    general_ledger,
    home,
    journal,
    union_home,
    voucher_detail,
    voucher_list,
    voucher_print,
)
from ledger.views.branches import branches
from ledger.views.entry import (
    attachment_upload,
    payment,
    receipt,
    sub_account_new,
    voucher_batch,
    voucher_edit,
    voucher_new,
    voucher_reverse,
    voucher_step,
)
from ledger.views.fast_entry import entry_accounts, save_template
from ledger.views.year_end import open_year, opening_balances, year_close, year_reopen

__all__ = [
    "account_ledger",
    "account_list",
    "general_ledger",
    "attachment_file",
    "attachment_upload",
    "branches",
    "dashboard",
    "entry_accounts",
    "home",
    "journal",
    "open_year",
    "opening_balances",
    "payment",
    "receipt",
    "save_template",
    "sub_account_new",
    "union_home",
    "voucher_detail",
    "voucher_batch",
    "voucher_edit",
    "voucher_list",
    "voucher_print",
    "voucher_step",
    "voucher_new",
    "voucher_reverse",
    "year_close",
    "year_reopen",
]
