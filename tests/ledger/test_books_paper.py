"""The books as on paper: 日记账 and 明细账 a month to a page (对方科目, 借或贷, 本月合计, 本年累计), paged inside
a month by key; the 科目余额表 for a range of months; the 总账 by month; every balance a direction and a
positive amount; each book as a workbook read back with openpyxl; query counts that do not grow with N."""

import io
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from ledger import queries, services
from ledger.access import Book
from ledger.queries import Balance, LineKey
from ledger.queries.books import lines_with_balances
from tests.conftest import (
    FAILED_RENDER,
    break_report_cache,
    d,
    download,
    mend_report_cache_and_retry,
    nth,
    receipt,
    run_worker,
    voucher,
)
from tests.ledger.test_views_books import cell, table_rows, text, url

# --- a liability: 应付上级经费 overpaid reads 借 2,000.00, never 借 −2,000.00 ------------------------------


@pytest.fixture
def remitted(demo, treasurer):
    """The levy received (its upper share owed: 贷 4,000) and 6,000 remitted up: 应付上级经费 借 2,000."""
    voucher(
        demo,
        treasurer,
        "2012-02-10",
        "收到拨缴经费",
        ("102", "10000.00", ""),
        ("402", "", "6000.00"),
        ("221", "", "4000.00"),
    )
    voucher(demo, treasurer, "2012-03-05", "上缴上级工会经费", ("221", "6000.00", ""), ("102", "", "6000.00"))
    return services.resolve_account(demo, "221")


def test_a_liability_overpaid_is_a_debit_balance_in_its_ledger(demo, remitted):
    february = queries.journal_page(year=demo, account=remitted, month=2)
    assert february.opening == Balance("平", Decimal("0.00"))
    [line] = february.lines
    assert (line.voucher_no, line.other_accounts, line.credit, line.balance) == (
        "记-0001",  # the first voucher of February: numbers run per month
        "银行存款等",  # the voucher's other accounts: 银行存款 and 拨缴经费收入
        Decimal("4000.00"),
        Balance("贷", Decimal("4000.00")),
    )
    march = queries.journal_page(year=demo, account=remitted, month=3)
    assert march.opening_label == "上月结转" and march.opening == Balance("贷", Decimal("4000.00"))
    [line] = march.lines
    assert (line.other_accounts, line.debit, line.balance) == (
        "银行存款",
        Decimal("6000.00"),
        Balance("借", Decimal("2000.00")),
    )
    assert march.month_total == queries.Totals(
        Decimal("6000.00"), Decimal("0.00"), Balance("借", Decimal("2000.00"))
    )
    assert march.year_total == queries.Totals(
        Decimal("6000.00"), Decimal("4000.00"), Balance("借", Decimal("2000.00"))
    )
    row = next(row for row in queries.trial_balance(year=demo) if row.account.code == "221")
    assert row.closing == Decimal("-2000.00")  # on its normal (贷) side
    assert (row.direction, row.closing_balance) == ("借", Balance("借", Decimal("2000.00")))


def test_no_page_prints_a_sign_beside_a_direction(demo, remitted, client_for):
    client = client_for("auditor")
    ledger = text(client.get(url("account_ledger", remitted.pk), {"month": "3"}))
    rows = table_rows(ledger, "journal")
    assert rows[1][-2:] == ["借", "2,000.00"] and rows[-1][-2:] == ["借", "2,000.00"]
    balances = text(client.get(url("accounts")))
    [row] = [row for row in table_rows(balances, "balances") if row[0] == "221"]
    assert row[1:] == [
        "应付上级经费",
        "",
        "",
        "6,000.00",
        "4,000.00",
        "6,000.00",
        "4,000.00",
        "2,000.00",
        "",
        "总账",
    ]
    for page in (ledger, balances):
        assert "−" not in page and "-2,000.00" not in page


# --- 红字 lines: the DB on main refuses negative amounts, so the display is tested on the value objects -----


def red_rows():
    """Rows as the page's query returns them: a wrong 830.00 on 借 and its 红字 reversal (−830.00 on 借)."""
    return [
        (11, 5, 3, d("2012-03-01"), "收会费", "", "normal", "101", "库存现金", "", 83_000, 0, None),
        (
            14,
            6,
            4,
            d("2012-03-02"),
            "冲销2012年记-0003",
            "",
            "reversal",
            "101",
            "库存现金",
            "",
            -83_000,
            0,
            None,
        ),
        (17, 7, 5, d("2012-03-03"), "收会费", "", "normal", "101", "库存现金", "", 8_300, 0, None),
    ]


def test_a_red_line_nets_the_running_balance_and_is_marked():
    lines = lines_with_balances(red_rows(), Decimal("100.00"), {5: "会费收入", 6: "会费收入"})
    assert [(line.debit, line.balance, line.is_red) for line in lines] == [
        (Decimal("830.00"), Balance("借", Decimal("930.00")), False),
        (Decimal("-830.00"), Balance("借", Decimal("100.00")), True),
        (Decimal("83.00"), Balance("借", Decimal("183.00")), False),
    ]
    assert sum((line.debit for line in lines), Decimal("0.00")) == Decimal("83.00")  # 830 and −830 net to 0
    assert lines[1].key == LineKey(d("2012-03-02"), 4, 14) and lines[2].other_accounts == ""


def test_a_red_line_prints_red_with_its_minus(demo):
    lines = lines_with_balances(red_rows(), Decimal("100.00"), {})
    total = queries.Totals(Decimal("83.00"), Decimal("0.00"), Balance("借", Decimal("183.00")))
    page = queries.JournalPage(
        account=services.resolve_account(demo, "101"),
        year=2012,
        month=3,
        opening_label="上月结转",
        opening=Balance("借", Decimal("100.00")),
        lines=lines,
        month_total=total,
        year_total=total,
        page=1,
        pages=1,
        previous=None,
        next=None,
    )
    request = RequestFactory().get("/")
    request.user = demo.vouchers.first().prepared_by
    request.book = Book(
        year=demo, can_record=False, can_edit_text=False, can_audit=False, can_close=False, can_reports=False
    )
    html = render_to_string(
        "ledger/journal.html",
        {
            "page": page,
            "title": "现金日记账",
            "book_kind": "cash",
            "months": range(1, 13),
        },
        request=request,
    )
    assert html.count('class="red-line"') == 1
    assert '<td class="num"><span class="amount-red">-830.00</span></td>' in html  # the money filter's 红字


# --- pages inside a month: by key, never OFFSET ---------------------------------------------------------


@pytest.fixture
def busy_february(demo, treasurer):
    """25 cash receipts in February, several on one day (same date: 凭证号 then line id decide)."""
    for index in range(25):
        receipt(
            demo,
            treasurer,
            f"2012-02-{1 + index // 3:02d}",
            "401",
            f"{index + 1}.00",
            into="cash",
            summary=f"会费{index}",
        )
    return services.resolve_account(demo, "101")


def test_a_busy_month_pages_by_key_and_the_pages_add_up(demo, busy_february):
    cash = busy_february
    first = queries.journal_page(year=demo, account=cash, month=2, size=10)
    assert (first.opening_label, first.opening.amount, first.page, first.pages) == (
        "上月结转",
        Decimal("1521.40"),
        1,
        3,
    )
    assert first.month_total is None and first.previous is None and len(first.lines) == 10
    second = queries.journal_page(year=demo, account=cash, month=2, after=first.next, size=10)
    assert (second.opening_label, second.opening, second.page) == ("承前页", first.lines[-1].balance, 2)
    # the last page is the month's last ten lines, read backwards from the month's end
    last = queries.journal_page(year=demo, account=cash, month=2, last=True, size=10)
    assert (len(last.lines), last.page, last.next, last.opening_label) == (10, 3, None, "承前页")
    assert last.opening == second.lines[4].balance and last.lines[:5] == second.lines[5:]
    assert last.month_total == queries.Totals(
        Decimal("325.00"), Decimal("0.00"), Balance("借", Decimal("1846.40"))
    )
    back = queries.journal_page(year=demo, account=cash, month=2, before=last.previous, size=10)
    assert back.lines == first.lines[5:] + second.lines[:5] and back.opening == first.lines[4].balance
    whole = list(queries.journal_book(year=demo, account=cash, first_month=2, last_month=2).rows)
    assert first.lines + second.lines + last.lines[5:] == whole[:-1]
    assert [line.voucher_no for line in whole[:-1]] == [f"记-{n:04d}" for n in range(1, 26)]  # February's own


def test_journal_pages_cost_the_same_however_many_lines(
    demo, treasurer, client_for, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr("ledger.views.books.JOURNAL_PAGE_SIZE", 10)
    client = client_for("auditor")
    cash = services.resolve_account(demo, "101")
    pages = [
        (url("cash_journal"), {"month": "2"}),
        (url("cash_journal"), {"month": "2", "last": "1"}),
        (url("account_ledger", cash.pk), {"month": "2"}),
        (url("accounts"), {"start": "2", "end": "3"}),
        (url("general_ledger", cash.pk), {}),
    ]
    # session, user, union, memberships, two permission queries, year, years (8); then the page's own: a journal's
    # lines, its per-day totals, its month's lines counted, 对方科目
    expected = [8 + 5, 8 + 5, 8 + 5, 8 + 2, 8 + 2]
    for target, query in pages:
        client.get(target, query)
    for (target, query), count in zip(pages, expected, strict=True):
        receipt(demo, treasurer, "2012-02-03", "401", "1.00", into="cash")
        with django_assert_num_queries(count):
            assert client.get(target, query).status_code == 200
    for index in range(40):
        receipt(demo, treasurer, f"2012-02-{1 + index % 27:02d}", "401", "1.00", into="cash")
    for (target, query), count in zip(pages, expected, strict=True):
        with django_assert_num_queries(count):
            response = client.get(target, query)
        assert response.status_code == 200
    page = client.get(url("cash_journal"), {"month": "2", "last": "1"}).context["page"]
    assert (page.page, page.pages, page.opening_label) == (5, 5, "承前页")
    middle = client.get(url("cash_journal"), {"month": "2", "after": str(page.previous)})
    assert "翻页位置无效" not in text(middle)


def test_the_page_links_walk_the_month(demo, busy_february, client_for, monkeypatch):
    monkeypatch.setattr("ledger.views.books.JOURNAL_PAGE_SIZE", 10)
    client = client_for("auditor")
    first = client.get(url("cash_journal"), {"month": "2"})
    page = text(first)
    assert "本月第 1 / 3 页" in page and "过次页" in page and "本月合计" not in page
    following = first.context["page"].next
    assert f"after={following}" in page
    second = text(client.get(url("cash_journal"), {"month": "2", "after": str(following)}))
    assert "本月第 2 / 3 页" in second and table_rows(second, "journal")[0][2] == "承前页"
    last = text(client.get(url("cash_journal"), {"month": "2", "last": "1"}))
    assert "本月第 3 / 3 页" in last and cell(last, "closing-balance") == "1,846.40"


# --- 科目余额表 for a range of months; 总账 --------------------------------------------------------------


def test_balances_for_a_range_of_months(demo, django_assert_num_queries):
    with django_assert_num_queries(2):
        data = queries.account_balances(year=demo, first_month=4, last_month=9)
    bank = next(row for row in data.rows if row.account.code == "102")
    assert (
        bank.opening_debit,
        bank.debit,
        bank.credit,
        bank.ytd_debit,
        bank.ytd_credit,
        bank.closing_debit,
    ) == (
        Decimal("22200.00"),
        Decimal("15000.00"),
        Decimal("20000.00"),
        Decimal("30000.00"),
        Decimal("20000.00"),
        Decimal("17200.00"),
    )
    dues = next(row for row in data.rows if row.account.code == "401")
    assert (dues.opening_credit, dues.credit, dues.ytd_credit, dues.closing_credit) == (
        Decimal("1550.00"),
        Decimal("3100.00"),
        Decimal("4650.00"),
        Decimal("4650.00"),
    )
    assert data.totals.balanced
    # 4–9月: 2,000 + 10,000 + 1,550 + 300 + 15,000 + 8,000 + 1,550; at 30 September cash 7,148.40, bank
    # 17,200, 职工活动支出 1,023 and 其他支出 18,000 on 借, against 结余 8,721.40, 会费 4,650, 补助 30,000 on 贷
    assert (data.totals.debit, data.totals.closing_debit, data.totals.closing_credit) == (
        Decimal("38400.00"),
        Decimal("43371.40"),
        Decimal("43371.40"),
    )


def test_the_whole_year_range_is_the_trial_balance(demo, treasurer, remitted):
    services.reverse_voucher(voucher=nth(demo, 8), user=treasurer, reason="错")
    data = queries.account_balances(year=demo)
    whole = queries.trial_balance(year=demo)
    assert [row.account.code for row in data.rows] == [row.account.code for row in whole]
    for mine, theirs in zip(data.rows, whole, strict=True):
        assert (mine.debit, mine.credit) == (theirs.debit, theirs.credit)
        assert (mine.ytd_debit, mine.ytd_credit) == (theirs.debit, theirs.credit)
        assert directed_of(theirs.opening, theirs) == mine.opening_balance
        assert directed_of(theirs.closing, theirs) == mine.closing_balance
    totals = queries.trial_balance_totals(whole)
    assert (data.totals.opening_debit, data.totals.closing_debit, data.totals.debit) == (
        totals.opening_debit,
        totals.closing_debit,
        totals.debit,
    )
    assert data.totals.balanced


def directed_of(amount, row):
    return queries.directed(amount if row.account.debit_normal else -amount)


def test_balance_range_page_and_its_errors(client_for):
    client = client_for("committee")
    page = text(client.get(url("accounts"), {"start": "4", "end": "9"}))
    assert "2012年4月至9月" in page
    assert table_rows(page, "balances")[0][:4] == ["101", "库存现金", "2,348.40", ""]
    assert footer_cells(page) == ["合计", *TOTALS_4_TO_9]
    refused = text(client.get(url("accounts"), {"start": "9", "end": "4"}))
    assert "截止月份不能早于起始月份" in refused and "2012年9月至12月" in refused
    assert "请选择1至12月" in text(client.get(url("accounts"), {"start": "13"}))


def footer_cells(page: str) -> list[str]:
    row = re.search(r'<tr id="balances-total">(.*?)</tr>', page, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th[^>]*>(.*?)</th>", row, re.S)][
        :9
    ]


# 期初 (1 April) cash 2,348.40 + bank 22,200 + 723 spent; 本年累计 to September 15,000 + 2,273 + 38,400
TOTALS_4_TO_9 = [
    "25,271.40",
    "25,271.40",
    "38,400.00",
    "38,400.00",
    "55,673.00",
    "55,673.00",
    "43,371.40",
    "43,371.40",
]


# --- workbooks read back ---------------------------------------------------------------------------------


def workbook(client, path: str, query: dict):
    """The workbook as the browser gets it: a report worker writes it (202 first), then the file."""
    address = f"{path}?{urlencode(query)}"
    assert client.get(address).status_code == 202
    response = download(client, address)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def values(sheet, row: int) -> list:
    return [cell.value for cell in sheet[row]]


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_a_months_journal_as_a_workbook(client_for):
    sheet = workbook(client_for("auditor"), url("cash_journal"), {"month": "12", "format": "xlsx"})
    assert values(sheet, 1)[0] == "现金日记账"
    assert values(sheet, 2)[0] == "编制单位：巴林左旗医院工会"
    assert values(sheet, 3)[0] == "期间：2012年12月" and values(sheet, 3)[-1] == "单位：元"
    assert values(sheet, 4) == ["日期", "凭证字号", "摘要", "对方科目", "借方", "贷方", "借或贷", "余额"]
    assert sheet.freeze_panes == "A5"
    opening = values(sheet, 5)
    assert (opening[2], opening[6], money(opening[7])) == ("上月结转", "借", Decimal("7148.40"))
    line = sheet[6]
    assert line[0].value.date() == d("2012-12-28") and line[0].number_format == "yyyy-mm-dd"
    assert (line[1].value, line[3].value, money(line[4].value), line[6].value, money(line[7].value)) == (
        "记-0003",
        "会费收入",
        Decimal("1550.00"),
        "借",
        Decimal("8698.40"),
    )
    assert line[4].number_format == "#,##0.00;[Red]-#,##0.00"
    # December: the dues, the mistyped 830.00 and its 红字冲销, the payment (rows 6 to 9)
    assert values(sheet, 10)[2:6] == ["12月 本月合计", None, "=SUM(E6:E9)", "=SUM(F6:F9)"]
    ytd = values(sheet, 11)
    assert ytd[2] == "12月 本年累计" and (money(ytd[4]), money(ytd[5])) == (
        Decimal("8200.00"),
        Decimal("1823.00"),
    )
    assert (ytd[6], money(ytd[7])) == ("借", Decimal("7898.40"))
    assert sheet.max_row == 11


def test_a_whole_year_journal_sums_each_month_and_carries_the_year(demo, client_for):
    sheet = workbook(client_for("auditor"), url("bank_journal"), {"format": "xlsx", "scope": "year"})
    assert values(sheet, 3)[0] == "期间：2012年"
    rows = [values(sheet, n) for n in range(5, sheet.max_row + 1)]
    labels = [row[2] for row in rows if row[2] and ("本月合计" in row[2] or "本年累计" in row[2])]
    assert labels == [f"{m}月 {what}" for m in range(1, 13) for what in ("本月合计", "本年累计")]
    # January: one line (row 6), its 合计 on 7, 本年累计 on 8 as values; February's 合计 sums no rows
    assert rows[2][4:6] == ["=SUM(E6:E6)", "=SUM(F6:F6)"]
    assert money(rows[3][4]) == Decimal("15000.00")
    assert rows[5][2] == "2月 本年累计" and rows[5][4:6] == ["=E8+E9", "=F8+F9"]
    assert (rows[-1][6], money(rows[-1][7])) == ("借", Decimal("7664.50"))


def test_balances_and_general_ledger_as_workbooks(demo, client_for):
    client = client_for("committee")
    sheet = workbook(client, url("accounts"), {"start": "4", "end": "9", "format": "xlsx"})
    assert values(sheet, 3)[0] == "期间：2012年4月至9月" and sheet.freeze_panes == "A5"
    assert values(sheet, 4)[:4] == ["科目编码", "科目名称", "期初借方", "期初贷方"]
    bank = next(values(sheet, n) for n in range(5, sheet.max_row + 1) if values(sheet, n)[0] == "102")
    assert [money(v) if v is not None else None for v in bank[2:]] == [
        Decimal("22200.00"),
        None,
        Decimal("15000.00"),
        Decimal("20000.00"),
        Decimal("30000.00"),
        Decimal("20000.00"),
        Decimal("17200.00"),
        None,
    ]
    total = values(sheet, sheet.max_row)
    level_one = [n for n in range(5, sheet.max_row) if len(str(values(sheet, n)[0])) == 3]
    assert total[1] == "合计" and total[2] == "=" + "+".join(f"C{n}" for n in level_one)
    bank_account = services.resolve_account(demo, "102")
    general = workbook(client, url("general_ledger", bank_account.pk), {"format": "xlsx"})
    assert values(general, 1)[0] == "总账 102 银行存款"
    assert values(general, 5)[1:] == ["上年结转", None, None, "借", 7200]
    assert values(general, 6)[:2] == ["1月", "本月合计"] and values(general, 7)[2] == "=C6"
    assert values(general, general.max_row)[:4] == [
        "12月",
        "本年累计",
        "=C6+C8+C10+C12+C14+C16",
        "=D6+D8+D10+D12+D14+D16",
    ]


def test_general_ledger_page(demo, client_for):
    bank = services.resolve_account(demo, "102")
    page = text(client_for("auditor").get(url("general_ledger", bank.pk)))
    rows = table_rows(page, "general-ledger")
    assert rows[0] == ["", "上年结转", "", "", "借", "7,200.00"]
    assert rows[1] == ["1月", "本月合计", "15,000.00", "0.00", "借", "22,200.00"]
    assert rows[-1] == ["12月", "本年累计", "30,000.00", "29,535.50", "借", "7,664.50"]
    assert len(rows) == 1 + 2 * 6  # the months with movement: 1, 4, 5, 7, 9, 12


# --- the voucher list's last page is read backwards, not by an OFFSET over the year ---------------------


def test_the_voucher_lists_last_page_is_read_from_the_end(demo, treasurer, client_for):
    for index in range(30):
        receipt(demo, treasurer, f"2012-02-{1 + index % 28:02d}", "401", "10.00", into="cash")
    client = client_for("auditor")
    with CaptureQueriesContext(connection) as last:
        response = client.get(url("vouchers"), {"page": "3"})
    everything = list(queries.vouchers(year=demo))  # by month, date, then 凭证号
    assert len(everything) == 47  # the demo's 17 posted vouchers and 30 more
    assert [v.pk for v in response.context["page"].object_list] == [v.pk for v in everything[40:]]
    listing = [
        q["sql"] for q in last.captured_queries if 'FROM "ledger_voucher"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert listing and all("OFFSET" not in sql for sql in listing), listing
    assert " DESC" in listing[0]
    second = client.get(url("vouchers"), {"page": "2"})
    assert [v.pk for v in second.context["page"].object_list] == [v.pk for v in everything[20:40]]
    filtered = client.get(url("vouchers"), {"q": "收入", "page": "2"})  # a filtered list pages the same way
    found = list(queries.vouchers(year=demo, text="收入"))
    assert len(found) > 20
    assert [v.pk for v in filtered.context["page"].object_list] == [v.pk for v in found[20:40]]


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("cash_journal", {"format": "xlsx", "month": "13"}),
        ("cash_journal", {"month": "2", "last": "yes", "after": "2012-02-01.1.1", "before": "x"}),
        ("bank_journal", {"format": "xlsx", "scope": "everything"}),
        ("accounts", {"start": "abc", "end": "0", "format": "xlsx"}),
        ("accounts", {"start": "12", "end": "12", "all": "1"}),
    ],
)
def test_odd_book_queries_still_answer(client_for, name, query):
    assert download(client_for("committee"), f"{url(name)}?{urlencode(query)}").status_code == 200


def test_another_unions_account_has_no_books_here(client_for, other_year):
    _, own, _, _ = other_year
    client = client_for("auditor")
    for name in ("account_ledger", "general_ledger"):
        assert client.get(url(name, own.pk)).status_code == 404
        assert client.get(url(name, own.pk), {"format": "xlsx"}).status_code == 404


def test_a_books_workbook_is_written_afresh_after_a_new_voucher(
    client_for, demo, treasurer, settings, tmp_path
):
    """The workbook's key is the state of the books: a receipt makes the cached file stale; a failed write is
    shown on the waiting page and tried again."""
    client = client_for("auditor")
    address = url("cash_journal") + "?format=xlsx&scope=year"
    before = workbook(client, url("cash_journal"), {"format": "xlsx", "scope": "year"})
    assert client.get(address)["X-Report-Cache"] == "hit"
    receipt(demo, treasurer, "2012-12-20", "401", "12.34", into="cash", summary="新收入")

    break_report_cache(settings, tmp_path)
    assert client.get(address).status_code == 202
    run_worker()
    page = client.get(address)
    assert page.status_code == 202 and FAILED_RENDER in page.content.decode()

    mend_report_cache_and_retry(settings, tmp_path)
    after = client.get(address)
    assert after.status_code == 200 and after["X-Report-Cache"] == "hit"
    sheet = load_workbook(io.BytesIO(b"".join(after.streaming_content))).active
    assert sheet.max_row == before.max_row + 1
    assert "新收入" in {value for row in sheet.iter_rows(values_only=True) for value in row}
