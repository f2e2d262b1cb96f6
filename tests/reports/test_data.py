"""The report data: the sample report's figures, fixed query counts, closed, empty and income-only years."""

import datetime
from decimal import Decimal

import pytest

from ledger import services
from ledger.models import AccountingYear, Union
from reports.data import build_annual_report
from reports.models import ReportText
from reports.texts import default_report_date, organisation_name
from tests.conftest import payment, receipt, settle_year_end, voucher

D = Decimal


def lines(report_lines):
    return [(line.label, line.amount) for line in report_lines]


def test_demo_year_has_the_figures_of_the_sample_report(demo):
    data = build_annual_report(demo)
    assert data.title == "巴林左旗医院工会2012年度财务工作报告"
    assert data.opening_balance == D("8721.40")
    assert lines(data.income_lines) == [("会员会费收缴", D("6200.00")), ("单位补助", D("30000.00"))]
    assert sorted(lines(data.expense_lines)) == sorted(
        [
            ("三八妇女节", D("723.00")),
            ("职工元旦活动费", D("5178.70")),
            ("庆“七一”文艺汇演", D("300.00")),
            ("为乡村扶贫点等捐赠及慰问", D("23156.80")),
        ]
    )
    assert data.total_income == D("36200.00")
    assert data.total_expense == D("29358.50")
    assert data.closing_balance == D("15562.90")
    assert (data.current.cash_opening, data.current.bank_opening) == (D("1521.40"), D("7200.00"))
    assert (data.current.cash, data.current.bank) == (D("7898.40"), D("7664.50"))
    assert data.current.remittance_upper == D("0.00")
    assert data.is_closed is False and data.previous is None


def test_spending_lines_are_the_treasurers_own_lines_with_their_first_level_category(demo):
    data = build_annual_report(demo)
    by_label = {line.label: line for line in data.expense_lines}
    assert by_label["三八妇女节"].name == "三八妇女节活动"
    assert by_label["三八妇女节"].group_name == "职工活动支出"
    assert by_label["为乡村扶贫点等捐赠及慰问"].group_code == "508"
    assert by_label["三八妇女节"].spending_phrase == "三八妇女节支出"
    assert sum(line.amount for line in data.expense_lines) == data.total_expense
    assert sum(line.amount for line in data.income_lines) == data.total_income


def test_the_demo_text_reproduces_the_sample_report(demo):
    text = build_annual_report(demo).text
    assert text.saved is False
    assert text.salutation == "各位领导、各位代表："
    assert (
        text.mandate == "我在这里代表医院工会向大会作巴林左旗医院八届四次工会委员会财务工作报告，请予以审议。"
    )
    assert text.report_date == datetime.date(2013, 3, 26)
    assert text.date_style == "chinese"
    assert text.priority_paragraphs[0] == "（一）工会要进一步加强对财务工作的领导。"
    assert len(text.priority_paragraphs) == 5


def test_every_check_passes_on_the_demo_year_and_the_previous_year_check_does_not_apply(demo):
    data = build_annual_report(demo)
    assert [check.ok for check in data.checks] == [True, True, True, None]
    balance = data.checks[0].comparisons
    assert [(c.left, c.right) for c in balance] == [
        (D("8721.40"), D("8721.40")),
        (D("67558.50"), D("67558.50")),
        (D("44921.40"), D("44921.40")),
    ]


def test_statements_of_2012_are_in_the_2009_form(demo):
    data = build_annual_report(demo)
    statement = data.income_statement
    assert (statement.title, statement.form_label, statement.columns) == (
        "收入支出表",
        "工会02表",
        ("本年累计数", "本月数"),
    )
    income = {row.label: (row.current, row.level) for row in statement.income.rows}
    expense = {row.label: (row.current, row.level) for row in statement.expense.rows}
    assert income["会费收入"] == (D("6200.00"), 1) and income["行政补助收入"] == (D("30000.00"), 1)
    assert income["回拨补助"] == (D("0.00"), 2) and "附属单位上缴收入" not in income
    assert expense["职工活动支出"] == (D("6201.70"), 1) and expense["其他活动支出"] == (D("5901.70"), 2)
    assert expense["行政支出"] == (D("0.00"), 1) and "职工服务支出" not in expense
    assert statement.expense.total_current == D("29358.50")  # 明细 rows are not added twice
    assert statement.surplus == D("6841.50")
    assert (statement.income.total_number, statement.expense.total_number, statement.surplus_number) == (
        16,
        40,
        41,
    )
    sheet = data.balance_sheet
    assert (sheet.title, sheet.form_label, sheet.total_label) == (
        "资产负债表",
        "工会01表",
        "负债与净资产总计",
    )
    assert sheet.balanced
    assert sheet.assets.total_previous == D("8721.40") and sheet.assets.total_current == D("15562.90")
    net = {row.label: (row.previous, row.current) for row in sheet.net_assets.rows}
    assert net["结余"] == (D("8721.40"), D("15562.90"))
    assert sheet.total_number == 30


def test_query_count_does_not_grow_with_the_vouchers(demo, django_assert_num_queries, user):
    demo.union.members.add(user)
    with django_assert_num_queries(15):  # 8 of the books, 7 of the plan
        build_annual_report(demo)
    for day in range(1, 29):
        receipt(demo, user, f"2012-02-{day:02d}", "401", "10.00", into="cash")
        payment(demo, user, f"2012-02-{day:02d}", "50101", "1.00", via="cash")
    with django_assert_num_queries(15):  # 8 of the books, 7 of the plan
        data = build_annual_report(demo)
    assert data.total_income == D("36480.00")
    assert data.total_expense == D("29386.50")


def test_a_closed_year_reports_income_and_spending_before_the_closing_entry(demo, user):
    settle_year_end(demo, user)
    following = services.close_year(year=demo, user=user)
    closed = build_annual_report(AccountingYear.objects.get(pk=demo.pk))
    assert closed.is_closed
    assert (closed.total_income, closed.total_expense, closed.closing_balance) == (
        D("36200.00"),
        D("29358.50"),
        D("15562.90"),
    )
    assert [check.ok for check in closed.checks] == [True, True, True, None]

    report = build_annual_report(following)
    assert report.opening_balance == D("15562.90")
    assert report.previous.closing_balance == D("15562.90")
    assert report.checks[3].ok is True
    assert report.income_lines == [] and report.expense_lines == []
    # Last year's lines appear for comparison with this year's zero.
    assert {line.label: (line.amount, line.previous) for line in report.income}["单位补助"] == (
        D("0.00"),
        D("30000.00"),
    )
    assert report.income_change == D("-36200.00")


def test_query_count_with_a_previous_year_is_fixed_too(demo, user, django_assert_num_queries):
    settle_year_end(demo, user)
    following = services.close_year(year=demo, user=user)
    with django_assert_num_queries(18):  # 11 of the books, 7 of the plan
        build_annual_report(following)
    receipt(following, user, "2013-01-10", "401", "100.00", into="cash")
    payment(following, user, "2013-01-11", "50102", "50.00", via="cash")
    with django_assert_num_queries(18):  # 11 of the books, 7 of the plan
        report = build_annual_report(following)
    assert report.closing_balance == D("15612.90")


def test_an_empty_year_has_zeros_and_no_lines(union):
    year = services.open_year(union=union, year=2014)
    data = build_annual_report(year)
    assert (data.opening_balance, data.total_income, data.total_expense, data.closing_balance) == (
        D("0.00"),
        D("0.00"),
        D("0.00"),
        D("0.00"),
    )
    assert data.income == () and data.expense == ()
    assert data.current.trial_balance == ()
    assert [check.ok for check in data.checks] == [True, True, True, None]
    assert data.balance_sheet.balanced


def test_a_union_with_only_income(year, user):
    receipt(year, user, "2012-03-01", "401", "1200.00", into="cash")
    receipt(year, user, "2012-06-01", "402", "5000.00")
    data = build_annual_report(year)
    assert lines(data.income_lines) == [("会员会费收缴", D("1200.00")), ("拨缴经费", D("5000.00"))]
    assert data.expense_lines == []
    assert data.closing_balance == D("16200.00") == data.current.cash + data.current.bank


def test_remittance_to_the_higher_union_is_not_spending(year, user):
    # The levy arrives whole; the higher levels' 40% is owed upward, then paid.
    voucher(
        year,
        user,
        "2012-04-01",
        "收到拨缴经费",
        ("102", "10000.00", ""),
        ("402", "", "6000.00"),
        ("221", "", "4000.00"),
    )
    voucher(year, user, "2012-04-20", "上缴上级工会经费", ("221", "4000.00", ""), ("102", "", "4000.00"))
    data = build_annual_report(year)
    assert data.current.remittance_upper == D("4000.00")
    assert data.total_income == D("6000.00") and data.total_expense == D("0.00")
    assert data.closing_balance == D("16000.00") == data.current.cash + data.current.bank


def test_an_account_with_its_own_lines_and_sub_account_lines_keeps_both(year, user):
    sub = services.add_sub_account(
        union=year.union, parent=services.resolve_account(year, "50104"), name="生日慰问"
    )
    payment(year, user, "2012-05-01", sub, "300.00")
    payment(year, user, "2012-05-02", "50104", "45.50")
    data = build_annual_report(year)
    assert lines(data.expense_lines) == [("其他活动支出", D("45.50")), ("生日慰问", D("300.00"))]
    assert data.total_expense == D("345.50")


def test_a_reversed_payment_nets_out(year, user):
    paid = payment(year, user, "2012-05-01", "50102", "300.00")
    services.reverse_voucher(voucher=paid, user=user, reason="重复录入", date=datetime.date(2012, 5, 2))
    data = build_annual_report(year)
    assert data.expense_lines == []
    assert [
        line.amount for line in data.expense
    ] == []  # 红字: 发生额 300.00 and −300.00 leave nothing to show
    assert data.closing_balance == D("10000.00")


def test_saved_labels_and_words_replace_the_defaults(demo, user):
    ReportText.objects.create(
        union=demo.union,
        year=2012,
        salutation="各位代表：",
        mandate="开头",
        opening="概述",
        priorities="甲\n\n乙",
        closing="结束",
        report_date=datetime.date(2013, 4, 1),
        date_style="numeric",
        labels={"405": "医院补助", "5010401": ""},
        updated_by=user,
        updated_at=datetime.datetime(2013, 4, 1, tzinfo=datetime.UTC),
    )
    data = build_annual_report(demo)
    assert data.text.saved and data.text.updated_by == "cashier"
    assert data.text.priority_paragraphs == ["甲", "乙"]
    assert dict(lines(data.income_lines))["医院补助"] == D("30000.00")
    # An empty saved label falls back to the default wording.
    assert "三八妇女节" in dict(lines(data.expense_lines))


def test_defaults_for_another_union_put_its_name_in():
    assert organisation_name("巴林左旗医院工会") == "巴林左旗医院"
    assert organisation_name("工会") == "工会"


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2013, 2, 5), datetime.date(2013, 2, 5)),
        (datetime.date(2012, 12, 31), datetime.date(2013, 3, 31)),
        (datetime.date(2026, 11, 25), datetime.date(2013, 3, 31)),
    ],
)
def test_default_report_date_is_today_in_the_following_year_else_march(today, expected):
    assert default_report_date(2012, today) == expected


def test_generic_defaults_for_a_union_without_preset(year):
    data = build_annual_report(year)
    assert data.text.mandate == "我受测试医院工会委员会的委托，向大会作2012年度工会财务工作报告，请予以审议。"
    assert "在测试医院领导班子的高度重视和大力支持下" in data.text.opening
    assert Union.objects.count() == 1
