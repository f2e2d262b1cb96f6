"""Reading the books: 首页 figures, the voucher list with filters and pages, the cash and bank journals
with a running balance, 明细账, 科目余额表, 操作记录 — with exact figures from the demo year and query
counts that do not grow with the number of vouchers."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from ledger import queries, services
from ledger.models import Voucher
from tests.conftest import d, nth, receipt, settle_year_end

SLUG, YEAR = "blzq-hospital", 2012


def url(name: str, *args) -> str:
    return reverse(name if ":" in name else f"ledger:{name}", args=[SLUG, YEAR, *args])


def text(response) -> str:
    return html.unescape(response.content.decode())


def table_rows(page: str, table_id: str) -> list[list[str]]:
    """The body rows of the table with this id, each as the text of its cells."""
    table = re.search(rf'<table[^>]*id="{table_id}"[^>]*>(.*?)</table>', page, re.S)
    assert table, table_id
    body = re.search(r"<tbody>(.*?)</tbody>", table.group(1), re.S).group(1)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def cell(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', page)
    assert match, element_id
    return match.group(1).strip()


def add_receipts(demo, count: int) -> None:
    user = demo.vouchers.first().prepared_by
    for day in range(count):
        into = "cash" if day % 2 else "bank"
        receipt(
            demo, user, f"2012-02-{1 + day % 28:02d}", "401", "10.00", into=into, summary=f"补收会费{day}"
        )


# --- queries appended for the browser ------------------------------------------------------------------


def test_cash_journal_pages_by_month_with_the_running_balance(demo, django_assert_max_num_queries):
    cash = services.resolve_account(demo, "101")
    lines = []
    for month in range(1, 13):
        # the page's lines, the per-day totals, the month's line count, 对方科目 (none if no lines)
        with django_assert_max_num_queries(4):
            page = queries.journal_page(year=demo, account=cash, month=month)
        lines += [(line.voucher_no, line.debit, line.credit, line.balance.amount) for line in page.lines]
        if month == 1:
            assert (page.opening_label, page.opening) == (
                "上年结转",
                queries.Balance("借", Decimal("1521.40")),
            )
    assert lines == [
        ("记-0001", Decimal("0.00"), Decimal("723.00"), Decimal("798.40")),  # 3月
        ("记-0002", Decimal("1550.00"), Decimal("0.00"), Decimal("2348.40")),
        ("记-0001", Decimal("2000.00"), Decimal("0.00"), Decimal("4348.40")),  # 4月
        ("记-0001", Decimal("1550.00"), Decimal("0.00"), Decimal("5898.40")),  # 6月
        ("记-0001", Decimal("0.00"), Decimal("300.00"), Decimal("5598.40")),  # 7月
        ("记-0002", Decimal("1550.00"), Decimal("0.00"), Decimal("7148.40")),  # 9月
        ("记-0003", Decimal("1550.00"), Decimal("0.00"), Decimal("8698.40")),  # 12月28日
        ("记-0005", Decimal("830.00"), Decimal("0.00"), Decimal("9528.40")),  # 12月28日, 录错
        ("记-0004", Decimal("0.00"), Decimal("800.00"), Decimal("8728.40")),  # 12月31日
        ("记-0006", Decimal("-830.00"), Decimal("0.00"), Decimal("7898.40")),  # its 红字冲销
    ]
    assert (page.year_total.debit, page.year_total.credit, page.year_total.balance) == (
        Decimal("8200.00"),
        Decimal("1823.00"),
        queries.Balance("借", Decimal("7898.40")),
    )


def test_a_months_page_starts_from_the_balance_before_it(demo):
    bank = services.resolve_account(demo, "102")
    page = queries.journal_page(year=demo, account=bank, month=7)
    assert (page.opening_label, page.opening.amount) == (
        "上月结转",
        Decimal("10200.00"),
    )  # 7,200 + 15,000 − 12,000
    assert [(line.date, line.balance.amount) for line in page.lines] == [
        (d("2012-07-10"), Decimal("25200.00"))
    ]
    assert page.month_total == queries.Totals(
        Decimal("15000.00"), Decimal("0.00"), queries.Balance("借", Decimal("25200.00"))
    )
    assert (page.year_total.debit, page.year_total.credit) == (Decimal("30000.00"), Decimal("12000.00"))


def test_journal_of_a_credit_side_account_and_same_day_lines_in_voucher_order(demo, treasurer):
    for amount in ("1.00", "2.00"):
        services.record_receipt(
            union=demo.union,
            date=d("2012-03-30"),
            account="401",
            amount=amount,
            into="cash",
            summary="会费",
            user=treasurer,
        )
    dues = services.resolve_account(demo, "401")
    march = queries.journal_page(year=demo, account=dues, month=3)
    assert march.opening == queries.Balance("平", Decimal("0.00"))
    assert [(line.voucher_no, line.balance) for line in march.lines] == [
        (
            "记-0002",
            queries.Balance("贷", Decimal("1550.00")),
        ),  # numbered within the month, by date then number
        ("记-0003", queries.Balance("贷", Decimal("1551.00"))),
        ("记-0004", queries.Balance("贷", Decimal("1553.00"))),
    ]
    assert {line.other_accounts for line in march.lines} == {"库存现金"}
    december = queries.journal_page(year=demo, account=dues, month=12)
    assert december.year_total.balance == queries.Balance("贷", Decimal("6203.00"))


def test_year_summary_gives_the_home_pages_figures_in_three_queries(
    demo, treasurer, django_assert_num_queries
):
    with django_assert_num_queries(3):
        summary = queries.year_summary(demo)
    assert [(row.code, row.label, row.amount) for row in summary.categories("income")] == [
        ("401", "会费收入", Decimal("6200.00")),
        ("405", "行政补助收入", Decimal("30000.00")),
    ]
    spending = summary.categories("expense")
    assert sum((row.amount for row in spending), Decimal("0.00")) == summary.expense == Decimal("29358.50")
    assert spending[0].label == "文体活动费 › 庆“七一”文艺汇演"
    assert (
        summary.cash_and_bank_opening,
        summary.opening_funds,
        summary.cash,
        summary.bank,
        summary.cash_and_bank,
        summary.closing_funds,
    ) == (
        Decimal("8721.40"),
        Decimal("8721.40"),
        Decimal("7898.40"),
        Decimal("7664.50"),
        Decimal("15562.90"),
        Decimal("15562.90"),
    )
    # a reversed payment nets to zero in its category; closing the year leaves the totals standing
    services.reverse_voucher(voucher=nth(demo, 8), user=treasurer, reason="错")
    spending = {row.code: row.amount for row in queries.year_summary(demo).categories("expense")}
    assert "5010201" not in spending
    settle_year_end(demo, treasurer)
    services.close_year(year=demo, user=treasurer)
    assert queries.year_summary(demo).expense == Decimal("29058.50")


# --- pages ---------------------------------------------------------------------------------------------


def test_home_shows_the_years_figures(client_for):
    page = text(client_for("committee").get(url("dashboard")))
    assert cell(page, "opening-balance") == "8,721.40"
    assert cell(page, "income-total") == "36,200.00"
    assert cell(page, "spending-total") == "29,358.50"
    assert cell(page, "cash-balance") == "7,898.40"
    assert cell(page, "bank-balance") == "7,664.50"
    assert cell(page, "money-total") == "15,562.90"
    assert ["其他支出 › 乡村扶贫点等捐赠及慰问", "23,156.80"] in table_rows(page, "spending-by-category")
    assert table_rows(page, "income-by-category") == [["会费收入", "6,200.00"], ["行政补助收入", "30,000.00"]]
    # the latest eight by date: December's six (with the 红字冲销 of the mistyped receipt) and September's two
    assert "2012年12月 记-0006" in page and "2012年9月 记-0001" in page and "2012年7月" not in page
    assert "2012年12月31日" in page


def test_home_actions_follow_the_role(client_for):
    treasurer = text(client_for("treasurer").get(url("dashboard")))
    committee = text(client_for("committee").get(url("dashboard")))
    auditor = text(client_for("auditor").get(url("dashboard")))
    for action in (url("receipt"), url("payment"), url("voucher_new"), url("sub_account_new")):
        assert action in treasurer and action not in committee and action not in auditor
    assert url("audit:trail") in auditor and url("audit:trail") not in treasurer + committee
    for page in (treasurer, committee, auditor):
        assert url("cash_journal") in page and url("vouchers") in page


def test_report_links_follow_the_role(client_for, norole):
    """Every role that may read the books may read the reports: the home page links the report and statements."""
    for role in ("treasurer", "committee", "auditor"):
        page = text(client_for(role).get(url("dashboard")))
        assert url("reports:annual") in page and url("reports:statements") in page
    assert client_for("norole").get(url("dashboard")).status_code == 403


def test_a_closed_year_home_offers_no_recording(client_for, demo, treasurer):
    settle_year_end(demo, treasurer)
    services.close_year(year=demo, user=treasurer)
    page = text(client_for("treasurer").get(url("dashboard")))
    assert "2012年度已结账，只能查阅" in page and url("receipt") not in page
    assert cell(page, "spending-total") == "29,358.50"
    # and the union's page now opens the new year
    assert client_for("treasurer").get(reverse("ledger:union", args=[SLUG]))["Location"] == reverse(
        "ledger:dashboard", args=[SLUG, 2013]
    )


def test_the_voucher_list(client_for):
    response = client_for("auditor").get(url("vouchers"))
    page = text(response)
    assert "共 17 张" in page
    listed = response.context["page"].object_list
    assert [v.full_no for v in listed][:6] == [
        "2012年1月 记-0001",
        "2012年1月 记-0002",
        "2012年3月 记-0001",
        "2012年3月 记-0002",
        "2012年4月 记-0001",
        "2012年5月 记-0001",
    ]
    assert [v.full_no for v in listed][-4:] == [  # by date, then number
        "2012年12月 记-0003",
        "2012年12月 记-0005",
        "2012年12月 记-0004",
        "2012年12月 记-0006",
    ]
    assert listed[11].total == Decimal("5156.80")
    assert (
        listed[16].total == Decimal("-830.00") and 'class="amount-red">-830.00<' in response.content.decode()
    )
    assert "5,156.80" in page and "借 乡村扶贫点等捐赠及慰问" in page


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ({"start": "2012-07-01", "end": "2012-09-30"}, [8, 9, 10, 11]),
        ({"q": "会费"}, [4, 7, 11, 14, 16, 17]),  # 16: the mistyped receipt, 17: its reversal
        ({"q": "林东镇"}, [3, 13]),  # the counterparty
        (
            {"min_amount": "5,000", "max_amount": "¥10,000.00"},
            [1, 6, 10, 12],
        ),  # 1: the opening voucher, 8,721.40
        ({"min_amount": "15000"}, [2, 9]),
        ({"category": "5010402"}, [13, 15]),
        ({"category": "50104"}, [3, 13, 15]),  # a parent takes in its 明细科目
        ({"account": "101"}, [1, 3, 4, 5, 7, 8, 11, 14, 16, 15, 17]),
        ({"account": "101", "category": "501"}, [3, 8, 15]),
        ({"q": "没有这样的摘要"}, []),
    ],
)
def test_voucher_list_filters(demo, client_for, query, numbers):
    """``numbers``: the vouchers found, as their place in the order the demo posted them, listed by date."""
    for key in ("category", "account"):
        if key in query:
            query[key] = services.resolve_account(demo, query[key]).pk
    response = client_for("committee").get(url("vouchers"), query)
    assert response.status_code == 200
    posted = [nth(demo, n).pk for n in range(1, 18)]
    assert [posted.index(v.pk) + 1 for v in response.context["page"].object_list] == numbers


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"min_amount": "abc"}, "min_amount", "金额格式不正确"),
        ({"max_amount": "1.234"}, "max_amount", "金额格式不正确"),
        ({"min_amount": "100", "max_amount": "10"}, "max_amount", "金额上限不能小于下限"),
        ({"start": "2012-05-01", "end": "2012-04-01"}, "end", "截止日期不能早于起始日期"),
        ({"start": "not a date"}, "start", "日期格式不正确"),
        ({"category": "999999"}, "category", "请从列表中选择科目"),
    ],
)
def test_bad_filters_are_explained_and_the_typed_text_kept(client_for, query, field, message):
    response = client_for("committee").get(url("vouchers"), query)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    page = text(response)
    assert message in page and "筛选条件有误" in page
    for value in query.values():
        if field != "category":
            assert f'value="{value}"' in page
    assert len(response.context["page"].object_list) == 17


def test_another_unions_account_as_a_filter_is_refused(client_for, other_year):
    response = client_for("committee").get(url("vouchers"), {"category": other_year[1].pk})
    assert response.context["form"].errors["category"] == ["请从列表中选择科目"]


def test_the_list_of_every_state_counts_without_a_state_condition(demo, treasurer):
    """The list shows every state by default; its count then reads no state, so that at 500,000 vouchers it is
    an index-only scan of the year (``benchmarks/README.md``, "Book pages"). A state asked still filters."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.create_voucher(
        year=demo,
        date=d("2012-12-30"),
        summary="待审核的凭证",
        lines=[services.Line("101", debit="1.00"), services.Line("401", credit="1.00")],
        prepared_by=treasurer,
    )
    every = queries.vouchers(year=demo, states=tuple(Voucher.State.values))
    with CaptureQueriesContext(connection) as captured:
        assert every.count() == 18
    (count,) = captured.captured_queries
    assert "state" not in count["sql"]
    assert queries.vouchers(year=demo).count() == 17
    drafts = queries.vouchers(year=demo, states=(Voucher.State.DRAFT,))
    assert [v.summary for v in drafts] == ["待审核的凭证"]


def test_voucher_list_pages(demo, client_for):
    add_receipts(demo, 30)
    client = client_for("committee")
    first = client.get(url("vouchers"))
    assert first.context["page"].paginator.num_pages == 3 and len(first.context["page"].object_list) == 20
    assert "第 1 / 3 页" in text(first)
    filtered = client.get(url("vouchers"), {"q": "补收会费", "page": "2"})
    # by date, then number: 1 and 2 February hold two receipts each (0 and 28, 1 and 29)
    assert [v.summary for v in filtered.context["page"].object_list] == [
        f"补收会费{n}" for n in range(18, 28)
    ]
    assert "?q=%E8%A1%A5%E6%94%B6%E4%BC%9A%E8%B4%B9&amp;page=1" in filtered.content.decode()
    assert client.get(url("vouchers"), {"page": "99"}).context["page"].number == 3
    assert client.get(url("vouchers"), {"page": "x"}).context["page"].number == 1


def test_cash_and_bank_journal_pages(client_for):
    client = client_for("auditor")
    cash = text(client.get(url("cash_journal")))  # the month of the year's latest voucher: December
    assert "现金日记账" in cash and cell(cash, "closing-balance") == "7,898.40"
    lines = table_rows(cash, "journal")
    assert lines[0] == ["", "", "上月结转", "", "", "", "借", "7,148.40"]
    assert lines[1] == [
        "2012年12月28日",
        "记-0003",
        "收第四季度会员会费",
        "会费收入",
        "1,550.00",
        "",
        "借",
        "8,698.40",
    ]
    assert lines[-2] == ["", "", "本月合计", "", "1,550.00", "800.00", "借", "7,898.40"]
    assert lines[-1] == ["", "", "本年累计", "", "8,200.00", "1,823.00", "借", "7,898.40"]
    march = table_rows(text(client.get(url("cash_journal"), {"month": "3"})), "journal")
    assert [line[0] for line in march[1:3]] == ["2012年3月8日", "2012年3月30日"]
    bank = text(client.get(url("bank_journal")))
    assert "银行存款日记账" in bank and cell(bank, "closing-balance") == "7,664.50"
    july = text(client.get(url("bank_journal"), {"month": "7"}))
    assert cell(july, "closing-balance") == "25,200.00" and "2012年7月" in july


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"month": "13"}, "请选择1至12月"),
        ({"month": "x"}, "请选择1至12月"),
        ({"after": "not-a-key"}, "翻页位置无效，已显示本月第一页"),
        ({"before": "2012-13-01.1.1"}, "翻页位置无效，已显示本月第一页"),
        ({"after": "2012-12-01.99999999999999999999.1"}, "翻页位置无效，已显示本月第一页"),
        ({"after": "2012-12-01.1.-5"}, "翻页位置无效，已显示本月第一页"),
    ],
)
def test_bad_journal_months_are_explained(client_for, query, message):
    response = client_for("auditor").get(url("cash_journal"), query)
    page = text(response)
    assert response.status_code == 200 and message in page
    assert cell(page, "closing-balance") == "7,898.40"  # December, its first page, instead


def test_detail_ledger_of_a_parent_account_lists_its_children(demo, client_for):
    parent = services.resolve_account(demo, "50104")
    response = client_for("committee").get(url("account_ledger", parent.pk))
    page = text(response)
    assert "明细账：50104 其他活动支出" in page
    assert "5010402 职工元旦活动" in page  # December's lines name their 明细科目
    assert cell(page, "closing-balance") == "5,901.70"
    march = text(client_for("committee").get(url("account_ledger", parent.pk), {"month": "3"}))
    assert "5010401 三八妇女节活动" in march


def test_trial_balance_page(client_for):
    page = text(client_for("auditor").get(url("accounts")))
    assert "科目余额表" in page and "44,921.40" in page and "试算不平衡" not in page
    everything = text(client_for("auditor").get(url("accounts"), {"all": "1"}))
    assert "零余额账户用款额度" in everything and "零余额账户用款额度" not in page


def test_audit_trail_shows_who_did_what(client_for):
    page = text(client_for("auditor").get(url("audit:trail")))
    assert "操作记录" in page and "treasurer" in page and "凭证记账" in page and "增加明细科目" in page


# --- query counts do not grow with the vouchers shown --------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "dashboard",
        "vouchers",
        "cash_journal",
        "bank_journal",
        "accounts",
        "audit:trail",
        "account_ledger",
        "voucher",
    ],
)
def test_query_count_does_not_grow_with_vouchers(
    demo, client_for, django_assert_num_queries, django_assert_max_num_queries, name
):
    client = client_for("auditor")
    args = []
    if name == "account_ledger":
        args = [services.resolve_account(demo, "401").pk]
    elif name == "voucher":
        args = [nth(demo, 12).pk]
    target = url(name, *args)
    client.get(target)  # warm the session and permission caches of the client side
    # The trail names its objects with one query per kind of object on the page: at most, not exactly.
    assert_queries = django_assert_max_num_queries if name == "audit:trail" else django_assert_num_queries
    with assert_queries(QUERIES[name]):
        assert client.get(target).status_code == 200
    add_receipts(demo, 24)
    assert Voucher.objects.filter(year=demo).count() == 41
    with assert_queries(QUERIES[name]):
        assert client.get(target).status_code == 200


# Session, user, union, the user's memberships (once per request, however many role checks), the two
# permission queries, the year and the list of years (8); then the page's own queries, none per voucher.
QUERIES = {
    "dashboard": 8
    + 6
    + 3,  # money position, income and spending by category, latest vouchers and their lines,
    # the open 疑点 (review's panel); the plan panel: budget, settings, roster
    "vouchers": 8 + 4,  # accounts for the filters, count, the page, its lines
    # the cash account, the latest month, the page's lines, the per-day totals (opening, 本月合计, 本年累计), the
    # month's lines counted, 对方科目
    "cash_journal": 8 + 6,
    "bank_journal": 8 + 6,
    "accounts": 8 + 2,  # the accounts' totals for the months, the year's accounts
    "audit:trail": 8 + 2 + 9,  # count, the page; the names of its objects, one query per kind (at most 9)
    "account_ledger": 8 + 6,  # the account, then as a journal
    "voucher": 8 + 4,  # the voucher with its people and reversal, lines, scans, its 疑点 (review's part)
}
