"""The books of a union, scoped by its slug and the accounting year: /u/<slug>/<year>/..."""

from django.urls import path, register_converter

from ledger import views


class StepConverter:
    """A step of a voucher's life that its page posts to (``views.entry.voucher_step``)."""

    regex = "review|unreview|sign|post|delete"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(StepConverter, "step")

app_name = "ledger"

book = "u/<slug:slug>/<int:year>/"

urlpatterns = [
    path("u/<slug:slug>/", views.union_home, name="union"),
    path("u/<slug:slug>/years/", views.open_year, name="open_year"),
    path(book, views.dashboard, name="dashboard"),
    path(book + "opening/", views.opening_balances, name="opening_balances"),
    path(book + "receipt/", views.receipt, name="receipt"),
    path(book + "payment/", views.payment, name="payment"),
    path(book + "branches/", views.branches, name="branches"),
    path(book + "vouchers/new/", views.voucher_new, name="voucher_new"),
    path(book + "entry/accounts.json", views.entry_accounts, name="entry_accounts"),
    path(book + "vouchers/<int:pk>/template/", views.save_template, name="voucher_template"),
    path(book + "vouchers/", views.voucher_list, name="vouchers"),
    path(book + "vouchers/<int:pk>/", views.voucher_detail, name="voucher"),
    path(book + "vouchers/<int:pk>/reverse/", views.voucher_reverse, name="voucher_reverse"),
    path(book + "vouchers/<int:pk>/edit/", views.voucher_edit, name="voucher_edit"),
    path(book + "vouchers/<int:pk>/print/", views.voucher_print, name="voucher_print"),
    path(book + "vouchers/<int:pk>/<step:step>/", views.voucher_step, name="voucher_step"),
    path(book + "vouchers/batch/", views.voucher_batch, name="voucher_batch"),
    path(book + "vouchers/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path(book + "attachments/<int:pk>/", views.attachment_file, name="attachment"),
    path(book + "cash/", views.journal, {"book_kind": "cash"}, name="cash_journal"),
    path(book + "bank/", views.journal, {"book_kind": "bank"}, name="bank_journal"),
    path(book + "accounts/", views.account_list, name="accounts"),
    path(book + "accounts/new/", views.sub_account_new, name="sub_account_new"),
    path(book + "accounts/<int:pk>/", views.account_ledger, name="account_ledger"),
    path(book + "accounts/<int:pk>/general/", views.general_ledger, name="general_ledger"),
    path(book + "close/", views.year_close, name="year_close"),
    path(book + "reopen/", views.year_reopen, name="year_reopen"),
]
