"""现金盘点: by denomination, with a witness, against the cash journal; 长款/短款 explained; the 盘点表."""

import datetime
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse

from bank import queries, services
from bank.models import CashCount
from ledger import queries as ledger_queries
from ledger import services as ledger_services
from ledger.errors import LedgerError
from ledger.models import AuditEvent
from reports.models import RenderJob
from tests.conftest import (
    FAILED_RENDER,
    break_report_cache,
    download,
    mend_report_cache_and_retry,
    payment,
    run_worker,
)

SLUG, YEAR = "blzq-hospital", 2012
DEC_31 = datetime.date(2012, 12, 31)


def test_the_cash_journal_balance_at_a_date(demo):
    # The demo's cash at the year's end is its closing cash; on 2012-03-08 it is 1,521.40 − 723.00.
    assert queries.cash_balance(demo, DEC_31) == ledger_queries.year_summary(demo).cash
    assert queries.cash_balance(demo, datetime.date(2012, 3, 8)) == Decimal("798.40")


def test_an_exact_count(demo, treasurer):
    cash = ledger_queries.year_summary(demo).cash  # 7,898.40
    assert cash == Decimal("7898.40")
    pieces = {"100": 78, "50": 1, "20": 2, "5": 1, "1": 3, "0.1": 4}
    count = services.record_cash_count(
        year=demo, user=treasurer, date=DEC_31, pieces=pieces, witness="李建国"
    )
    assert (count.counted, count.book, count.difference, count.difference_kind) == (
        Decimal("7898.40"),
        Decimal("7898.40"),
        Decimal("0.00"),
        "相符",
    )
    assert AuditEvent.objects.get(action="cash_counted").summary.endswith("相符，监盘人李建国")


def test_a_shortage_needs_an_explanation(demo, treasurer):
    pieces = {"100": 78, "50": 1, "20": 2, "5": 1}  # 7,895.00: 3.40 short
    with pytest.raises(LedgerError, match=r"短款3\.40元），请填写差异说明"):
        services.record_cash_count(year=demo, user=treasurer, date=DEC_31, pieces=pieces, witness="李建国")
    assert not CashCount.objects.exists()
    count = services.record_cash_count(
        year=demo, user=treasurer, date=DEC_31, pieces=pieces, witness="李建国", explanation="零钱找付未入账"
    )
    assert (count.difference, count.difference_kind) == (Decimal("-3.40"), "短款")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"witness": " "}, "请填写监盘人"),
        ({"witness": "王秀兰"}, "监盘人不能是盘点人本人"),
        ({"pieces": {"3": 1}}, "没有这种券别"),
        ({"pieces": {"100": -1}}, "张（枚）数不正确"),
        ({"date": datetime.date(2013, 1, 1)}, "盘点日期应在2012年度内"),
    ],
)
def test_bad_counts_are_refused(demo, treasurer, fields, message):
    arguments = {"year": demo, "user": treasurer, "date": DEC_31, "pieces": {"100": 1}, "witness": "李建国"}
    with pytest.raises(LedgerError, match=message):
        services.record_cash_count(**{**arguments, **fields, "explanation": "x"})
    assert not CashCount.objects.exists()


def test_the_year_end_check_asks_for_a_december_count(demo, treasurer):
    def check():
        return next(c for c in ledger_queries.year_checks(demo) if c.title == queries.CASH_COUNTED)

    assert check().required is True and check().ok is False  # no count at all
    with pytest.raises(LedgerError, match="年末月份已盘点库存现金（12月的现金盘点（次） 0，应为 1）"):
        ledger_services.close_year(year=demo, user=treasurer)
    services.record_cash_count(
        year=demo,
        user=treasurer,
        date=datetime.date(2012, 11, 30),
        pieces={"100": 1},
        witness="李建国",
        explanation="x",
    )
    assert check().required is True and check().ok is False  # November is not the last month
    services.record_cash_count(
        year=demo, user=treasurer, date=DEC_31, pieces={"100": 1}, witness="李建国", explanation="x"
    )
    assert check().ok is True


def test_a_year_without_cash_lines_skips_the_count(db, user):
    from ledger import services as ledger_services
    from ledger.models import Union

    union = Union.objects.create(name="只用银行的工会", slug="bank-only")
    year = ledger_services.open_year(union=union, year=2012)
    ledger_services.record_opening_balances(year=year, balances={"102": "100.00", "331": "100.00"}, user=user)
    payment(year, user, "2012-02-01", "50101", "10.00", via="bank")
    check = next(c for c in ledger_queries.year_checks(year) if c.title == queries.CASH_COUNTED)
    assert check.ok is None


@pytest.mark.usefixtures("prepared_fonts")
def test_the_count_through_the_page_and_its_signed_sheet(demo, client_for, tmp_path):
    client = client_for("treasurer")
    url = reverse("bank:cash_counts", args=[SLUG, YEAR])
    bad = client.post(url, {"date": "2012-12-31", "witness": "李建国", "n_100": "1"})
    assert bad.status_code == 200 and "请填写差异说明" in bad.content.decode()
    assert client.post(url, {"date": "2012-12-31", "witness": "李建国", "n_100": "-2"}).status_code == 200
    assert not CashCount.objects.exists()
    response = client.post(
        url, {"date": "2012-12-31", "witness": "李建国", "n_100": "79", "explanation": "多收一张"}
    )
    assert response.status_code == 302
    count = CashCount.objects.get()
    assert count.difference_kind == "长款" and count.difference == Decimal("1.60")
    page = client_for("auditor").get(url).content.decode()
    assert "长款 1.60" in page and "记录一次盘点" not in page
    auditor = client_for("auditor")
    pdf_url = reverse("bank:cash_count_pdf", args=[SLUG, YEAR, count.pk])
    waiting = auditor.get(pdf_url)  # rendered by a report worker, never in the request
    assert waiting.status_code == 202 and "库存现金盘点表（PDF）" in waiting.content.decode()
    job = RenderJob.objects.get()
    assert job.kind == "cash-count-pdf" and job.param == str(count.pk)
    pdf = download(auditor, pdf_url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = b"".join(pdf.streaming_content)
    assert body.startswith(b"%PDF")
    assert auditor.get(pdf_url)["X-Report-Cache"] == "hit"
    path = tmp_path / "count.pdf"
    path.write_bytes(body)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    assert "库存现金盘点表" in text and "7,900.00" in text and "7,898.40" in text and "长款" in text
    assert "盘点人（出纳）：王秀兰" in text and "监盘人：李建国" in text


@pytest.mark.usefixtures("prepared_fonts")
def test_a_failed_count_render_is_shown_and_retried_and_only_readers_follow_it(
    demo, treasurer, client_for, settings, tmp_path
):
    count = services.record_cash_count(
        year=demo,
        user=treasurer,
        date=DEC_31,
        pieces={"100": 78, "50": 18, "0.1": 4},
        witness="李建国",
        explanation="盘点",
    )
    break_report_cache(settings, tmp_path)
    client = client_for("auditor")
    pdf_url = reverse("bank:cash_count_pdf", args=[SLUG, YEAR, count.pk])
    assert client.get(pdf_url).status_code == 202
    run_worker()
    job = RenderJob.objects.get()
    status_url = reverse("reports:render_status", args=[SLUG, YEAR, job.pk])
    shown = client.get(status_url).json()
    assert shown["state"] == "retrying" and shown["message"].startswith("无法保存生成的文件")
    page = client.get(pdf_url)
    assert page.status_code == 202 and FAILED_RENDER in page.content.decode()
    assert client_for("outsider").get(status_url).status_code == 404
    assert client_for("anonymous").get(status_url).status_code == 302
    assert client_for("outsider").get(pdf_url).status_code == 404

    mend_report_cache_and_retry(settings, tmp_path)
    assert client.get(status_url).json()["state"] == "done"
    served = client.get(pdf_url)
    assert served.status_code == 200 and b"".join(served.streaming_content).startswith(b"%PDF")
    missing = reverse("bank:cash_count_pdf", args=[SLUG, YEAR, count.pk + 1000])
    assert client.get(missing).status_code == 404 and RenderJob.objects.count() == 1
