"""制单 → 审核 → 记账 and 红字冲销 in a real browser, as the demo union keeps its books (review required).

The treasurer enters a receipt; it waits 未审核 and counts nowhere; the reviewer reviews and posts it, and it
is numbered within its month (March, entered after December). It was wrong: the treasurer reverses it in red,
the reviewer reviews and posts the reversal, and the 科目余额表 shows the net figures.
"""

import re

import pytest
from playwright.sync_api import Page

from ledger import queries, services
from ledger.models import AccountingYear, Voucher
from tests.e2e.conftest import DESKTOP, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BOOK = "/u/blzq-hospital/2012/"


@pytest.fixture
def reviewer_tab(chromium):
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def review_and_post(page: Page, site: str, summary: str) -> None:
    page.goto(site + BOOK + "vouchers/?state=draft")
    page.get_by_role("row", name=re.compile(summary)).get_by_role("link").first.click()
    page.get_by_role("button", name="审核").click()
    assert page.locator("#voucher-state").inner_text() == "已审核"
    page.get_by_role("button", name="记账").click()
    assert page.locator("#voucher-state").inner_text() == "已记账"


def test_enter_review_post_and_correct_in_red(tab: Page, reviewer_tab: Page, reviewing_site):
    site = reviewing_site
    sign_in(tab, site, "treasurer")
    tab.get_by_role("link", name="记收入").first.click()
    tab.get_by_label("收入类别").select_option(label="401 会费收入")
    tab.get_by_label("金额（元）").fill("500")
    tab.get_by_label("日期").fill("2012-03-15")
    tab.get_by_label("库存现金").check()
    tab.get_by_label("摘要").fill("收外科会员会费")
    tab.get_by_role("button", name="保存，送审核").click()
    tab.wait_for_url(re.compile(r"/vouchers/\d+/$"))
    assert "已保存，等待审核" in tab.content()
    assert tab.locator("#voucher-state").inner_text() == "未审核"
    assert tab.locator("#voucher-no").inner_text() == "未编号"
    assert tab.get_by_role("button", name="审核").count() == 0  # not by its preparer
    tab.get_by_role("link", name="首页").first.click()
    assert tab.locator("#cash-balance").inner_text() == "7,898.40"  # a draft counts nowhere

    sign_in(reviewer_tab, site, "reviewer")
    review_and_post(reviewer_tab, site, "收外科会员会费")
    assert reviewer_tab.locator("#voucher-no").inner_text() == "2012年3月 记-0003"  # March, after December
    assert "审核：赵志刚" in reviewer_tab.locator("#voucher-people").inner_text()
    with reviewer_tab.context.expect_page() as opened:
        reviewer_tab.get_by_role("link", name="打印凭证").click()  # opens in a new tab
    printed = opened.value
    printed.wait_for_load_state()
    people = printed.locator("#print-people").inner_text()
    assert "制单：王秀兰" in people and "审核：赵志刚" in people and "记账：赵志刚" in people
    assert printed.locator("#print-daxie").inner_text() == "伍佰元整"
    assert "记字第 0003 号" in printed.locator("#print-number").inner_text()
    assert printed.get_by_role("button").count() == 0
    printed.close()

    # the amount was wrong: 红字冲销 by the treasurer, reviewed and posted by the reviewer
    tab.goto(site + BOOK + "vouchers/?state=posted&q=外科")
    tab.get_by_role("link", name="2012年3月 记-0003").click()
    tab.get_by_label("冲销原因").fill("应为内科会费，录错")
    tab.get_by_role("button", name="冲销").click()
    assert "等待审核后记账" in tab.content()
    review_and_post(reviewer_tab, site, "冲销2012年3月 记-0003号凭证")
    assert "-500.00" in reviewer_tab.locator("table.voucher-lines").inner_text()
    assert reviewer_tab.locator("table.voucher-lines .amount-red").count() == 4

    year = AccountingYear.objects.get(union__slug="blzq-hospital", year=2012)
    dues = queries.account_movement(year=year, account=services.resolve_account(year, "401"))
    assert (dues.debit, dues.credit, dues.closing) == (0, 6200, 6200)  # 500 and −500 net out
    tab.goto(site + BOOK + "accounts/")
    row = tab.locator("tr", has_text="会费收入").first.inner_text()
    assert "6,200.00" in row and "6,700.00" not in row and "500.00" not in row
    assert Voucher.objects.filter(state=Voucher.State.POSTED, year=year).count() == 19
