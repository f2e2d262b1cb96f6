"""The 经费审查报告: the finance report's figures to the cent, what was reviewed, findings, words, outputs."""

import io
import json
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from reports.data import build_annual_report
from review import services
from review.models import AuditReportText
from review.render import render_json
from review.report import BudgetLine, Finding, build_audit_report
from tests.conftest import download, nth

pytestmark = pytest.mark.usefixtures("media_root")
SLUG, YEAR = "blzq-hospital", 2012


def test_figures_are_the_finance_reports_to_the_cent(demo, auditor, treasurer, demo_scan):
    services.mark_checked(voucher=nth(demo, 3), user=auditor)
    services.raise_query(voucher=nth(demo, 4), user=auditor, comment="会费名册未附")
    data = build_audit_report(demo)
    finance = build_annual_report(demo)
    assert data.finance.current.summary.rows == finance.current.summary.rows
    ours = json.loads(render_json(data)[2])["figures"]
    theirs = finance.current
    assert (
        (ours["opening_balance"], ours["income"], ours["expense"], ours["closing_balance"])
        == (
            str(theirs.opening_balance),
            str(theirs.total_income),
            str(theirs.total_expense),
            str(theirs.closing_balance),
        )
        == ("8721.40", "36200.00", "29358.50", "15562.90")
    )
    assert (data.vouchers, data.vouchers_checked, data.vouchers_with_scans) == (17, 1, 1)  # with the 红字冲销
    assert (data.queries_raised, data.queries_closed, data.queries_open) == (1, 0, 1)
    assert [f.source for f in data.findings] == ["疑点", "银行对账"]
    assert data.budget is None


def test_the_budget_and_the_rule_findings_are_the_finance_reports_own(demo, user):
    from ledger import services as ledger
    from plan import services as plan
    from plan.models import GiftForm, Purpose

    plan.save_settings(union=demo.union, province="内蒙古")
    plan.set_budget(year=demo, amounts={"501": Decimal("7000.00")}, user=user, approved_on=demo.start)
    voucher = ledger.record_payment(
        union=demo.union,
        date=demo.end,
        account="50104",
        amount="1200.00",  # in cash, above the 1,000 元 a payment in cash may be (national, no dates)
        via="cash",
        summary="元旦过节费",
        user=user,
    )
    facts = {"purpose": Purpose.FESTIVAL, "form": GiftForm.CASH, "headcount": 10}
    plan.record_payment_facts(voucher=voucher, via="cash", facts=facts, warnings=[])
    data = build_audit_report(demo)
    assert [(line.category, line.budget) for line in data.budget] == [
        ("501 职工活动支出", Decimal("7000.00"))
    ]
    assert data.budget[0].actual == data.finance.plan.budget.rows[0].actual
    rules = [f for f in data.findings if f.source == "开支规定"]
    assert rules and len(rules) == len(data.finance.plan.findings)
    assert all("元旦过节费 1200.00元" in f.text for f in rules)


def test_optional_sections_take_what_other_apps_give(demo):
    budget = (BudgetLine("职工活动支出", Decimal("7000.00"), Decimal("6201.70")),)
    data = build_audit_report(demo, budget=budget, rule_findings=(Finding("开支规定", "节日慰问超标准"),))
    assert data.budget[0].rate == Decimal("88.6")
    assert data.findings[0] == Finding("开支规定", "节日慰问超标准")


def test_the_page_the_words_and_who_edits_them(demo, client_for):
    url = reverse("review:audit_report", args=[SLUG, YEAR])
    page = client_for("committee").get(url).content.decode()
    assert "本年收入36200.00元" in page and "年末经费余额15562.90元" in page and "修改报告文字" not in page
    edit = reverse("review:audit_text", args=[SLUG, YEAR])
    assert client_for("treasurer").get(edit).status_code == 403
    auditor = client_for("auditor")
    form = {
        "salutation": "各位代表：",
        "mandate": "受委托报告。",
        "examined": "逐张审阅凭证。",
        "conclusions": "账实相符。",
        "suggestions": "加强预算管理。",
        "report_date": "2013-03-20",
    }
    assert auditor.post(edit, {**form, "examined": ""}).status_code == 200
    assert not AuditReportText.objects.exists()
    assert auditor.post(edit, form).status_code == 302
    page = auditor.get(url).content.decode()
    assert "逐张审阅凭证。" in page and "2013年3月20日" in page and "本年收入36200.00元" in page


@pytest.mark.usefixtures("prepared_fonts")
def test_pdf_workbook_and_the_command(demo, client_for, tmp_path):
    url = reverse("review:audit_report", args=[SLUG, YEAR])
    client = client_for("auditor")
    path = tmp_path / "audit.pdf"
    assert client.get(url, {"format": "pdf"}).status_code == 202  # a background worker renders it
    path.write_bytes(b"".join(download(client, url + "?format=pdf").streaming_content))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.replace(
        " ", ""
    )
    assert "经费审查报告" in text and "36,200.00" in text and "15,562.90" in text and "第1页/共" in text
    workbook = b"".join(download(client, url + "?format=xlsx").streaming_content)
    sheet = load_workbook(io.BytesIO(workbook)).active
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, max_row=8, values_only=True)}
    assert Decimal(str(values["本年支出"])) == Decimal("29358.50")
    out = tmp_path / "audit.json"
    call_command("audit_report", union=SLUG, year=YEAR, format="json", output=str(out), stderr=io.StringIO())
    assert json.loads(out.read_text())["figures"]["opening_balance"] == "8721.40"


def test_the_cached_workbook_is_rendered_afresh_when_the_review_changes(demo, auditor, client_for):
    """Its key is its data: a 疑点 raised (no voucher changed) makes a new file with the new finding."""
    client = client_for("auditor")
    url = reverse("review:audit_report", args=[SLUG, YEAR]) + "?format=xlsx"
    first = download(client, url)
    assert first.status_code == 200 and client.get(url)["X-Report-Cache"] == "hit"
    services.raise_query(voucher=nth(demo, 3), user=auditor, comment="发票抬头不符")
    assert client.get(url).status_code == 202
    findings = load_workbook(io.BytesIO(b"".join(download(client, url).streaming_content)))["发现的问题"]
    assert any("发票抬头不符" in str(row[1]) for row in findings.iter_rows(min_row=2, values_only=True))


def test_the_page_takes_a_fixed_number_of_queries(demo, auditor, client_for, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("auditor")
    url = reverse("review:audit_report", args=[SLUG, YEAR])
    services.raise_query(voucher=nth(demo, 3), user=auditor, comment="一")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for number in (4, 5, 6):
        services.raise_query(voucher=nth(demo, number), user=auditor, comment="再")
    with django_assert_num_queries(len(one)):
        client.get(url)
