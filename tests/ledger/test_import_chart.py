"""import_chart: a corrected chart becomes a new version; any bad row refuses the whole file, by row number."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from ledger import services
from ledger.charts import facts_for, load_chart_file
from ledger.models import Account, Chart, Union

HEADER = ["科目编码", "科目名称", "类别", "余额方向", "上级科目"]
GOOD = [
    ["1001", "库存现金", "资产", "借", ""],
    ["1002", "银行存款", "资产", "借", ""],
    ["2301", "应付上级经费", "负债", "贷", ""],
    ["3202", "工会资金结余", "净资产", "贷", ""],
    ["4001", "会费收入", "收入", "贷", ""],
    ["5101", "职工活动支出", "支出", "借", ""],
    ["510105", "会员活动支出", "支出", "借", "5101"],
]


def workbook(tmp_path, rows, name="chart.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def run(path, *extra):
    call_command("import_chart", str(path), *extra, stdout=open("/dev/null", "w"))


def state():
    return (list(Chart.objects.values_list("code", flat=True)), Account.objects.count())


def test_a_corrected_chart_becomes_a_new_version_and_new_years_open_on_it(db, tmp_path):
    run(
        workbook(tmp_path, GOOD),
        "--code",
        "2021-2",
        "--name",
        "工会会计制度（2021，核对版）",
        "--base",
        "2021",
    )
    chart = Chart.objects.get(code="2021-2")
    assert chart.effective_from.isoformat() == "2022-01-01" and chart.form_code == "2021"
    assert (chart.cash_code, chart.bank_code, chart.surplus_code) == ("1001", "1002", "3202")
    accounts = {a.code: (a.name, a.type, a.parent.code if a.parent else None) for a in chart.accounts.all()}
    assert accounts["510105"] == ("会员活动支出", "expense", "5101") and len(accounts) == 7
    assert not chart.accounts.filter(code_provisional=True).exists()
    assert facts_for(chart).statements["form"] == "2021"  # the forms of the file it corrects
    union = Union.objects.create(name="新工会", slug="new-union")
    assert services.open_year(union=union, year=2026).chart == chart
    assert services.open_year(union=union, year=2021).chart.code == "2009"


def test_a_chart_file_in_json_imports_too(db, tmp_path):
    data = load_chart_file("gonghui-2021.json") | {"code": "2021-json", "name": "工会会计制度（2021，JSON）"}
    path = tmp_path / "chart.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    run(path, "--base", "2021")
    chart = Chart.objects.get(code="2021-json")
    assert chart.accounts.count() == Chart.objects.get(code="2021").accounts.count()
    assert chart.accounts.get(code="510105").parent.code == "5101"
    rows = [dict(zip(HEADER, row, strict=True)) for row in GOOD] + [
        {"科目编码": "4001", "科目名称": "会费", "类别": "收入", "余额方向": "贷", "上级科目": ""}
    ]
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    before = state()
    with pytest.raises(CommandError, match="第8行：科目编码4001与第5行重复"):
        run(path, "--code", "list", "--name", "列表", "--base", "2021")
    assert state() == before


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["10a1", "库存现金", "资产", "借", ""]], "第2行：科目编码“10a1”应由数字组成"),
        ([["1003", "", "资产", "借", ""]], "第2行：科目名称不能为空"),
        ([["1003", "备用金", "资金", "借", ""]], "第2行：类别“资金”应为资产、负债、净资产、收入或支出"),
        ([["1003", "备用金", "资产", "贷", ""]], "第2行：资产类科目的余额方向应为借"),
        ([["1001", "现金", "资产", "借", ""]], "第9行：科目编码1001与第2行重复"),
        ([["510199", "其他", "支出", "借", "5109"]], "第9行：上级科目5109不在科目表中"),
        ([["520101", "其他", "支出", "借", "5101"]], "第9行：科目编码520101应以上级科目编码5101开头并更长"),
        (
            [["510106", "退款", "收入", "贷", "5101"]],
            "第9行：510106 退款的类别“收入”与上级科目5101 职工活动支出的类别“支出”不同",
        ),
    ],
)
def test_each_kind_of_error_is_refused_with_its_row_and_nothing_written(db, tmp_path, rows, message):
    if rows[0][0] in ("1001", "510199", "520101", "510106"):
        rows = GOOD + rows
    else:
        rows = rows + GOOD
    before = state()
    with pytest.raises(CommandError) as refused:
        run(workbook(tmp_path, rows), "--code", "bad", "--name", "有误的科目表", "--base", "2021")
    assert message in str(refused.value) and str(refused.value).startswith("科目表有误，未导入")
    assert state() == before


def test_key_accounts_and_accounts_with_postings_may_not_go(db, tmp_path, user):
    union = Union.objects.create(name="新工会", slug="new-union")
    year = services.open_year(union=union, year=2024)
    gifts = services.add_sub_account(
        union=union, parent=services.resolve_account(year, "510105"), name="春节慰问品"
    )
    services.record_opening_balances(year=year, balances={"1002": "100.00", "3202": "100.00"}, user=user)
    services.record_payment(
        union=union,
        date=year.start.replace(month=2),
        account=gifts,
        amount="10.00",
        via="bank",
        summary="春节",
        user=user,
    )
    rows = [row for row in GOOD if row[0] not in ("1001", "510105")]
    before = state()
    with pytest.raises(CommandError) as refused:
        run(workbook(tmp_path, rows), "--code", "2021-3", "--name", "少了科目", "--base", "2021")
    text = str(refused.value)
    assert "科目表缺少库存现金科目1001" in text
    assert "科目510105 会员活动支出已有记账凭证，新版本不能删除它（文件中没有编码510105）" in text
    assert "科目1002" not in text  # still there
    changed = [row if row[0] != "1002" else ["1002", "银行存款", "负债", "贷", ""] for row in GOOD]
    with pytest.raises(CommandError, match="第3行：科目1002已有记账凭证，类别不能改变"):
        run(workbook(tmp_path, changed), "--code", "2021-3", "--name", "改了类别", "--base", "2021")
    assert state() == before


def test_the_command_refuses_a_taken_code_a_bad_file_and_an_unknown_base(db, tmp_path):
    path = workbook(tmp_path, GOOD)
    with pytest.raises(CommandError, match="会计制度版本“2021”已存在"):
        run(path, "--code", "2021", "--name", "重复", "--base", "2021")
    with pytest.raises(CommandError, match="没有编码为“1998”的会计制度"):
        run(path, "--code", "x", "--name", "x", "--base", "1998")
    other = tmp_path / "chart.csv"
    other.write_text("科目编码\n", encoding="utf-8")
    with pytest.raises(CommandError, match="不支持的文件类型“.csv”"):
        run(other, "--code", "x", "--name", "x", "--base", "2021")
    empty = Workbook()
    empty.active.append(["编码", "名称"])
    empty.save(tmp_path / "wrong.xlsx")
    with pytest.raises(CommandError, match="第1行：表头缺少列：科目编码、科目名称、类别、余额方向、上级科目"):
        run(tmp_path / "wrong.xlsx", "--code", "x", "--name", "x", "--base", "2021")
