"""The 2% levy: split by the union's share into 拨缴经费收入 and 应付上级经费, remitted upward, owed shown."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from ledger import queries
from ledger.errors import LedgerError
from ledger.hooks import extra_year_checks as year_checks
from ledger.models import Voucher
from plan import queries as plan_queries
from plan import services

from .conftest import d


def lines(voucher: Voucher) -> list[tuple[str, D, D]]:
    return [(line.account.name, line.debit.amount, line.credit.amount) for line in voucher.lines.all()]


def test_a_levy_receipt_splits_to_the_cent(book, keeper):
    voucher = services.record_levy(
        union=book.union, date=d("2025-03-15"), amount="10000.05", into="bank", user=keeper
    )
    assert voucher.is_posted
    assert lines(voucher) == [
        ("银行存款", D("10000.05"), D("0.00")),
        ("拨缴经费收入", D("0.00"), D("6000.03")),
        ("应付上级经费", D("0.00"), D("4000.02")),
    ]
    summary = queries.year_summary(book)
    assert plan_queries.levy_received(summary) == D("6000.03")
    assert plan_queries.owed_upward(summary) == D("4000.02")
    assert summary.income == D("6000.03")  # the upward share is never income


def test_the_share_is_the_unions_setting(book, keeper):
    services.save_settings(union=book.union, levy_kept_percent=D("70"))
    voucher = services.record_levy(
        union=book.union, date=d("2025-03-15"), amount="1000.00", into="bank", user=keeper
    )
    assert [line[2] for line in lines(voucher)[1:]] == [D("700.00"), D("300.00")]


def test_remitting_settles_the_liability_and_is_never_spending(book, keeper):
    services.record_levy(union=book.union, date=d("2025-03-15"), amount="10000.00", into="bank", user=keeper)
    remit = services.remit_levy(
        union=book.union, date=d("2025-03-25"), amount="2500.00", via="bank", user=keeper
    )
    assert lines(remit) == [("应付上级经费", D("2500.00"), D("0.00")), ("银行存款", D("0.00"), D("2500.00"))]
    summary = queries.year_summary(book)
    assert plan_queries.owed_upward(summary) == D("1500.00")
    assert summary.expense == D("0.00")
    assert summary.remittance_upper == D("2500.00")


def test_remitting_more_than_is_owed_is_refused_and_changes_nothing(book, keeper):
    services.record_levy(union=book.union, date=d("2025-03-15"), amount="1000.00", into="bank", user=keeper)
    before = Voucher.objects.count()
    with pytest.raises(LedgerError, match="上缴金额400.01元超过尚欠上级经费400.00元"):
        services.remit_levy(union=book.union, date=d("2025-03-25"), amount="400.01", via="bank", user=keeper)
    assert Voucher.objects.count() == before


def test_the_year_end_checks_warn_while_something_is_owed(book, keeper):
    services.record_levy(union=book.union, date=d("2025-03-15"), amount="1000.00", into="bank", user=keeper)
    check = next(c for c in year_checks(book) if c.title == "应付上级经费已足额上缴")
    assert (check.ok, check.required) == (False, False)
    assert "尚欠上级经费 400.00" in check.detail
    services.remit_levy(union=book.union, date=d("2025-03-25"), amount="400.00", via="bank", user=keeper)
    check = next(c for c in year_checks(book) if c.title == "应付上级经费已足额上缴")
    assert check.ok is True


def test_the_levy_and_remittance_forms(book, keeper_client):
    url = reverse("plan:levy", args=[book.union.slug, 2025])
    page = keeper_client.get(url)
    token = page.context["form"]["token"].value()
    response = keeper_client.post(
        url,
        {
            "token": token,
            "amount": "¥2,000.01",
            "date": "2025-04-10",
            "via": "bank",
            "summary": "收到拨缴经费",
        },
    )
    assert response.status_code == 302
    assert plan_queries.owed_upward(queries.year_summary(book)) == D(
        "800.00"
    )  # 2000.01 × 60% = 1200.006 → 1200.01
    again = keeper_client.post(
        url,
        {
            "token": token,
            "amount": "¥2,000.01",
            "date": "2025-04-10",
            "via": "bank",
            "summary": "收到拨缴经费",
        },
    )
    assert (
        again.status_code == 302 and Voucher.objects.filter(year=book).count() == 2
    )  # the opening and one levy
    remit_url = reverse("plan:remit", args=[book.union.slug, 2025])
    form = keeper_client.get(remit_url)
    assert "尚欠上级经费：<strong>800.00</strong>" in form.content.decode()
    refused = keeper_client.post(
        remit_url,
        {
            "token": form.context["form"]["token"].value(),
            "amount": "900",
            "date": "2025-04-20",
            "via": "bank",
            "summary": "上缴",
        },
    )
    assert refused.status_code == 200
    assert "上缴金额900.00元超过尚欠上级经费800.00元" in refused.content.decode()
    done = keeper_client.post(
        remit_url,
        {
            "token": form.context["form"]["token"].value(),
            "amount": "800",
            "date": "2025-04-20",
            "via": "bank",
            "summary": "上缴",
        },
    )
    assert done.status_code == 302
    assert plan_queries.owed_upward(queries.year_summary(book)) == D("0.00")


def test_an_auditor_may_not_record_the_levy(book, checker_client):
    assert checker_client.get(reverse("plan:levy", args=[book.union.slug, 2025])).status_code == 403
