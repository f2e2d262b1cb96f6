"""合并资产负债表 and 合并收入支出表: each line is 本级 + each 分工会 that keeps books − the 补助下级 eliminated, to the
cent, on both databases; the 合并 balance sheet balances; only the union's own readers open them; the query count
does not grow with the vouchers; the PDF and the workbook carry the same figures."""

import io
import re
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from ledger import services
from ledger.models import Allocation, Union
from reports import jobs
from reports.consolidated import build_consolidated_report
from reports.consolidated_statements import build_consolidated_statements
from reports.data import build_statements
from tests.conftest import download, payment, receipt
from tests.federation.conftest import on, signed_in

pytestmark = pytest.mark.django_db

URL = "/reports/first-hospital/2025/consolidated/statements/"
PAGE_QUERIES = 33  # the 25 of the statements, the session, the user, the book and its access, the nav


def _sections(consolidated):
    return (
        consolidated.income,
        consolidated.expense,
        consolidated.assets,
        consolidated.liabilities,
        consolidated.net_assets,
    )


def _own_sections(statements):
    income, sheet = statements.income_statement, statements.balance_sheet
    return (income.income, income.expense, sheet.assets, sheet.liabilities, sheet.net_assets)


def _figures(section) -> dict[str, tuple]:
    """label → (each part's figure, 抵销, 合并) of the lines with a figure anywhere."""
    return {
        line.label: (*line.parts, line.eliminated, line.current)
        for line in section.lines
        if any(line.parts) or line.eliminated or line.current
    }


def test_every_line_is_the_parts_less_the_eliminated_allocations(books):
    consolidated = build_consolidated_statements(books)
    assert [part.slug for part in consolidated.parts] == ["first-hospital", "first-neike", "first-waike"]
    own = [_own_sections(build_statements(year, 12)) for year in _years(consolidated)]
    for index, section in enumerate(_sections(consolidated)):
        for number, line in enumerate(section.lines):
            # each part's figure is that union's own statement line, the 合并 the sum less the 抵销
            assert line.parts == tuple(part[index].rows[number].current for part in own), line.label
            if line.current is not None:
                assert line.current == sum(line.parts, D("0.00")) - line.eliminated, line.label
        assert section.part_totals == tuple(part[index].total_current for part in own)
    assert _figures(consolidated.income) == {
        "会费收入": (D("0.00"), D("1234.56"), D("0.00"), D("0.00"), D("1234.56")),
        "上级补助收入": (D("0.00"), D("12345.67"), D("800.01"), D("13145.68"), D("0.00")),
        "行政补助收入": (D("50000.33"), D("0.00"), D("0.00"), D("0.00"), D("50000.33")),
    }
    assert _figures(consolidated.expense) == {
        "职工活动支出": (D("7321.19"), D("9999.99"), D("1000.02"), D("0.00"), D("18321.20")),
        "补助下级支出": (D("13145.68"), D("0.00"), D("0.00"), D("13145.68"), D("0.00")),
    }
    assert _figures(consolidated.assets) == {
        "银行存款": (D("129533.46"), D("4580.24"), D("299.99"), D("0.00"), D("134413.69")),
    }
    assert _figures(consolidated.net_assets) == {
        "工会资金结余": (D("129533.46"), D("4580.24"), D("299.99"), D("0.00"), D("134413.69")),
    }
    statement, sheet = consolidated.income_statement, consolidated.balance_sheet
    assert (statement.income.total_current, statement.expense.total_current) == (D("51234.89"), D("18321.20"))
    assert consolidated.income.part_totals == (D("50000.33"), D("13580.23"), D("800.01"))
    assert consolidated.income.eliminated_total == consolidated.expense.eliminated_total == D("13145.68")
    assert statement.surplus == D("32913.69") == sum(consolidated.part_surpluses, D("0.00"))
    assert sheet.assets.total_current == sheet.liabilities_and_net_assets == D("134413.69")
    assert sheet.assets.total_previous == sheet.liabilities_and_net_assets_opening == D("101500.00")
    assert sheet.balanced and all(check.ok for check in consolidated.checks)
    # the same consolidation as the 合并财务工作报告's
    report = build_consolidated_report(books)
    assert (statement.income.total_current, statement.expense.total_current) == (
        report.total_income,
        report.total_expense,
    )
    assert sheet.assets.total_current == report.closing_balance
    assert not statement.has_previous  # no 2024 books: no 上年数


def _years(consolidated):
    from ledger.models import AccountingYear  # noqa: PLC0415

    by_slug = {
        year.union.slug: year
        for year in AccountingYear.objects.select_related("union", "chart").filter(year=consolidated.year)
    }
    return [by_slug[part.slug] for part in consolidated.parts]


def test_a_month_eliminates_the_pairs_to_its_end(books):
    april = build_consolidated_statements(books, 4)  # 内科's 12,345.67 on 1 April; 外科's 800.01 on 1 May
    assert [item.branch_slug for item in april.eliminated] == ["first-neike"]
    assert _figures(april.income)["上级补助收入"] == (
        D("0.00"),
        D("12345.67"),
        D("0.00"),
        D("12345.67"),
        D("0.00"),
    )
    assert april.period_label == "2025年4月" and april.balance_sheet.balanced


def test_a_reversed_allocation_is_not_eliminated(books, keeper):
    allocation = Allocation.objects.get(branch_voucher__year__union__slug="first-waike")
    # 外科 spent most of it: without this its bank would go negative when its side is reversed with the union's
    receipt(allocation.branch_voucher.year, keeper, "2025-05-02", "4001", "1000.00", summary="外科会费")
    services.reverse_voucher(
        voucher=allocation.parent_voucher, user=keeper, date=on("2025-05-02"), reason="有误"
    )
    consolidated = build_consolidated_statements(books)
    assert consolidated.eliminated_total == D("12345.67")
    # reversing the union's side reversed 外科's too: its 上级补助收入 nets to nothing, and only 内科's is eliminated
    assert _figures(consolidated.income)["上级补助收入"][-3:] == (D("0.00"), D("12345.67"), D("0.00"))
    assert consolidated.balance_sheet.balanced and all(check.ok for check in consolidated.checks)


def test_a_branch_on_another_form_is_left_out_and_named(books, hospital, keeper):
    erke = services.create_union(name="儿科分会", slug="first-erke", parent=hospital)
    Union.objects.filter(pk=erke.pk).update(review_required=False)
    year = services.open_year(union=erke, year=2025, chart="2009")
    services.record_opening_balances(year=year, balances={"102": "700.00", "331": "700.00"}, user=keeper)
    consolidated = build_consolidated_statements(books)
    assert consolidated.excluded == ("儿科分会",)
    assert [part.slug for part in consolidated.parts] == ["first-hospital", "first-neike", "first-waike"]
    page = signed_in(keeper).get(URL).content.decode()
    assert "儿科分会的账套使用另一种会计制度的报表格式，无法逐行合并，未计入本表。" in page


def test_the_2009_form_eliminates_the_month_in_its_month_column(demo, user):
    """工会02表's 本月数 takes out the pairs of the month, 本年累计数 those to the month's end."""
    branch = services.create_union(name="门诊分会", slug="blzq-menzhen", parent=demo.union)
    Union.objects.filter(pk=branch.pk).update(review_required=False)
    year = services.open_year(union=branch, year=2012)
    services.record_opening_balances(year=year, balances={"102": "500.00", "331": "500.00"}, user=user)
    services.allocate_to_branch(
        year=demo, branch=branch, date=on("2012-06-15"), amount="1000.01", summary="下拨门诊分会", user=user
    )
    june, july = build_consolidated_statements(demo, 6), build_consolidated_statements(demo, 7)
    for consolidated, in_month in ((june, D("1000.01")), (july, D("0.00"))):
        line = next(line for line in consolidated.income.lines if line.label == "上级补助收入")
        assert (line.parts[1], line.eliminated, line.eliminated_previous) == (
            D("1000.01"),
            D("1000.01"),
            in_month,
        )
        assert line.current == line.parts[0]  # the parent's own 上级补助收入 only
        assert line.previous == sum(line.previous_parts, D("0.00")) - in_month
        assert consolidated.balance_sheet.balanced and all(check.ok for check in consolidated.checks)
    assert june.income_statement.columns == ("本年累计数", "本月数") and june.income_statement.has_previous


def test_the_query_count_does_not_grow_with_the_vouchers(
    books, neike_year, keeper, django_assert_num_queries
):
    client = signed_in(keeper)
    # the year; 7 for each of three parts' statements (2021 form: it looks for a previous year); the branch
    # years, the pairs and the two accounts' codes. The page adds the session, the user and the book's access.
    with django_assert_num_queries(25):
        build_consolidated_statements(books)
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(URL).status_code == 200
    for day in range(1, 13):
        receipt(books, keeper, f"2025-07-{day:02d}", "4001", "10.01", summary="会费")
        payment(neike_year, keeper, f"2025-07-{day:02d}", "5101", "1.01", summary="活动")
    with django_assert_num_queries(25):
        consolidated = build_consolidated_statements(books)
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(URL).status_code == 200
    assert consolidated.income.part_totals[0] == D("50000.33") + D("120.12")


def test_only_the_unions_own_readers_open_them(books, keeper, branch_keeper, outside_keeper):
    assert signed_in(keeper).get(URL).status_code == 200
    for user in (
        branch_keeper,
        outside_keeper,
    ):  # a 分工会's treasurer never reads upward; an outsider nothing
        client = signed_in(user)
        for path in ("", "pdf/", "xlsx/"):
            assert client.get(URL + path).status_code == 404, (user, path)


def test_the_page_shows_the_columns_and_right_aligned_figures(books, keeper):
    client = signed_in(keeper)
    page = client.get(URL).content.decode()
    assert "第一医院工会2025年度合并会计报表" in page
    assert re.search(r"<th class=\"num\"[^>]*>本级</th><th class=\"num\"[^>]*>内科分会</th>", page)
    assert '<th class="num">抵销</th><th class="num">合并</th>' in page
    assert '<td class="num eliminated">13,145.68</td><td class="num merged">0.00</td>' in page
    assert '<td class="num merged">134,413.69</td>' in page
    assert 'id="consolidated-eliminated-total">13,145.68<' in page
    report = client.get("/reports/first-hospital/2025/consolidated/").content.decode()
    assert (
        'href="/reports/first-hospital/2025/consolidated/statements/" id="open-consolidated-statements"'
        in report
    )
    assert client.get(URL + "?month=4").context["consolidated"].eliminated_total == D("12345.67")


def test_the_pdf_renders_with_the_figures(books, keeper):
    response = download(signed_in(keeper), URL + "pdf/?month=12")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "".join(page.extract_text() for page in reader.pages)
    for words in ("合并收入支出表", "合并资产负债表", "本级", "内科分会", "外科分会", "抵销", "合并"):
        assert words in text, words
    for figure in ("13,145.68", "51,234.89", "18,321.20", "32,913.69", "134,413.69", "101,500.00"):
        assert figure in text, figure
    box = reader.pages[0].mediabox
    assert box.width > box.height  # A4 landscape


def _cells(sheet) -> dict[str, list]:
    return {
        row[0].value.strip(): [cell.value for cell in row[1:]] for row in sheet.iter_rows() if row[0].value
    }


def _evaluate(formula: str, sheet) -> D:
    """A total's formula (=C5+C6-C9) over the sheet's values."""
    total = D("0.00")
    for sign, cell in re.findall(r"([+-]?)([A-Z]+\d+)", formula.lstrip("=")):
        total += -D(str(sheet[cell].value or 0)) if sign == "-" else D(str(sheet[cell].value or 0))
    return total


def test_the_workbook_holds_the_figures(books, keeper):
    response = download(signed_in(keeper), URL + "xlsx/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["合并收入支出表", "合并资产负债表", "抵销明细"]
    income, sheet = book["合并收入支出表"], book["合并资产负债表"]
    header = [cell.value for cell in income[4]]
    assert header[:2] == ["项目", "行次"] and header[-2:] == ["抵销", "合并\n本年累计数"]
    assert header[2] == "本级：第一医院工会\n本年累计数"
    rows = _cells(income)
    assert [D(str(value)) for value in rows["上级补助收入"][1:6]] == [
        D("0"),
        D("12345.67"),
        D("800.01"),
        D("13145.68"),
        D("0"),
    ]
    assert [D(str(value)) for value in rows["补助下级支出"][1:6]] == [
        D("13145.68"),
        D("0"),
        D("0"),
        D("13145.68"),
        D("0"),
    ]
    total_row = next(row for row in income.iter_rows() if row[0].value == "本年收入合计")
    assert [_evaluate(cell.value, income) for cell in total_row[2:7]] == [
        D("50000.33"),
        D("13580.23"),
        D("800.01"),
        D("13145.68"),
        D("51234.89"),
    ]
    rows = _cells(sheet)
    assert D(str(rows["银行存款"][5])) == D("134413.69") and D(str(rows["银行存款"][6])) == D("101500.00")
    pairs = [[cell.value for cell in row] for row in book["抵销明细"].iter_rows(min_row=5, max_row=6)]
    assert [(row[1], D(str(row[3]))) for row in pairs] == [
        ("内科分会", D("12345.67")),
        ("外科分会", D("800.01")),
    ]


def test_the_file_is_rendered_anew_when_a_branch_records(books, neike_year, keeper):
    key = jobs.consolidated_statements_key(books, 12)
    assert jobs.consolidated_statements_key(books, 12) == key
    receipt(neike_year, keeper, "2025-06-01", "4001", "10.00", summary="内科会费补收")
    assert jobs.consolidated_statements_key(books, 12) != key


def test_a_union_without_branches_shows_its_own_figures_as_the_whole(hospital_year, keeper):
    receipt(hospital_year, keeper, "2025-02-01", "4401", "88.88", summary="行政补助")
    consolidated = build_consolidated_statements(hospital_year)
    assert [part.slug for part in consolidated.parts] == ["first-hospital"] and not consolidated.eliminated
    assert consolidated.income.merged.total_current == D("88.88") == consolidated.income.part_totals[0]
    page = signed_in(keeper).get("/reports/first-hospital/2025/consolidated/").content.decode()
    assert "open-consolidated-statements" not in page


def test_the_2021_form_eliminates_last_years_pairs_in_its_previous_column(books, keeper):
    """上年数: each part's own previous year, less the previous year's 补助下级 pairs."""
    years = {}
    for slug, bank in (("first-hospital", "5000.00"), ("first-neike", "100.00"), ("first-waike", "100.00")):
        union = Union.objects.get(slug=slug)
        years[slug] = services.open_year(union=union, year=2024)
        services.record_opening_balances(year=years[slug], balances={"1002": bank, "3202": bank}, user=keeper)
    services.allocate_to_branch(
        year=years["first-hospital"],
        branch=years["first-neike"].union,
        date=on("2024-09-09"),
        amount="300.03",
        summary="下拨内科分会2024年活动经费",
        user=keeper,
    )
    consolidated = build_consolidated_statements(books)
    assert consolidated.income_statement.has_previous
    income = next(line for line in consolidated.income.lines if line.label == "上级补助收入")
    expense = next(line for line in consolidated.expense.lines if line.label == "补助下级支出")
    assert (income.previous_parts, income.eliminated_previous, income.previous) == (
        (D("0.00"), D("300.03"), D("0.00")),
        D("300.03"),
        D("0.00"),
    )
    assert (expense.previous_parts, expense.eliminated_previous, expense.previous) == (
        (D("300.03"), D("0.00"), D("0.00")),
        D("300.03"),
        D("0.00"),
    )
    assert consolidated.income_statement.surplus_previous == D("0.00")  # 2024 had nothing else
    assert _figures(consolidated.income)["上级补助收入"][-2:] == (D("13145.68"), D("0.00"))  # this year's
    page = signed_in(keeper).get(URL).content.decode()
    assert "上年数（合并）" in page


def test_the_demo_city_hospital_with_its_two_branches(demo, treasurer):
    """The demo as `make run` loads it: 内科分会 and 外科分会 each received one 补助下级 (20,000.00, 15,000.00)."""
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415

    from ledger.models import AccountingYear  # noqa: PLC0415

    call_command("load_demo", force=True, stdout=io.StringIO())
    city = AccountingYear.objects.select_related("union", "chart").get(union__slug="city-hospital", year=2025)
    consolidated = build_consolidated_statements(city)
    assert [part.slug for part in consolidated.parts] == [
        "city-hospital",
        "city-hospital-neike",
        "city-hospital-waike",
    ]
    assert [item.amount for item in consolidated.eliminated] == [D("20000.00"), D("15000.00")]
    for section in _sections(consolidated):
        for line in section.lines:
            if line.current is not None:
                assert line.current == sum(line.parts, D("0.00")) - line.eliminated, line.label
    assert _figures(consolidated.income)["上级补助收入"][1:] == (
        D("20000.00"),
        D("15000.00"),
        D("35000.00"),
        D("0.00"),
    )
    assert consolidated.expense.eliminated_total == consolidated.income.eliminated_total == D("35000.00")
    assert consolidated.balance_sheet.balanced and all(check.ok for check in consolidated.checks)
    assert consolidated.income_statement.surplus == sum(consolidated.part_surpluses, D("0.00"))
    users = get_user_model().objects
    url = "/reports/city-hospital/2025/consolidated/statements/"
    for username in ("city-committee", "city-auditor", "fed-viewer"):
        assert signed_in(users.get(username=username)).get(url).status_code == 200, username
    assert signed_in(treasurer).get(url).status_code == 404  # another union's treasurer
