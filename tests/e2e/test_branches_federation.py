"""In a real browser: a hospital union with two 分工会 that keep books, an allocation to one of them made by the
hospital's treasurer, and a consolidated report whose figures are the sum of the parts less the allocation;
then the 总工会's user reads the table of its unions and cannot open a union outside the federation."""

import datetime
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from ledger import roles, services
from ledger.models import Union
from tests.conftest import run_worker
from tests.e2e.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _person(username: str, role: str, union: Union) -> None:
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    user.groups.add(Group.objects.get(name=role))
    union.members.add(user)


def _books(union: Union, bank: str, keeper) -> None:
    Union.objects.filter(pk=union.pk).update(review_required=False)
    union.refresh_from_db()
    year = services.open_year(union=union, year=2025)
    services.record_opening_balances(year=year, balances={"1002": bank, "3202": bank}, user=keeper)


@pytest.fixture
def unions(live_server):
    federation = services.create_union(name="市总工会", slug="city-federation")
    hospital = services.create_union(name="第一医院工会", slug="first-hospital", parent=federation)
    neike = services.create_union(name="内科分会", slug="first-neike", parent=hospital)
    waike = services.create_union(name="外科分会", slug="first-waike", parent=hospital)
    outside = services.create_union(name="外区医院工会", slug="other-hospital")
    _person("keeper", roles.TREASURER, hospital)
    _person("fed-user", roles.FEDERATION, federation)
    _person("outside-keeper", roles.TREASURER, outside)
    keeper = get_user_model().objects.get(username="keeper")
    for union, bank in ((hospital, "100000.00"), (neike, "1000.00"), (waike, "500.00"), (outside, "300.00")):
        _books(union, bank, keeper)
    on = datetime.date.fromisoformat
    services.record_receipt(
        union=hospital,
        date=on("2025-01-10"),
        account="4401",
        amount="50000.33",
        into="bank",
        summary="行政补助",
        user=keeper,
    )
    services.record_payment(
        union=neike,
        date=on("2025-02-10"),
        account="5101",
        amount="999.99",
        via="bank",
        summary="内科活动",
        user=keeper,
    )
    services.record_receipt(
        union=waike,
        date=on("2025-02-11"),
        account="4001",
        amount="88.88",
        into="bank",
        summary="外科会费",
        user=keeper,
    )
    return live_server.url


def _sign_in(page: Page, site: str, username: str) -> None:
    page.goto(site + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def _amount(text: str) -> D:
    return D(text.replace(",", "").strip())


def test_consolidated_report_and_the_federation_table(tab: Page, unions, settings, tmp_path):
    settings.REPORT_CACHE_DIR = tmp_path / "report-cache"
    site = unions
    _sign_in(tab, site, "keeper")
    tab.goto(site + "/u/first-hospital/2025/")
    tab.locator("#nav-branches").click()
    assert tab.locator("#branch-table tr[data-branch]").count() == 2
    form = tab.locator("#allocation-form")
    form.get_by_label("分工会").select_option("first-neike")
    form.get_by_label("金额（元）").fill("12,345.67")
    form.get_by_label("日期").fill("2025-04-01")
    form.get_by_label("摘要").fill("下拨内科分会活动经费")
    form.get_by_role("button", name="记账（双方同时入账）").click()
    assert "（上级补助收入），各12,345.67元" in tab.locator(".messages").inner_text()
    tab.locator("#open-consolidated").click()
    assert "第一医院工会2025年度合并财务工作报告" in tab.locator("h1").inner_text()

    rows = {}
    for row in tab.locator("#consolidated-table tbody tr").all():
        label = row.locator("th").inner_text()
        rows[label] = [_amount(cell.inner_text() or "0") for cell in row.locator("td").all()]
    # columns: 第一医院工会, 内科分会, 外科分会, 抵销, 合并数
    for label in ("年初经费余额", "本年收入", "本年支出", "年末经费余额"):
        *parts, eliminated, total = rows[label]
        assert total == sum(parts) - eliminated, label
    assert rows["本年收入"] == [D("50000.33"), D("12345.67"), D("88.88"), D("12345.67"), D("50089.21")]
    assert rows["本年支出"] == [D("12345.67"), D("999.99"), D("0.00"), D("12345.67"), D("999.99")]
    assert rows["年末经费余额"][-1] == D("101500.00") + D("50089.21") - D("999.99") == D("150589.22")
    assert _amount(tab.locator("#eliminated-total").inner_text()) == D("12345.67")
    # the 合并 statements: 本级, 内科分会, 外科分会, 抵销, 合并 on each line, the figures right-aligned
    tab.locator("#open-consolidated-statements").click()
    assert "第一医院工会2025年度合并会计报表" in tab.locator("h1").inner_text()
    statement = tab.locator("#consolidated-income-statement")
    for label, expected in (
        ("上级补助收入", [D("0.00"), D("12345.67"), D("0.00"), D("12345.67"), D("0.00")]),
        ("补助下级支出", [D("12345.67"), D("0.00"), D("0.00"), D("12345.67"), D("0.00")]),
        ("本年收入合计", [D("50000.33"), D("12345.67"), D("88.88"), D("12345.67"), D("50089.21")]),
    ):
        row = statement.locator("tbody tr").filter(has=tab.locator("th", has_text=label)).first
        cells = [_amount(cell.inner_text() or "0") for cell in row.locator("td").all()[1:]]
        assert cells == expected, label
    merged = statement.locator("td.merged").first
    assert merged.evaluate("cell => getComputedStyle(cell).textAlign") == "right"
    tab.go_back()
    # the branch's books, read-only for the hospital's treasurer
    tab.get_by_role("link", name="内科分会的账簿（只读）").click()
    assert "只读：您以上级工会的身份查阅内科分会的账目" in tab.locator("#read-from-above").inner_text()
    assert tab.get_by_role("link", name="记收入").count() == 0
    tab.get_by_role("button", name="退出").click()

    _sign_in(tab, site, "fed-user")
    tab.get_by_role("link", name="市总工会：所属工会汇总").click()
    assert tab.url == site + "/u/city-federation/2025/federation/"
    table = tab.locator("#federation-table")
    assert table.locator("tbody tr").count() == 1
    row = table.locator("tr[data-union='first-hospital']")
    cells = [cell.inner_text() for cell in row.locator("td").all()]
    assert cells[:3] == ["第一医院工会", "2025", "未结账"]
    assert [_amount(cell) for cell in cells[3:6]] == [D("50000.33"), D("12345.67"), D("137654.66")]
    assert row.locator("td").nth(3).evaluate("cell => getComputedStyle(cell).textAlign") == "right"
    table.get_by_role("link", name="本年收入").click()
    assert "sort=income" in tab.url
    row.get_by_role("link", name="第一医院工会").click()
    assert "第一医院工会2025年度财务工作报告" in tab.content()
    tab.goto(site + "/u/city-federation/2025/federation/")
    tab.locator("#federation-xlsx").click()  # a report worker renders the workbook; the page waits for it
    expect(tab.locator("h1")).to_have_text("市总工会2025年度所属工会汇总表（Excel）")
    with tab.expect_download() as download:
        run_worker()
    assert download.value.suggested_filename == "市总工会2025年度所属工会汇总.xlsx"
    outside = tab.goto(site + "/reports/other-hospital/2025/")
    assert outside.status == 404
    assert tab.goto(site + "/u/other-hospital/2025/").status == 404


def test_the_treasurer_marks_a_payment_with_a_branch_without_books(tab: Page, unions):
    services.create_union(
        name="药剂科分会",
        slug="first-yaoji",
        parent=Union.objects.get(slug="first-hospital"),
        keeps_books=False,
    )
    site = unions
    _sign_in(tab, site, "keeper")
    tab.goto(site + "/u/first-hospital/2025/payment/")
    category = tab.get_by_label("支出类别")
    first = category.locator("option", has_text="5101").first.get_attribute("value")
    category.select_option(first)
    tab.get_by_label("分会（辅助核算，可不选）").select_option(label="药剂科分会")
    tab.get_by_label("金额（元）").fill("321.09")
    tab.get_by_label("日期").fill("2025-03-05")
    tab.get_by_label("摘要").fill("药剂科分会活动")
    tab.locator("button[data-default-submit]").click()
    assert "已记账" in tab.locator(".messages").inner_text()
    assert tab.locator("td.branch").first.inner_text() == "药剂科分会"
    tab.goto(site + "/u/first-hospital/2025/branches/")
    row = tab.locator("#tracked-table tr[data-branch='first-yaoji']")
    assert [cell.inner_text() for cell in row.locator("td").all()] == ["药剂科分会", "0.00", "321.09"]
