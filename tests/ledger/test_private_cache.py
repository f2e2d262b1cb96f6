"""Private pages and exports tell browsers and proxies to keep no copy (issue 9, item 7)."""

import pytest
from django.urls import reverse

from tests.conftest import download, nth

SLUG, YEAR = "blzq-hospital", 2012


@pytest.fixture
def report_cache(settings, tmp_path):
    settings.REPORT_CACHE_DIR = tmp_path / "report-cache"


def private_urls(demo, scan) -> list[str]:
    voucher = nth(demo, 3)
    book = [SLUG, YEAR]
    return [
        reverse("ledger:dashboard", args=book),
        reverse("ledger:vouchers", args=book),
        reverse("ledger:voucher", args=[*book, voucher.pk]),
        reverse("ledger:cash_journal", args=book),
        reverse("ledger:cash_journal", args=book) + "?format=xlsx&scope=year",
        reverse("ledger:accounts", args=book),
        reverse("ledger:accounts", args=book) + "?format=xlsx",
        reverse("ledger:general_ledger", args=[*book, voucher.lines.first().account_id]),
        reverse("ledger:general_ledger", args=[*book, voucher.lines.first().account_id]) + "?format=xlsx",
        reverse("audit:trail", args=book),
        reverse("audit:export", args=book),
        reverse("ledger:attachment", args=[*book, scan.pk]),
        reverse("reports:annual", args=book),
        reverse("reports:statements", args=book),
        reverse("reports:annual_xlsx", args=book),
        reverse("reports:annual_pdf", args=book),
    ]


def test_every_private_page_and_export_is_no_store(client_for, demo, demo_scan, report_cache):
    client = client_for("auditor")
    for url in private_urls(demo, demo_scan):
        response = download(client, url)
        assert response.status_code == 200, url
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert "no-store" in directives, url


def test_signed_in_redirects_are_no_store_too(client_for, demo):
    client = client_for("treasurer")
    for url in [reverse("home"), reverse("ledger:union", args=[SLUG])]:
        response = client.get(url)
        assert response.status_code == 302
        assert "no-store" in response["Cache-Control"], url
