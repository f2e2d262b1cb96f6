"""The workbook, read back with openpyxl: real values, number formats, frozen headers, and formulas that add up."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest

from ledger import services
from ledger.queries import journal_rows
from reports.data import build_annual_report
from reports.render.xlsx import render_xlsx
from tests.conftest import payment, settle_year_end, voucher

MADE_AT = datetime.datetime(2026, 11, 25, 9, 30, tzinfo=datetime.UTC)
D = Decimal


def workbook_of(year) -> openpyxl.Workbook:
    name, content_type, body = render_xlsx(build_annual_report(year), journal_rows(year), made_at=MADE_AT)
    assert name.endswith("年度财务工作报告.xlsx")
    assert content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(body))


def money(value) -> Decimal:
    return D(str(value)).quantize(D("0.01"))


def evaluate(ws, formula: str) -> Decimal:
    """What Excel computes for the formulas the workbook uses: SUM, SUMIF on a level column, + and -."""
    body = formula.removeprefix("=")
    if m := re.fullmatch(r"SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)", body):
        column, first, _, last = m.groups()
        return sum((value_of(ws, f"{column}{row}") for row in range(int(first), int(last) + 1)), D("0.00"))
    if m := re.fullmatch(r"SUMIF\(\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+),1,([A-Z]+)\d+:[A-Z]+\d+\)", body):
        level, first, last, column = m.groups()
        rows = range(int(first), int(last) + 1)
        return sum((value_of(ws, f"{column}{r}") for r in rows if ws[f"{level}{r}"].value == 1), D("0.00"))
    total, sign = D("0.00"), 1
    for token in re.findall(r"[+-]|[A-Z]+\d+", body):
        if token in "+-":
            sign = 1 if token == "+" else -1
        else:
            total += sign * value_of(ws, token)
    return total


def value_of(ws, ref: str) -> Decimal:
    value = ws[ref].value
    if isinstance(value, str) and value.startswith("="):
        return evaluate(ws, value)
    if value is None or isinstance(value, str):
        return D("0.00")
    return money(value)


def row_with(ws, text: str, column: str = "A") -> int:
    for row in range(1, ws.max_row + 1):
        if ws[f"{column}{row}"].value == text:
            return row
    raise AssertionError(f"{text} not in column {column} of {ws.title}")


@pytest.fixture
def demo_book(demo):
    return workbook_of(demo)


def test_sheets_and_frozen_headers(demo_book):
    assert demo_book.sheetnames == ["收支情况表", "科目余额表", "明细账", "收入支出表", "资产负债表"]
    frozen = {ws.title: ws.freeze_panes for ws in demo_book.worksheets}
    assert frozen == {
        "收支情况表": "A5",
        "科目余额表": "A5",
        "明细账": "A2",
        "收入支出表": "A5",
        "资产负债表": "A5",
    }
    assert [c.value for c in demo_book["收支情况表"][4]] == ["类别", "项目", "会计科目", "本年数", "上年数"]
    assert demo_book["收支情况表"]["A1"].value == "巴林左旗医院工会2012年度经费收支情况表"
    assert demo_book["收支情况表"]["A3"].value.startswith("注：2012年度尚未结账")
    assert demo_book["收支情况表"].oddFooter.center.text == "第 &P 页 / 共 &N 页"


def test_summary_sheet_holds_the_sample_reports_figures_and_sums_that_add_up(demo_book):
    ws = demo_book["收支情况表"]
    opening = row_with(ws, "年初经费余额")
    assert ws[f"D{opening}"].value == 8721.4 and ws[f"D{opening}"].number_format == "#,##0.00"
    lines = {
        ws[f"B{r}"].value: money(ws[f"D{r}"].value)
        for r in range(opening + 1, ws.max_row)
        if ws[f"A{r}"].value in ("收入", "支出")
    }
    assert lines == {
        "会员会费收缴": D("6200.00"),
        "单位补助": D("30000.00"),
        "三八妇女节": D("723.00"),
        "职工元旦活动费": D("5178.70"),
        "庆“七一”文艺汇演": D("300.00"),
        "为乡村扶贫点等捐赠及慰问": D("23156.80"),
    }
    income, expense, closing = (
        row_with(ws, "收入合计"),
        row_with(ws, "支出合计"),
        row_with(ws, "年末经费余额"),
    )
    assert ws[f"D{income}"].value == f"=SUM(D{opening + 1}:D{income - 1})"
    assert ws[f"D{closing}"].value == f"=D{opening}+D{income}-D{expense}"
    assert evaluate(ws, ws[f"D{income}"].value) == D("36200.00")
    assert evaluate(ws, ws[f"D{expense}"].value) == D("29358.50")
    assert evaluate(ws, ws[f"D{closing}"].value) == D("15562.90")
    check = row_with(ws, "核对")
    assert evaluate(ws, ws[f"D{check}"].value) == D("0.00")
    for row in (income, expense, closing):
        assert ws[f"D{row}"].number_format == "#,##0.00"
    assert [c.value for c in ws[ws.max_row] if c.value] == ["工会主席：", "财务负责人：", "审核：", "制表："]


def test_trial_balance_sheet_balances_in_excel(demo_book):
    ws = demo_book["科目余额表"]
    cash = row_with(ws, "101")
    assert [ws.cell(cash, c).value for c in range(1, 10)] == [
        "101",
        "库存现金",
        1,
        1521.4,
        0,
        8200,
        1823,
        7898.4,
        0,
    ]
    assert ws.cell(row_with(ws, "331"), 9).value == 8721.4  # 结余 on the credit side
    total = row_with(ws, "合计")
    sums = [evaluate(ws, ws.cell(total, c).value) for c in range(4, 10)]
    assert sums == [D("8721.40"), D("8721.40"), D("67558.50"), D("67558.50"), D("44921.40"), D("44921.40")]
    assert ws.cell(total, 4).value.startswith("=SUMIF(")


def test_the_journal_lists_every_posted_line_with_real_dates_and_amounts(demo_book, demo):
    ws = demo_book["明细账"]
    assert [c.value for c in ws[1]] == [
        "日期",
        "凭证号",
        "类型",
        "摘要",
        "科目编码",
        "科目名称",
        "借方金额",
        "贷方金额",
    ]
    body = list(ws.iter_rows(min_row=2, max_row=ws.max_row - 1, values_only=True))
    assert len(body) == 35  # the opening voucher's 3 lines and 16 vouchers of 2 lines (one a 红字冲销)
    first = body[0]
    assert first[:6] == (datetime.datetime(2012, 1, 1), "记-0001", "期初余额", "期初余额", "101", "库存现金")
    assert ws["A2"].number_format == "yyyy-mm-dd" and ws["G2"].number_format == "#,##0.00"
    women = next(row for row in body if row[4] == "5010401")
    assert (
        women[0].date() == datetime.date(2012, 3, 8) and money(women[6]) == D("723.00") and women[7] is None
    )
    total = ws.max_row
    assert ws[f"A{total}"].value == "合计"
    assert ws[f"G{total}"].value == f"=SUM(G2:G{total - 1})"
    assert evaluate(ws, ws[f"G{total}"].value) == evaluate(ws, ws[f"H{total}"].value) == D("76279.90")


def test_income_statement_and_balance_sheet_sheets_in_the_2009_form(demo_book):
    ws = demo_book["收入支出表"]
    assert ws["A1"].value == "收入支出表（工会02表）"
    assert [c.value for c in ws[4]] == ["项目", "行次", "本月数", "本年累计数"]
    assert ws.cell(row_with(ws, "会费收入"), 4).value == 6200
    assert ws.cell(row_with(ws, "　　其他活动支出"), 4).value == 5901.7  # a 明细 row, indented
    assert evaluate(ws, ws.cell(row_with(ws, "本期收入合计"), 4).value) == D("36200.00")
    assert evaluate(ws, ws.cell(row_with(ws, "本期支出合计"), 4).value) == D("29358.50")
    # December alone: 5156.80 + 4378.70 + 800.00 spent, 1550.00 of dues
    assert evaluate(ws, ws.cell(row_with(ws, "本期支出合计"), 3).value) == D("10335.50")
    assert evaluate(ws, ws.cell(row_with(ws, "本期收入合计"), 3).value) == D("1550.00")
    surplus = row_with(ws, "三、收支结余")
    assert ws.cell(surplus, 2).value == 41 and evaluate(ws, ws.cell(surplus, 4).value) == D("6841.50")
    assert any("工会01表、工会02表" in str(c.value) for c in ws["A"])
    assert any("复核：" == str(c.value) for row in ws.iter_rows() for c in row)

    ws = demo_book["资产负债表"]
    assert ws["A1"].value == "资产负债表（工会01表）"
    assert [c.value for c in ws[4]] == [
        "资产",
        "行次",
        "年初数",
        "期末数",
        "负债和净资产",
        "行次",
        "年初数",
        "期末数",
    ]
    total = row_with(ws, "资产总计")
    assert evaluate(ws, ws.cell(total, 3).value) == D("8721.40")
    assert evaluate(ws, ws.cell(total, 4).value) == D("15562.90")
    assert ws.cell(total, 5).value == "负债与净资产总计" and ws.cell(total, 6).value == 30
    assert evaluate(ws, ws.cell(total, 7).value) == D("8721.40")
    assert evaluate(ws, ws.cell(total, 8).value) == D("15562.90")
    surplus = row_with(ws, "结余", "E")
    assert (ws.cell(surplus, 7).value, ws.cell(surplus, 8).value) == (8721.4, 15562.9)


def test_text_from_the_books_is_never_a_formula(year, user):
    voucher(
        year,
        user,
        "2012-02-01",
        '=HYPERLINK("http://evil.example","点我")',
        ("101", "5.00", ""),
        ("102", "", "5.00"),
    )
    book = workbook_of(year)
    ws = book["明细账"]
    cells = [row[3] for row in ws.iter_rows(min_row=2) if row[3].value and "HYPERLINK" in str(row[3].value)]
    assert len(cells) == 2
    assert all(cell.data_type == "s" for cell in cells)


def test_a_year_with_a_previous_year_compares_and_an_empty_year_still_adds_up(demo, user):
    settle_year_end(demo, user)
    following = services.close_year(year=demo, user=user)
    payment(following, user, "2013-02-01", "50102", "100.00", via="cash")
    ws = workbook_of(following)["收支情况表"]
    assert ws["A3"].value.startswith("注：2013年度尚未结账")
    opening = row_with(ws, "年初经费余额")
    assert (ws[f"D{opening}"].value, ws[f"E{opening}"].value) == (15562.9, 8721.4)
    closing = row_with(ws, "年末经费余额")
    assert evaluate(ws, ws[f"D{closing}"].value) == D("15462.90")
    assert evaluate(ws, ws[f"E{closing}"].value) == D("15562.90")

    empty = services.open_year(union=demo.union, year=2015)
    ws = workbook_of(empty)["收支情况表"]
    assert ws.cell(row_with(ws, "本年度没有经费收入", "B"), 4).value == 0
    assert evaluate(ws, ws[f"D{row_with(ws, '年末经费余额')}"].value) == D("0.00")
    assert workbook_of(empty)["明细账"].max_row == 2  # header and total
