"""Bank reconciliation: reading statements, matching, the 银行存款余额调节表, and the year-end check."""

import datetime
import io
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from bank import queries, services
from bank.management.commands.load_demo_statement import DEMO_MAPPING
from bank.models import ColumnMapping, Match, Statement, StatementRow
from bank.reading import StatementError
from ledger import queries as ledger_queries
from ledger import services as ledger_services
from ledger.errors import LedgerError
from reports.models import RenderJob
from tests.conftest import (
    FAILED_RENDER,
    break_report_cache,
    download,
    mend_report_cache_and_retry,
    nth,
    payment,
    receipt,
    run_worker,
    snapshot,
)

SLUG, YEAR = "blzq-hospital", 2012
HEAD = "交易日期,摘要,收入,支出,余额,对方户名\n"


def _upload(year, user, text: str, name="statement.csv", period_end=None, mapping=DEMO_MAPPING):
    return services.upload_statement(
        year=year,
        user=user,
        bank_name="农行",
        name=name,
        content=text.encode("utf-8"),
        mapping=mapping,
        period_end=period_end,
    )


@pytest.fixture
def demo_statement(demo, treasurer):
    call_command("load_demo_statement", force=True, stdout=io.StringIO())
    return Statement.objects.get()


def test_the_demo_statement_matches_one_to_one_and_leaves_the_two_items_in_transit(demo, demo_statement):
    matches = Match.objects.select_related("row", "line__voucher").order_by("row__position")
    assert [(m.row.position, m.line.voucher, m.confirmed) for m in matches] == [
        (1, nth(demo, 2), False),  # 01-17 on the statement, 01-16 in the books: inside the window
        (2, nth(demo, 5), False),
        (3, nth(demo, 6), False),
        (4, nth(demo, 9), False),
        (5, nth(demo, 10), False),
        (6, nth(demo, 12), False),
    ]
    data = queries.reconciliation(demo, 12)
    assert data.unconfirmed == 6 and data.reconciled is False  # proposals count only once confirmed


def test_the_december_reconciliation_of_the_demo(demo, demo_statement, treasurer):
    assert services.confirm_matches(year=demo, user=treasurer) == 6
    data = queries.reconciliation(demo, 12)
    assert data.bank_balance == Decimal("12061.56")
    assert data.book_balance == Decimal("7664.50") == ledger_queries.year_summary(demo).bank
    assert [(i.date, i.amount) for i in data.book_out] == [(datetime.date(2012, 12, 25), Decimal("4378.70"))]
    assert [(i.summary, i.amount) for i in data.bank_in] == [("结息", Decimal("18.36"))]
    assert data.book_in == () and data.bank_out == ()
    # 12061.56 + 0 − 4378.70 = 7682.86 = 7664.50 + 18.36 − 0
    assert data.adjusted_bank == data.adjusted_book == Decimal("7682.86")
    assert data.reconciled and data.difference == 0


def test_a_month_before_a_later_match_shows_it_in_transit(demo, demo_statement, treasurer):
    services.confirm_matches(year=demo, user=treasurer)
    january = queries.reconciliation(demo, 1)
    # The statement of January: 15,000.00 in on 01-17; the books the same on 01-16: both matched by then.
    assert january.bank_balance == Decimal("22200.00") and january.book_balance == Decimal("22200.00")
    assert january.reconciled


def test_reconciling_never_changes_a_figure(demo, demo_statement, treasurer):
    before, summary = snapshot(), ledger_queries.year_summary(demo)
    services.confirm_matches(year=demo, user=treasurer)
    row = StatementRow.objects.get(position=1)
    services.unmatch(year=demo, user=treasurer, row=row)
    assert snapshot() == before
    assert ledger_queries.year_summary(demo).bank == summary.bank


def test_an_ambiguous_row_is_only_suggested(year, user):
    payment(year, user, "2012-03-01", "50101", "300.00", via="bank")
    payment(year, user, "2012-03-03", "50101", "300.00", via="bank")
    _upload(year, user, HEAD + "2012-03-02,支出,,300.00,8700.00,\n", period_end=datetime.date(2012, 3, 31))
    assert not Match.objects.exists()
    row = StatementRow.objects.get()
    assert len(queries.candidates(row, queries.bank_lines(year))) == 2


def test_duplicate_statement_rows_wait_for_a_hand_match_and_a_row_or_line_matches_once(year, user):
    payment(year, user, "2012-03-01", "50101", "300.00", via="bank")
    _upload(year, user, HEAD + "2012-03-01,支出,,300.00,8700.00,\n2012-03-01,支出,,300.00,8400.00,\n")
    assert not Match.objects.exists()  # one line, two rows with its amount: no one-to-one pair
    first, second = StatementRow.objects.order_by("position")
    line = queries.bank_lines(year)[0]
    services.match_by_hand(year=year, user=user, row=first, line_id=line.pk)
    with pytest.raises(LedgerError, match="已经与对账单的另一行匹配"):
        services.match_by_hand(year=year, user=user, row=second, line_id=line.pk)
    with pytest.raises(LedgerError, match="已经匹配过了"):
        services.match_by_hand(year=year, user=user, row=first, line_id=line.pk)
    # The database itself refuses a second match of the same row or the same line.
    with pytest.raises(IntegrityError), transaction.atomic():
        Match.objects.create(row=first, line_id=line.pk, by=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Match.objects.create(row=second, line_id=line.pk, by=user)


def test_a_row_that_matches_nothing_stays_a_bank_item(year, user):
    receipt(year, user, "2012-02-01", "401", "500.00", into="bank")
    payment(year, user, "2012-02-25", "50101", "100.00", via="bank")  # a cheque the bank has not paid yet
    statement = HEAD + "2012-02-01,会费,500.00,,9500.00,\n2012-02-20,手续费,,2.50,9497.50,\n"
    _upload(year, user, statement, period_end=datetime.date(2012, 2, 29))
    services.confirm_matches(year=year, user=user)
    fee = StatementRow.objects.get(position=2)
    assert queries.candidates(fee, queries.bank_lines(year), window=None) == []
    cheque = queries.bank_lines(year)[1]
    with pytest.raises(LedgerError, match="金额或收付方向不一致"):
        services.match_by_hand(year=year, user=user, row=fee, line_id=cheque.pk)
    data = queries.reconciliation(year, 2)
    assert [i.amount for i in data.bank_out] == [Decimal("2.50")]
    assert [i.amount for i in data.book_out] == [Decimal("100.00")]
    assert (data.bank_balance, data.book_balance) == (Decimal("9497.50"), Decimal("9400.00"))
    # 9497.50 + 0 − 100.00 = 9397.50 = 9400.00 + 0 − 2.50
    assert data.adjusted_bank == data.adjusted_book == Decimal("9397.50") and data.reconciled


def test_a_wrong_amount_side_or_date_window_does_not_match(year, user):
    payment(year, user, "2012-03-01", "50101", "300.00", via="bank")
    _upload(year, user, HEAD + "2012-03-01,收,300.00,,9300.00,\n2012-03-20,付,,300.00,9000.00,\n")
    assert not Match.objects.exists()
    far = StatementRow.objects.get(position=2)
    assert queries.candidates(far, queries.bank_lines(year)) == []  # 19 days apart
    assert len(queries.candidates(far, queries.bank_lines(year), window=None)) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("日期,金额\n2012-01-01,1\n", "找不到设置的列名"),
        (HEAD + "2012-13-01,x,1.00,,1.00,\n", "第2行的交易日期"),
        (HEAD + "2012-01-01,x,1.001,,1.00,\n", "第2行的收入金额"),
        (HEAD + "2012-01-01,x,abc,,1.00,\n", "不是金额"),
        (HEAD + "2012-01-01,x,1.00,2.00,1.00,\n", "恰好有收入或支出"),
        (HEAD + "2011-12-31,x,1.00,,1.00,\n", "不在2012年度内"),
        (HEAD, "没有交易记录"),
    ],
)
def test_bad_statements_are_refused_in_chinese_and_keep_nothing(year, user, text, message):
    with pytest.raises(StatementError, match=message):
        _upload(year, user, text)
    assert not Statement.objects.exists() and not ColumnMapping.objects.exists()


def test_the_same_file_twice_is_refused(year, user):
    text = HEAD + "2012-01-05,x,1.00,,9001.00,\n"
    _upload(year, user, text)
    with pytest.raises(StatementError, match="已经上传过"):
        _upload(year, user, text)
    assert StatementRow.objects.count() == 1


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["某某银行对账单"])
    sheet.append(["记账日期", "用途", "贷方发生额", "借方发生额", "账户余额", "对方账户名称"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_statement_through_the_page_and_the_mapping_is_remembered(demo, client_for):
    client = client_for("treasurer")
    url = reverse("bank:statements", args=[SLUG, YEAR])
    content = _xlsx([[datetime.datetime(2012, 1, 16), "存入", 15000, None, 22200, "医院"]])
    mapping = {
        "date_column": "记账日期",
        "summary_column": "用途",
        "income_column": "贷方发生额",
        "expense_column": "借方发生额",
        "balance_column": "账户余额",
        "counterparty_column": "对方账户名称",
    }
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        url, {"bank_name": "工行", "file": SimpleUploadedFile("工行.xlsx", content), **mapping}
    )
    assert response.status_code == 302
    row = StatementRow.objects.get()
    assert (row.date, row.income_fen, row.balance_fen, row.counterparty) == (
        datetime.date(2012, 1, 16),
        1500000,
        2220000,
        "医院",
    )
    assert Match.objects.count() == 1
    page = client.get(url).content.decode()
    assert 'value="记账日期"' in page and 'value="工行"' in page  # remembered for next time
    bad = client.post(
        url, {"bank_name": "工行", "file": SimpleUploadedFile("x.xlsx", b"not a zip"), **mapping}
    )
    assert bad.status_code == 200 and "不是有效的 Excel" in bad.content.decode()


def test_the_year_end_check_waits_for_the_proposed_matches(demo, demo_statement, treasurer):
    check = next(c for c in ledger_queries.year_checks(demo) if c.title == queries.DECEMBER_RECONCILED)
    assert check.required and check.ok is False  # proposals not confirmed yet
    with pytest.raises(LedgerError, match="12月银行存款余额调节表平衡"):
        ledger_services.close_year(year=demo, user=treasurer)
    services.confirm_matches(year=demo, user=treasurer)
    check = next(c for c in ledger_queries.year_checks(demo) if c.title == queries.DECEMBER_RECONCILED)
    assert check.ok is True


def test_a_union_that_never_reconciled_cannot_close_the_year(demo, treasurer):
    check = next(c for c in ledger_queries.year_checks(demo) if c.title == queries.DECEMBER_RECONCILED)
    assert check.required is True and check.ok is False
    assert check.detail == "已上传截至12月31日的银行对账单 0，应为 1"
    before = snapshot()
    with pytest.raises(
        LedgerError, match="12月银行存款余额调节表平衡（已上传截至12月31日的银行对账单 0，应为 1）"
    ):
        ledger_services.close_year(year=demo, user=treasurer)
    assert snapshot() == before
    demo.refresh_from_db()
    assert demo.closed_at is None


def test_reconciled_and_counted_the_year_closes(demo, demo_statement, treasurer):
    """The demo statement (two items in transit) once its matches are confirmed, and a December count."""
    services.confirm_matches(year=demo, user=treasurer)
    services.record_cash_count(
        year=demo,
        user=treasurer,
        date=datetime.date(2012, 12, 31),
        pieces={
            "100": 78,
            "50": 1,
            "20": 2,
            "5": 1,
            "1": 3,
            "0.1": 4,
        },  # 7,898.40, the cash journal's balance
        witness="经审会监盘人",
    )
    checks = {c.title: c for c in ledger_queries.year_checks(demo)}
    assert checks[queries.DECEMBER_RECONCILED].ok is True and checks[queries.CASH_COUNTED].ok is True
    following = ledger_services.close_year(year=demo, user=treasurer)
    assert following.year == 2013


def test_a_year_without_bank_lines_skips_the_check(other_year):
    year = other_year[0]
    check = next(c for c in ledger_queries.year_checks(year) if c.title == queries.DECEMBER_RECONCILED)
    assert check.ok is None


@pytest.mark.usefixtures("prepared_fonts")
def test_the_reconciliation_pdf_and_workbook(demo, demo_statement, treasurer, client_for, tmp_path):
    from openpyxl import load_workbook

    services.confirm_matches(year=demo, user=treasurer)
    client = client_for("auditor")
    url = reverse("bank:reconciliation", args=[SLUG, YEAR, 12])
    page = client.get(url).content.decode()
    assert "✓ 调节后余额相符" in page and "7,682.86" in page
    waiting = client.get(url, {"format": "pdf"})  # rendered by a report worker, never in the request
    assert waiting.status_code == 202 and "银行存款余额调节表（PDF）" in waiting.content.decode()
    pdf = download(client, url + "?format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = b"".join(pdf.streaming_content)
    assert body.startswith(b"%PDF") and "private" in pdf["Cache-Control"]
    path = tmp_path / "r.pdf"
    path.write_bytes(body)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    assert (
        "银行存款余额调节表" in text
        and "12,061.56" in text
        and "7,682.86" in text
        and "第1页/共1页" in text.replace(" ", "")
    )
    assert client.get(url, {"format": "xlsx"}).status_code == 202
    workbook = download(client, url + "?format=xlsx")
    book = load_workbook(io.BytesIO(b"".join(workbook.streaming_content)))
    sheet = book.active
    values = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=4, max_row=7)}
    assert Decimal(str(values["银行对账单余额"])) == Decimal("12061.56")
    assert Decimal(str(values["调节后余额"])) == Decimal("7682.86")
    assert client.get(url, {"format": "xlsx"})["X-Report-Cache"] == "hit"
    assert {job.kind for job in RenderJob.objects.all()} == {
        "bank-reconciliation-pdf",
        "bank-reconciliation-xlsx",
    }


def test_a_new_statement_renders_the_reconciliation_workbook_afresh(
    demo, demo_statement, treasurer, client_for
):
    """The cache key is the 调节表 as built: matching a row changes the figures, so the old file is not served."""
    from openpyxl import load_workbook

    client = client_for("auditor")
    url = reverse("bank:reconciliation", args=[SLUG, YEAR, 12]) + "?format=xlsx"
    before = load_workbook(io.BytesIO(b"".join(download(client, url).streaming_content))).active
    services.confirm_matches(year=demo, user=treasurer)
    assert client.get(url).status_code == 202  # the matches changed the table: a new render
    after = load_workbook(io.BytesIO(b"".join(download(client, url).streaming_content))).active
    assert [c.value for c in before["A"]] != [c.value for c in after["A"]] or [
        c.value for c in before["B"]
    ] != [c.value for c in after["B"]]


def test_a_failed_reconciliation_render_is_shown_and_retried(
    demo, demo_statement, client_for, settings, tmp_path
):
    break_report_cache(settings, tmp_path)
    client = client_for("auditor")
    url = reverse("bank:reconciliation", args=[SLUG, YEAR, 12]) + "?format=xlsx"
    assert client.get(url).status_code == 202
    run_worker()
    job = RenderJob.objects.get()
    status = client.get(reverse("reports:render_status", args=[SLUG, YEAR, job.pk])).json()
    assert status["state"] == "retrying" and status["message"].startswith("无法保存生成的文件")
    page = client.get(url)
    assert page.status_code == 202 and FAILED_RENDER in page.content.decode()

    mend_report_cache_and_retry(settings, tmp_path)
    assert client.get(reverse("reports:render_status", args=[SLUG, YEAR, job.pk])).json()["state"] == "done"
    served = client.get(url)
    assert served.status_code == 200 and served["X-Report-Cache"] == "hit"


@pytest.mark.parametrize("name", ["bank:matching", "bank:reconciliation", "bank:statements"])
def test_pages_take_the_same_queries_for_one_or_three_rows(
    year, user, client, django_assert_num_queries, name
):
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ledger import roles

    user.groups.add(Group.objects.get(name=roles.TREASURER))
    client.force_login(user)
    args = [year.union.slug, 2012, *([3] if name == "bank:reconciliation" else [])]
    payment(year, user, "2012-03-01", "50101", "100.00", via="bank")
    _upload(year, user, HEAD + "2012-03-01,a,,100.00,8900.00,\n", name="a.csv")
    client.get(reverse(name, args=args))
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse(name, args=args)).status_code == 200
    payment(year, user, "2012-03-02", "50101", "200.00", via="bank")
    payment(year, user, "2012-03-03", "50101", "300.00", via="bank")
    _upload(year, user, HEAD + "2012-03-02,b,,200.00,8700.00,\n2012-03-03,c,,300.00,8400.00,\n", name="b.csv")
    with django_assert_num_queries(len(one)):
        assert client.get(reverse(name, args=args)).status_code == 200
