"""How much the books hold (issue 9, item 4): entry refuses beyond the bounds of ``ledger.money``, and every
page and export renders the largest figures the books can reach."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from ledger import services
from ledger.errors import AmountError, LedgerError
from ledger.models import AccountingYear, Voucher
from ledger.money import (
    MAX_LINE_AMOUNT,
    MAX_VOUCHER_TOTAL,
    MAX_VOUCHERS_PER_YEAR,
    MAX_YEAR_TOTAL,
    amount_in_words,
    format_amount,
    parse_amount_input,
)
from ledger.submissions import new_token
from tests.conftest import d, download, settle_year_end, snapshot

SLUG = "blzq-hospital"
V = MAX_VOUCHER_TOTAL


def test_the_bounds():
    assert MAX_LINE_AMOUNT == Decimal("99999999.99")
    assert MAX_VOUCHER_TOTAL == Decimal("99999999.99")
    assert MAX_VOUCHERS_PER_YEAR == 99_999
    assert MAX_YEAR_TOTAL == Decimal("9999899999000.01")
    assert parse_amount_input("99,999,999.99") == Decimal("99999999.99")
    for text in ["100000000.00", "100,000,000", "999,999,999,999.99"]:
        with pytest.raises(AmountError, match="^金额不能超过99,999,999.99元$"):
            parse_amount_input(text)


def test_pages_print_any_figure_the_books_can_reach():
    largest = Decimal("9999999999999999.99")  # ledger.money.MAX_FIGURE, far beyond 2 × MAX_YEAR_TOTAL
    assert format_amount(largest) == "9,999,999,999,999,999.99"
    assert (
        amount_in_words(largest)
        == "玖仟玖佰玖拾玖万亿玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"
    )
    with pytest.raises(AmountError, match="^金额超出范围"):
        format_amount(largest + Decimal("0.01"))


def _receipt(demo, user, amount, date="2012-12-30"):
    return services.record_receipt(
        union=demo.union,
        date=d(date),
        account="401",
        amount=amount,
        into="bank",
        summary="会费",
        user=user,
    )


def test_receipts_of_a_trillion_are_refused_at_entry_and_change_nothing(client, demo):
    treasurer = get_user_model().objects.get(username="treasurer")
    client.force_login(treasurer)
    before = snapshot()
    for _ in range(2):
        response = client.post(
            reverse("ledger:receipt", args=[SLUG, 2012]),
            {
                "category": str(services.resolve_account(demo, "401").pk),
                "amount": "999,999,999,999.99",
                "date": "2012-12-30",
                "via": "bank",
                "summary": "会费",
                "attachment_count": "0",
                "token": new_token(),
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors == {"amount": ["金额不能超过99,999,999.99元"]}
    with pytest.raises(AmountError, match="^金额不能超过99,999,999.99元$"):
        _receipt(demo, treasurer, "999999999999.99")
    with pytest.raises(AmountError, match="^金额不能超过99,999,999.99元$"):
        _receipt(demo, treasurer, Decimal("100000000.00"))
    assert snapshot() == before
    assert client.get(reverse("ledger:dashboard", args=[SLUG, 2012])).status_code == 200


def test_a_voucher_whose_lines_add_up_beyond_the_bound_is_refused(demo):
    treasurer = get_user_model().objects.get(username="treasurer")
    before = snapshot()
    lines = [
        services.Line("101", debit="50000000.00"),
        services.Line("102", debit="50000000.00"),
        services.Line("401", credit="50000000.00"),
        services.Line("402", credit="50000000.00"),
    ]
    with pytest.raises(AmountError, match="^一张凭证的借方合计不能超过99,999,999.99元$"):
        services.record_voucher(
            year=demo, posted_by=treasurer, date=d("2012-12-30"), summary="x", lines=lines
        )
    with pytest.raises(AmountError, match="^第1行：金额不能超过99,999,999.99元$"):
        services.record_voucher(
            year=demo,
            posted_by=treasurer,
            date=d("2012-12-30"),
            summary="x",
            lines=[services.Line("102", debit="100000000.00"), services.Line("401", credit="100000000.00")],
        )
    assert snapshot() == before


def test_a_year_holds_at_most_99999_entered_vouchers(demo):
    treasurer = get_user_model().objects.get(username="treasurer")
    AccountingYear.objects.filter(pk=demo.pk).update(next_number=MAX_VOUCHERS_PER_YEAR)
    last = _receipt(demo, treasurer, V)
    assert last.is_posted
    demo.refresh_from_db()
    assert demo.next_number == MAX_VOUCHERS_PER_YEAR + 1
    before = snapshot()
    with pytest.raises(LedgerError, match="^2012年度的凭证已达99999张的上限，不能再记账$"):
        _receipt(demo, treasurer, "1.00")
    assert snapshot() == before


@pytest.fixture
def biggest(demo, settings, tmp_path):
    """2010 and 2011 of the demo union at the bounds (before its open 2012: years close in order, so the
    years closed here come first — ledger.lifecycle).

    2010 opens with MAX_YEAR_TOTAL in the bank (the largest opening voucher), takes two receipts of
    MAX_VOUCHER_TOTAL into the bank — the bank journal passes 10万亿 — and pays them out again, so 2011 opens with
    MAX_YEAR_TOTAL. 2011 takes two more receipts: its balances, 科目余额表, report and statements all pass 10万亿,
    far past 1万亿, where every page used to answer 500.
    """
    settings.REPORT_CACHE_DIR = tmp_path / "report-cache"
    treasurer = get_user_model().objects.get(username="treasurer")
    union = demo.union
    year = services.open_year(union=union, year=2010)
    services.record_opening_balances(
        year=year, balances={"102": MAX_YEAR_TOTAL, "331": MAX_YEAR_TOTAL}, user=treasurer
    )
    for account in ("401", "402"):
        services.record_receipt(
            union=union,
            date=d("2010-03-01"),
            account=account,
            amount=V,
            into="bank",
            summary="大额收入",
            user=treasurer,
        )
    for account in ("50104", "50102"):
        services.record_payment(
            union=union,
            date=d("2010-06-01"),
            account=account,
            amount=V,
            via="bank",
            summary="大额支出",
            user=treasurer,
        )
    settle_year_end(year, treasurer)
    services.close_year(year=year, user=treasurer)
    for into in ("bank", "cash"):
        services.record_receipt(
            union=union,
            date=d("2011-01-10"),
            account="401",
            amount=V,
            into=into,
            summary="大额会费",
            user=treasurer,
        )
    return {
        # the books are paged by month: the bank's peak is on the page of the month it was reached
        2010: {
            "net": MAX_YEAR_TOTAL,
            "bank_peak": MAX_YEAR_TOTAL + 2 * V,
            "opening": MAX_YEAR_TOTAL,
            "month": 3,
        },
        2011: {
            "net": MAX_YEAR_TOTAL + 2 * V,
            "bank_peak": MAX_YEAR_TOTAL + V,
            "opening": MAX_YEAR_TOTAL,
            "month": 1,
        },
    }


PAGES = [
    ("ledger:dashboard", []),
    ("ledger:vouchers", []),
    ("ledger:cash_journal", []),
    ("ledger:bank_journal", []),
    ("ledger:accounts", []),
    ("reports:annual", []),
    ("reports:statements", []),
]


@pytest.mark.parametrize("year", [2010, 2011])
def test_every_page_and_export_renders_at_the_bounds(client, biggest, year):
    figures = biggest[year]
    assert max(figures["net"], figures["bank_peak"]) > Decimal("9999999999999.99")  # past 10万亿
    client.force_login(get_user_model().objects.get(username="auditor"))
    net = format_amount(figures["net"])
    for name, args in PAGES:
        response = client.get(reverse(name, args=[SLUG, year, *args]))
        assert response.status_code == 200, name
        if name in ("ledger:accounts", "reports:annual", "reports:statements"):
            assert net in response.content.decode(), name
    month = {"month": figures["month"]}
    bank = client.get(reverse("ledger:bank_journal", args=[SLUG, year]), month).content.decode()
    assert format_amount(figures["bank_peak"]) in bank
    opening = Voucher.objects.get(year__year=year, kind=Voucher.Kind.OPENING)
    detail = client.get(reverse("ledger:voucher", args=[SLUG, year, opening.pk])).content.decode()
    assert format_amount(figures["opening"]) in detail
    assert amount_in_words(figures["opening"]) in detail
    ledger_102 = services.resolve_account(opening.year, "102")
    account_page = client.get(reverse("ledger:account_ledger", args=[SLUG, year, ledger_102.pk]), month)
    assert format_amount(figures["bank_peak"]) in account_page.content.decode()
    for name in ("ledger:bank_journal", "ledger:accounts"):  # the books' workbooks at the bounds
        sheet = download(client, reverse(name, args=[SLUG, year]) + "?format=xlsx&scope=year")
        content = b"".join(sheet.streaming_content)
        assert sheet.status_code == 200 and load_workbook(io.BytesIO(content)).active.max_row > 5

    xlsx = download(client, reverse("reports:annual_xlsx", args=[SLUG, year]))
    assert xlsx.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    numbers = {
        Decimal(str(cell)).quantize(Decimal("0.01"))
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, (int, float)) and not isinstance(cell, bool)
    }
    assert figures["net"] in numbers  # an Excel double keeps these figures to the 分

    pdf = download(client, reverse("reports:annual_pdf", args=[SLUG, year]))
    assert pdf.status_code == 200
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages
    )
    assert format_amount(figures["net"]) in text or f"{figures['net']}元" in text.replace("\n", "")


def test_the_trial_balance_command_prints_the_bounds(biggest, capsys):
    from django.core.management import call_command

    call_command("trial_balance", "--union", SLUG, "--year", "2011")
    assert format_amount(biggest[2011]["net"]) in capsys.readouterr().out
