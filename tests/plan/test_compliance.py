"""A year with cash festival money, cash welfare for every member and a cash-paid outing: each is a finding
on the auditor's 合规检查 page, in the 结账 checks and in the report (appendix and JSON), with rule and source."""

import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from ledger import queries as books
from ledger import services as ledger
from ledger.errors import LedgerError
from ledger.hooks import extra_year_checks
from plan import queries, services
from plan.demo import load_plan_demo
from plan.models import GiftForm, Purpose
from reports.data import build_annual_report
from reports.render.json import report_dict
from reports.render.xlsx import render_xlsx

from .conftest import d

EXPECTED = {
    ("春节过节费", "cn-2017-festival-goods"),
    ("全员福利", "cn-2014-no-cash-benefits"),
    ("职工旅游费", "cn-2014-no-cash-benefits"),
    ("职工旅游费", "cn-cash-threshold-1000"),
}


def pay(book, keeper, account, date, amount, summary, via, **facts):
    voucher = ledger.record_payment(
        union=book.union, date=d(date), account=account, amount=amount, via=via, summary=summary, user=keeper
    )
    services.record_payment_facts(voucher=voucher, via=via, facts=facts, warnings=[])
    return voucher


@pytest.fixture
def seed_year(book, keeper, festival):
    """The sample report 3's year: 60 元 cash 过节费 to 40 women, 1,000 元 cash welfare to each of 40 members, a
    350 元-a-head outing paid in cash; and two payments that keep the rules."""
    services.save_settings(union=book.union, province="内蒙古")
    pay(
        book,
        keeper,
        festival,
        "2025-03-07",
        "2400.00",
        "春节过节费",
        "bank",
        purpose=Purpose.FESTIVAL,
        form=GiftForm.CASH,
        headcount=40,
    )
    pay(
        book,
        keeper,
        festival,
        "2025-06-30",
        "40000.00",
        "全员福利",
        "bank",
        purpose=Purpose.WELFARE,
        form=GiftForm.CASH,
        headcount=40,
    )
    pay(
        book,
        keeper,
        festival,
        "2025-08-15",
        "3500.00",
        "职工旅游费",
        "cash",
        purpose=Purpose.OUTING,
        form=GiftForm.CASH,
        headcount=10,
    )
    pay(
        book,
        keeper,
        festival,
        "2025-09-20",
        "8000.00",
        "中秋慰问品",
        "bank",
        purpose=Purpose.FESTIVAL,
        form=GiftForm.GOODS,
        headcount=40,
    )
    ledger.record_payment(
        union=book.union,
        date=d("2025-10-01"),
        account=festival,
        amount="800.00",
        via="cash",
        summary="文具",
        user=keeper,
    )
    return book


def test_each_breach_is_a_finding_with_its_rule_and_source(seed_year):
    found = queries.findings(seed_year)
    assert {(f.summary, f.rule_code) for f in found} == EXPECTED
    cash = next(f for f in found if f.rule_code == "cn-cash-threshold-1000")
    assert (cash.amount, cash.message, cash.date) == (
        D("3500.00"),
        "以现金支付3500.00元，超过1000.00元",
        d("2025-08-15"),
    )
    assert all(f.source for f in found)


def test_the_auditors_page_lists_every_finding(seed_year, checker_client, django_assert_num_queries):
    url = reverse("plan:compliance", args=[seed_year.union.slug, 2025])
    checker_client.get(url)
    with django_assert_num_queries(13):  # the union's province comes with the book
        page = checker_client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    for summary, _ in EXPECTED:
        assert summary in text
    assert "《基层工会经费收支管理办法》（总工办发〔2017〕32号）" in text
    assert "全总办公厅关于严格工会经费使用管理的“八不准”（2014年）" in text
    assert text.count("<tr>") - 2 == 4 + 1  # two header rows; four findings and the empty flagged row


def test_the_page_costs_the_same_however_many_payments(
    seed_year, keeper, festival, checker_client, django_assert_num_queries
):
    url = reverse("plan:compliance", args=[seed_year.union.slug, 2025])
    checker_client.get(url)
    for day in range(1, 11):
        pay(
            seed_year,
            keeper,
            festival,
            f"2025-11-{day:02d}",
            "1200.00",
            "现金过节费",
            "bank",
            purpose=Purpose.FESTIVAL,
            form=GiftForm.CASH,
            headcount=40,
        )
    with django_assert_num_queries(13):  # the union's province comes with the book
        assert checker_client.get(url).status_code == 200
    assert len(queries.findings(seed_year)) == 4 + 10


def test_the_year_end_checks_list_them_as_warnings(seed_year):
    check = next(c for c in extra_year_checks(seed_year) if c.title == "支出符合经费使用规定")
    assert (check.ok, check.required) == (False, False)
    assert len(check.comparisons) == 4
    assert "节日慰问品应为实物，不得发放现金过节费或购物卡：节日慰问以现金发放" in check.detail


def test_the_report_appendix_and_json_carry_the_findings(seed_year):
    data = build_annual_report(seed_year)
    assert {(f.summary, f.rule_code) for f in data.plan.findings} == EXPECTED
    out = report_dict(data)
    assert {(f["rule_code"], f["source"] != "") for f in out["findings"]} == {
        (code, True) for _, code in EXPECTED
    }
    festival_finding = next(f for f in out["findings"] if f["rule_code"] == "cn-2017-festival-goods")
    assert festival_finding == {
        "rule": "节日慰问品应为实物，不得发放现金过节费或购物卡",
        "rule_code": "cn-2017-festival-goods",
        "province": "全国",
        "source": "《基层工会经费收支管理办法》（总工办发〔2017〕32号）",
        "voucher": data.plan.findings[0].voucher_no,
        "date": "2025-03-07",
        "amount": "2400.00",
        "message": "节日慰问以现金发放",
    }
    from reports.render.html import render_html  # noqa: PLC0415

    html = render_html(data)[2].decode()
    assert "附：经费使用合规检查发现的问题" in html
    assert (
        "全国：不准以现金形式违规发放福利、津贴补贴和活动费用（全总办公厅关于严格工会经费使用管理的“八不准”（2014年））"
        in html
    )


def test_the_demo_plan(book, keeper, checker_client, django_assert_num_queries):
    """The demo's budget, roster with a year of dues, levy received and partly remitted, one flagged payment."""
    load_plan_demo(year=book, user=keeper)
    report = build_annual_report(book)
    plan = report.plan
    assert plan.levy_received == D("96000.00") and plan.owed_upward == D("16000.00")
    assert plan.remitted == D("48000.00")
    assert [f.rule_code for f in plan.findings] == ["cn-2017-festival-goods"]
    assert plan.dues.rate < 100 and [a.name for a in plan.dues.arrears] == ["赵敏", "黄强"]
    assert plan.budget.approved_on == d("2025-01-20")
    out = report_dict(report)
    assert out["owed_upward"] == "16000.00"
    assert out["dues"]["rate"] == str(plan.dues.rate)
    assert {c["category"]: c["actual"] for c in out["budget"]["categories"]}["节日慰问品"] == "5600.00"
    html_text = __import__("reports.render.html", fromlist=["render_html"]).render_html(report)[2].decode()
    assert "足额及时" not in html_text  # 16,000.00 is still owed upward
    assert "截至年末尚欠上级工会经费16000.00元" in html_text
    assert f"收缴率{plan.dues.rate}%" in html_text
    assert "预算执行情况" in html_text
    workbook = load_workbook(io.BytesIO(render_xlsx(report, books.journal_rows(book))[2]))
    assert "预算执行表" in workbook.sheetnames
    services.remit_levy(union=book.union, date=d("2025-12-20"), amount="16000.00", via="bank", user=keeper)
    html_text = (
        __import__("reports.render.html", fromlist=["render_html"])
        .render_html(build_annual_report(book))[2]
        .decode()
    )
    assert (
        "保证了经费足额及时拨缴" in html_text
        and "按比例足额及时向上级工会缴纳工会经费64000.00元" in html_text
    )
    page = checker_client.get(reverse("ledger:dashboard", args=[book.union.slug, 2025])).content.decode()
    assert 'id="owed-upward">0.00<' in page
    assert f'id="dues-rate">{plan.dues.rate}%<' in page


def test_annual_report_json_command(book, keeper, tmp_path):
    load_plan_demo(year=book, user=keeper)
    out = tmp_path / "r.json"
    call_command(
        "annual_report",
        union=book.union.slug,
        year=2025,
        format="json",
        output=str(out),
        stderr=io.StringIO(),
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) >= {"budget", "dues", "owed_upward", "findings"}
    assert data["findings"][0]["rule_code"] == "cn-2017-festival-goods"


def test_import_columns_become_facts_and_an_imported_breach_is_a_finding(book, keeper, festival):
    facts = services.facts_from_columns(headcount=40.0, form="现金", purpose="节日慰问", where="第3行")
    assert facts == {"form": "cash", "purpose": "festival", "headcount": 40}
    assert services.facts_from_columns() == {}
    with pytest.raises(LedgerError, match="第3行发放形式只能是实物、现金、购物卡、提货券或统一组织：红包"):
        services.facts_from_columns(form="红包", where="第3行")
    with pytest.raises(LedgerError, match="人数须是正整数"):
        services.facts_from_columns(headcount="2.5")
    voucher = ledger.record_payment(
        union=book.union,
        date=d("2025-02-01"),
        account=festival,
        amount="2400.00",
        via="bank",
        summary="导入：春节",
        user=keeper,
    )
    services.record_payment_facts(voucher=voucher, via="bank", facts=facts, warnings=[])
    assert [f.rule_code for f in queries.findings(book)] == ["cn-2017-festival-goods"]


def test_the_payment_form_shows_the_fact_group_for_member_spending_only(book, keeper_client, festival):
    page = keeper_client.get(reverse("ledger:payment", args=[book.union.slug, 2025])).content.decode()
    assert 'id="payment-facts"' in page and "js/payment-facts" in page
    marker = '<script id="facts-categories" type="application/json">'
    ids = json.loads(page.split(marker)[1].split("</script>")[0])
    assert festival.pk in ids
    assert ledger.resolve_account(book, book.chart.cash_code).pk not in ids


def test_the_report_text_session_order_and_deficit(book, keeper, keeper_client, activities, festival):
    """Issue 15 item 6: the congress session as a field, the treasurer's order of the spending lines, and a
    sentence for a deficit year (covered from 上年结余)."""
    other = ledger.add_sub_account(union=book.union, parent=activities, name="文体活动", user=keeper)
    for account, amount in ((festival, "300.00"), (other, "200.00")):
        ledger.record_payment(
            union=book.union,
            date=d("2025-02-01"),
            account=account,
            amount=amount,
            via="bank",
            summary="活动",
            user=keeper,
        )
    data = build_annual_report(book)
    assert [line.name for line in data.expense_lines] == ["节日慰问品", "文体活动"]
    url = reverse("reports:edit_text", args=[book.union.slug, 2025])
    form = keeper_client.get(url).context["form"]
    post = {name: form[name].value() or "" for name in form.fields}
    post.update(
        {"session": "第八届第四次会员代表大会", f"order_{festival.code}": "2", f"order_{other.code}": "1"}
    )
    assert keeper_client.post(url, post).status_code == 302
    data = build_annual_report(book)
    assert [line.name for line in data.expense_lines] == ["文体活动", "节日慰问品"]
    from reports.render.html import render_html  # noqa: PLC0415

    html = render_html(data)[2].decode()
    assert "——在呼和浩特测试医院工会第八届第四次会员代表大会上" in html
    assert "本年经费支出大于收入500.00元，差额由上年结余弥补。" in html
    # A 2021-chart year names spending by its first-level category, the lines below in the treasurer's order.
    assert html.index("文体活动200.00元") < html.index("节日慰问品300.00元")


def test_load_demo_adds_the_plan_to_the_city_hospital_books_once(book, keeper):
    from plan.hooks import load_demo  # noqa: PLC0415

    assert load_demo(user=keeper) == ""  # no city-hospital books: nothing to do
    book.union.slug = "city-hospital"
    book.union.save()
    assert "已载入" in load_demo(user=keeper)
    assert load_demo(user=keeper) == ""  # once
    assert [f.rule_code for f in queries.findings(book)] == ["cn-2017-festival-goods"]


def test_the_close_page_shows_the_plans_warnings(seed_year, keeper_client):
    page = keeper_client.get(reverse("ledger:year_close", args=[seed_year.union.slug, 2025])).content.decode()
    assert "支出符合经费使用规定" in page and "应付上级经费已足额上缴" in page
    assert "以现金支付3500.00元，超过1000.00元" in page


def test_the_pdf_carries_the_plans_parts(book, keeper):
    from reports.render.pdf import render_pdf  # noqa: PLC0415
    from tests.reports.test_render_pdf import text_of  # noqa: PLC0415

    load_plan_demo(year=book, user=keeper)
    text = "".join(text_of(render_pdf(build_annual_report(book))[2]).split())
    assert "（五）预算执行情况" in text and "预算执行情况表" in text
    assert "截至年末尚欠上级工会经费16000.00元" in text
    assert "附：经费使用合规检查发现的问题" in text and "总工办发〔2017〕32号" in text
