"""The 经费审查 reads everything and raises 疑点, but every write to the books and to the bank side is refused."""

import pytest
from django.urls import reverse

from bank.models import CashCount, Match, Statement
from ledger.models import Account, Attachment, AuditEvent
from tests.conftest import PDF, nth, snapshot, upload

pytestmark = pytest.mark.usefixtures("media_root")

SLUG, YEAR = "blzq-hospital", 2012
ENTRY = {
    "date": "2012-06-01",
    "amount": "100.00",
    "summary": "审查员试图记账",
    "category": "",
    "via": "cash",
    "into": "cash",
    "reason": "试图冲销",
    "parent": "",
    "name": "审查员科目",
    "year": "2013",
    "confirm": "on",
    "form-TOTAL_FORMS": "2",
    "form-INITIAL_FORMS": "0",
    "form-0-account": "101",
    "form-0-debit": "1.00",
    "form-1-account": "102",
    "form-1-credit": "1.00",
}


def _writes(demo):
    voucher = nth(demo, 3).pk
    book = [SLUG, YEAR]
    return [
        reverse("ledger:open_year", args=[SLUG]),
        reverse("ledger:opening_balances", args=book),
        reverse("ledger:receipt", args=book),
        reverse("ledger:payment", args=book),
        reverse("ledger:voucher_new", args=book),
        reverse("ledger:voucher_reverse", args=[*book, voucher]),
        reverse("ledger:attachment_upload", args=[*book, voucher]),
        reverse("ledger:sub_account_new", args=book),
        reverse("ledger:year_close", args=book),
        reverse("ledger:year_reopen", args=book),
        reverse("bank:statements", args=book),
        reverse("bank:matching", args=book),
        reverse("bank:cash_counts", args=book),
    ]


def test_every_write_to_the_books_is_refused_for_the_auditor(demo, client_for):
    client = client_for("auditor")
    before = (snapshot(), Attachment.objects.count(), Account.objects.count())
    for url in _writes(demo):
        data = {**ENTRY, "file": upload("扫描件.pdf", PDF), "action": "confirm_all"}
        response = client.post(url, data)
        assert response.status_code == 403, url
    assert (snapshot(), Attachment.objects.count(), Account.objects.count()) == before
    assert not Statement.objects.exists() and not Match.objects.exists() and not CashCount.objects.exists()
    assert not AuditEvent.objects.filter(user__username="auditor").exclude(action="login").exists()
