"""python manage.py annual_report --union SLUG --year YEAR --format html|pdf|xlsx|json --output FILE"""

import io
import json
import os
import subprocess
import sys

import openpyxl
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from pypdf import PdfReader


def run(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("annual_report", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_json_to_stdout_holds_the_sample_reports_figures(demo):
    data = json.loads(run("--union", "blzq-hospital", "--year", "2012", "--format", "json", "--output", "-"))
    assert data["opening_balance"] == "8721.40"
    assert data["income"] == [
        {"category": "会员会费收缴", "amount": "6200.00", "account": "401", "account_name": "会费收入"},
        {"category": "单位补助", "amount": "30000.00", "account": "405", "account_name": "行政补助收入"},
    ]
    assert {(line["category"], line["amount"]) for line in data["expense"]} == {
        ("三八妇女节", "723.00"),
        ("职工元旦活动费", "5178.70"),
        ("庆“七一”文艺汇演", "300.00"),
        ("为乡村扶贫点等捐赠及慰问", "23156.80"),
    }
    assert (data["total_income"], data["total_expense"], data["closing_balance"]) == (
        "36200.00",
        "29358.50",
        "15562.90",
    )
    assert (data["cash"], data["bank"], data["remittance_to_higher_union"]) == ("7898.40", "7664.50", "0.00")
    assert data["is_closed"] is False and data["previous_year"] is None
    assert data["report_date"] == "2013-03-26"
    assert [check["ok"] for check in data["checks"]] == [True, True, True, None]


@pytest.mark.usefixtures("prepared_fonts")
def test_pdf_xlsx_and_html_to_files(demo, tmp_path):
    for fmt in ("pdf", "xlsx", "html"):
        run(
            "--union",
            "blzq-hospital",
            "--year",
            "2012",
            "--format",
            fmt,
            "--output",
            str(tmp_path / f"report.{fmt}"),
        )
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "report.pdf").pages).replace("\n", "")
    assert "年末经费余额15562.90元" in text
    book = openpyxl.load_workbook(tmp_path / "report.xlsx")
    assert book.sheetnames[0] == "收支情况表"
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in html
    assert "三八妇女节支出723.00元" in html and "二〇一三年三月二十六日" in html


def test_html_to_stdout(demo):
    assert "巴林左旗医院工会2012年度财务工作报告" in run(
        "--union", "blzq-hospital", "--year", "2012", "--format", "html", "--output", "-"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--union", "nowhere", "--year", "2012", "--format", "json", "--output", "-"],
            "没有简称为“nowhere”的工会",
        ),
        (
            ["--union", "blzq-hospital", "--year", "2031", "--format", "json", "--output", "-"],
            "尚未建立2031年度的账套",
        ),
        (["--union", "blzq-hospital", "--year", "2012", "--format", "pdf", "--output", "-"], "二进制文件"),
    ],
)
def test_errors_are_plain_chinese(demo, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_check_says_in_chinese_when_no_cjk_font_is_installed(tmp_path):
    empty = tmp_path / "fonts.conf"
    empty.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig></fontconfig>')
    env = os.environ | {
        "FONTCONFIG_FILE": str(empty),
        "REPORT_FONT_DIR": str(tmp_path / "none"),
        "DJANGO_SETTINGS_MODULE": "unionledger.settings_test",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "reports.W001" in result.stderr and "服务器上没有中文字体" in result.stderr


def test_check_is_quiet_when_fonts_and_harfbuzz_are_ready():
    from reports.checks import report_fonts
    from reports.fonts import prepare

    prepare()
    assert report_fonts() == []
