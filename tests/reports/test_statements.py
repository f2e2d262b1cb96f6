"""Statements in the form of each year's chart agree with the 科目余额表 line by line, for any month.

2012 (巴林左旗医院工会, 2009 chart): 工会01表 and 工会02表. 2025 (呼和浩特市第一医院工会, 2021 chart): the
2021 form. Every figure of every line is compared with the trial balance of the same period.
"""

import calendar
import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from pypdf import PdfReader

from ledger import queries
from ledger.charts import SURPLUS
from ledger.models import AccountingYear
from reports.data import build_annual_report, build_statements
from tests.conftest import download

D = Decimal


def city_client(username: str = "city-auditor") -> Client:
    """A client signed in as one of the city union's own demo users."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def city(demo):
    return AccountingYear.objects.select_related("union", "chart").get(union__slug="city-hospital", year=2025)


def _tb(year, start=None, end=None):
    return {
        row.account.code: row
        for row in queries.trial_balance(year=year, start=start, end=end, include_closing=False)
    }


def _agree(year, month):
    """Every line of both statements equals the sum of its accounts in the trial balance of the period."""
    end = datetime.date(year.year, month, calendar.monthrange(year.year, month)[1])
    to_date = _tb(year, end=end)
    in_month = _tb(year, start=datetime.date(year.year, month, 1), end=end)
    surplus = sum(
        (row.closing if row.account.type == "income" else -row.closing)
        for row in to_date.values()
        if row.level == 1 and row.account.type in ("income", "expense")
    )
    statements = build_statements(year, month)

    def closing(code):
        if code == SURPLUS:
            return surplus
        return to_date[code].closing if code in to_date else D("0.00")

    def moved(code):
        row = in_month.get(code)
        return D("0.00") if row is None else row.closing - row.opening

    checked = 0
    for section in (statements.income_statement.income, statements.income_statement.expense):
        for row in section.rows:
            assert row.current == row.sign * sum((closing(code) for code in row.codes), D("0.00")), row.label
            if statements.form == "2009":
                assert row.previous == row.sign * sum((moved(code) for code in row.codes), D("0.00")), (
                    row.label
                )
            checked += 1
    sheet = statements.balance_sheet
    for section in (sheet.assets, sheet.liabilities, sheet.net_assets):
        for row in section.rows:
            if not row.codes:
                continue
            assert row.current == row.sign * sum((closing(code) for code in row.codes), D("0.00")), row.label
            opening = sum((to_date[code].opening for code in row.codes if code in to_date), D("0.00"))
            assert row.previous == row.sign * opening, row.label
            checked += 1
    assert sheet.balanced
    income = statements.income_statement
    totals = {row.account.type: D("0.00") for row in to_date.values()}
    for row in to_date.values():
        if row.level == 1:
            totals[row.account.type] += row.closing
    assert income.income.total_current == totals.get("income", D("0.00"))
    assert income.expense.total_current == totals.get("expense", D("0.00"))
    assert sheet.assets.total_current == totals.get("asset", D("0.00"))
    return statements, checked


@pytest.mark.parametrize("month", [1, 3, 7, 12])
def test_2012_statements_are_in_the_2009_form_and_agree_with_the_trial_balance(demo, month):
    statements, checked = _agree(demo, month)
    assert statements.form == "2009" and checked == 15 + 23 + 12 + 8 + 6
    assert statements.income_statement.form_label == "工会02表"
    assert statements.balance_sheet.form_label == "工会01表"


def test_march_2012_in_figures(demo):
    statements = build_statements(demo, 3)
    income = {row.label: (row.previous, row.current) for row in statements.income_statement.income.rows}
    assert income["会费收入"] == (D("1550.00"), D("1550.00"))
    assert income["行政补助收入"] == (D("0.00"), D("15000.00"))
    expense = {row.label: (row.previous, row.current) for row in statements.income_statement.expense.rows}
    assert expense["其他活动支出"] == (D("723.00"), D("723.00"))
    assert statements.income_statement.surplus == D("15827.00")
    assert statements.period_label == "2012年3月" and statements.date_label == "2012年3月31日"
    net = {row.label: (row.previous, row.current) for row in statements.balance_sheet.net_assets.rows}
    assert net["结余"] == (D("8721.40"), D("24548.40"))


@pytest.mark.parametrize("month", [6, 12])
def test_2025_statements_are_in_the_2021_form_and_agree_with_the_trial_balance(city, month):
    statements, checked = _agree(city, month)
    assert statements.form == "2021" and checked == 8 + 8 + 15 + 6 + 6
    expense = {row.label: row.current for row in statements.income_statement.expense.rows}
    if month == 12:
        assert expense["职工活动支出"] == D("482500.00")
        assert expense["资本性支出"] == D("36800.00") and expense["其他支出"] == D("20000.00")
        assets = {row.label: (row.previous, row.current) for row in statements.balance_sheet.assets.rows}
        assert assets["固定资产"] == (D("48000.00"), D("84800.00"))
        net = {row.label: (row.previous, row.current) for row in statements.balance_sheet.net_assets.rows}
        assert net["资产基金"] == (D("48000.00"), D("84800.00"))
        assert net["工会资金结余"] == (D("289500.00"), D("330600.00"))
        liabilities = {row.label: row.current for row in statements.balance_sheet.liabilities.rows}
        assert liabilities["应付上级经费"] == D("0.00")  # both halves of the upper share remitted


def test_statements_take_a_fixed_number_of_queries(demo, city, django_assert_num_queries):
    with django_assert_num_queries(6):
        build_statements(demo, 5)
    with django_assert_num_queries(7):  # 2021 form: looks for the previous year (none here)
        build_statements(city, 5)


def test_the_statements_page_picks_the_month_and_refuses_a_bad_one(client_for, auditor):
    client = client_for("auditor")
    page = client.get("/reports/blzq-hospital/2012/statements/?month=3").content.decode()
    assert "2012年3月" in page and "2012年3月31日" in page and "24,548.40" in page
    page = client.get("/reports/blzq-hospital/2012/statements/?month=13").content.decode()
    assert "2012年度" in page and "2012年12月31日" in page  # an unknown month falls back to December
    page = city_client().get("/reports/city-hospital/2025/statements/").content.decode()
    assert client.get("/reports/city-hospital/2025/statements/").status_code == 404  # not her union
    assert "职工服务支出" in page and "工会资金结余" in page and "工会01表" not in page


def test_statements_workbook_of_a_month_adds_up_with_formulas(client_for, auditor):
    response = download(city_client(), "/reports/city-hospital/2025/statements/xlsx/?month=6")
    assert response.status_code == 200 and response["Cache-Control"].startswith("private, no-store")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = book["收入支出表"]
    assert [c.value for c in ws[4]] == ["项目", "行次", "本年累计数", "上年数"]
    total = next(c.row for c in ws["A"] if c.value == "本年支出合计")
    formula = ws.cell(total, 3).value
    assert formula.startswith("=C") and "SUM" not in formula
    rows = [int(ref) for ref in re.findall(r"C(\d+)", formula)]
    # to June: 春节 200000.00, 端午 120000.00, two visits to sick members 500.00 each
    assert sum(D(str(ws.cell(row, 3).value)) for row in rows) == D("321000.00")


@pytest.mark.usefixtures("prepared_fonts")
def test_statements_pdf_of_each_form(client_for, auditor):
    client = client_for("auditor")
    old = download(client, "/reports/blzq-hospital/2012/statements/pdf/")
    assert old.status_code == 200 and old["Content-Type"] == "application/pdf"
    old_pdf = io.BytesIO(b"".join(old.streaming_content))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(old_pdf).pages))
    for words in ("工会02表", "工会01表", "本月数", "本年累计数", "负债与净资产总计", "复核：", "15,562.90"):
        assert words in text, words
    new = download(city_client(), "/reports/city-hospital/2025/statements/pdf/?month=12")
    new_pdf = io.BytesIO(b"".join(new.streaming_content))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(new_pdf).pages))
    for words in ("职工服务支出", "资产基金", "工会资金结余", "330,600.00", "84,800.00", "本年累计数"):
        assert words in text, words
    assert "工会02表" not in text


def test_the_annual_report_of_2025_reads_the_2021_categories(city):
    data = build_annual_report(city)
    assert data.opening_balance == D("289500.00") and data.closing_balance == D("330600.00")
    groups = {(line.group_name, line.name) for line in data.expense_lines}
    assert ("职工活动支出", "春节慰问品") in groups
    assert data.statements.form == "2021"


def test_the_2025_report_names_the_2021_categories_and_the_opening_as_last_years_surplus(
    client_for, treasurer
):
    page = city_client("city-treasurer").get("/reports/city-hospital/2025/").content.decode()
    text = re.sub(r"<[^>]+>", "", page)
    assert "上年结余289500.00元结转为2025年初经费余额。" in text
    assert (
        "其中：职工活动支出482500.00元（会员活动支出›春节慰问品200000.00元，会员活动支出›端午慰问品120000.00元，"
        "会员活动支出›中秋慰问品160000.00元，会员活动支出›生病住院慰问2500.00元）；资本性支出36800.00元；"
        "其他支出20000.00元（捐赠20000.00元）。"
    ) in text
    assert "年末经费余额330600.00元，其中库存现金5500.00元，银行存款325100.00元。" in text
    assert "本年按比例足额及时向上级工会缴纳工会经费249600.00元" in text  # nothing is still owed upward
