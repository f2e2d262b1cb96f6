"""The treasurer's day, the auditor's read-only seat and a signed-out visitor, in a real browser."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from ledger import urls as ledger_urls
from ledger.models import Attachment, Voucher
from tests.conftest import PDF, PNG
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BOOK = "/u/blzq-hospital/2012/"
PHONE = {"width": 390, "height": 844}


def figure(page, element_id: str) -> str:
    return page.locator(f"#{element_id}").inner_text().strip()


def fits_the_width(page) -> bool:
    """Nothing but a table's own scroll box is wider than the window (no sideways page scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_treasurer_records_a_receipt_and_a_payment_with_scans(tab: Page, site, tmp_path):
    sign_in(tab, site, "treasurer")
    assert figure(tab, "cash-balance") == "7,898.40"
    assert figure(tab, "bank-balance") == "7,664.50"

    # 收入: the fourth quarter's late dues, in cash
    tab.get_by_role("link", name="记收入").first.click()
    tab.get_by_label("收入类别").select_option(label="401 会费收入")
    tab.get_by_label("金额（元）").fill("1,234.5")
    tab.get_by_label("日期").fill("2012-12-29")
    tab.get_by_label("库存现金").check()
    tab.get_by_label("摘要").fill("补收第四季度会员会费")
    tab.get_by_label("交款单位/个人（可不填）").fill("检验科")
    tab.get_by_role("button", name="保存并记账").click()
    tab.wait_for_url(re.compile(r"/vouchers/\d+/$"))
    assert "已记账：2012年12月 记-0007 收入 1,234.50元" in tab.content()  # December holds six
    assert tab.locator("#amount-in-words").inner_text() == "壹仟贰佰叁拾肆元伍角整"
    receipt_scan = tmp_path / "收据.pdf"
    receipt_scan.write_bytes(PDF)
    tab.get_by_label("原始凭证扫描件（PDF、JPEG 或 PNG）").set_input_files(str(receipt_scan))
    tab.get_by_role("button", name="上传").click()
    assert tab.get_by_text("已上传附件：收据.pdf").is_visible()

    # 支出: a bad amount first — refused in Chinese, what was typed is kept — then corrected
    tab.get_by_role("link", name="记支出").first.click()
    tab.get_by_label("支出类别").select_option(label="5010402 其他活动支出 › 职工元旦活动")
    tab.get_by_label("金额（元）").fill("300.001")
    tab.get_by_label("日期").fill("2012-12-30")
    tab.get_by_label("银行存款").check()
    tab.get_by_label("摘要").fill("元旦联欢会奖品")
    tab.get_by_role("button", name="保存并记账").click()
    assert tab.get_by_text("金额格式不正确").is_visible()
    assert tab.get_by_label("摘要").input_value() == "元旦联欢会奖品"
    assert tab.get_by_label("金额（元）").input_value() == "300.001"
    tab.get_by_label("金额（元）").fill("¥300.00")
    tab.get_by_role("button", name="保存并记账").click()
    tab.wait_for_url(re.compile(r"/vouchers/\d+/$"))
    assert "已记账：2012年12月 记-0008 支出 300.00元" in tab.content()
    payment_scan = tmp_path / "发票.png"
    payment_scan.write_bytes(PNG)
    tab.get_by_label("原始凭证扫描件（PDF、JPEG 或 PNG）").set_input_files(str(payment_scan))
    tab.get_by_role("button", name="上传").click()
    scan_link = tab.get_by_role("link", name="发票.png")
    served = tab.request.get(site + scan_link.get_attribute("href"))
    assert served.status == 200 and served.body() == PNG
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"

    # the balances changed, and the vouchers are in the journals with the running balance
    tab.get_by_role("link", name="首页").first.click()
    assert figure(tab, "cash-balance") == "9,132.90"
    assert figure(tab, "bank-balance") == "7,364.50"
    assert figure(tab, "income-total") == "37,434.50"
    assert figure(tab, "spending-total") == "29,658.50"
    tab.get_by_role("link", name="现金日记账").first.click()
    row = tab.locator("#journal tbody tr", has_text="补收第四季度会员会费")
    assert "2012年12月29日" in row.inner_text() and "1,234.50" in row.inner_text()
    # before the 800.00 of 12-31 and the 红字冲销 (−830.00, 12-31) of the mistyped receipt of 12-28
    assert row.locator("td").last.inner_text() == "10,762.90"
    assert tab.locator("#closing-balance").inner_text() == "9,132.90"
    tab.get_by_role("link", name="银行日记账").click()
    row = tab.locator("#journal tbody tr", has_text="元旦联欢会奖品")
    assert row.locator("td").last.inner_text() == "7,364.50"

    assert Voucher.objects.filter(year__year=2012, state="posted").count() == 19
    assert Attachment.objects.count() == 2

    # and the home tab reads well at phone width
    tab.set_viewport_size(PHONE)
    tab.get_by_role("link", name="首页").first.click()
    assert fits_the_width(tab)
    tab.screenshot(path=str(tmp_path / "home-phone.png"), full_page=True)


def test_general_voucher_rows_can_be_added_by_script(tab: Page, site):
    sign_in(tab, site, "treasurer")
    tab.get_by_role("link", name="记凭证").first.click()
    tab.wait_for_url(re.compile(r"/vouchers/new/$"))
    rows = tab.locator("#voucher-lines tbody tr")
    expect(rows).to_have_count(6)
    tab.get_by_role("button", name="增加一行").click()
    expect(rows).to_have_count(7)
    tab.get_by_label("日期").fill("2012-12-31")
    tab.get_by_label("摘要", exact=True).fill("现金存入银行")
    tab.locator("select[name=lines-5-account]").select_option(label="102 银行存款")
    tab.locator("input[name=lines-5-debit]").fill("1,000")
    tab.locator("select[name=lines-6-account]").select_option(label="101 库存现金")
    tab.locator("input[name=lines-6-credit]").fill("1000.00")
    tab.get_by_role("button", name="保存并记账").click()
    tab.wait_for_url(re.compile(r"/vouchers/\d+/$"))
    assert tab.locator("#amount-in-words").inner_text() == "壹仟元整"
    assert [line.account.code for line in Voucher.objects.latest("id").lines.all()] == ["102", "101"]


def test_auditor_reads_everything_and_reaches_no_form_that_writes(tab: Page, site):
    sign_in(tab, site, "auditor")
    assert figure(tab, "money-total") == "15,562.90"
    assert tab.get_by_role("link", name="记收入").count() == 0
    assert tab.get_by_role("link", name="记支出").count() == 0
    tab.get_by_role("link", name="2012年12月 记-0001").click()
    assert tab.locator("#amount-in-words").inner_text() == "伍仟壹佰伍拾陆元捌角整"
    assert tab.locator("input[type=file]").count() == 0
    assert tab.get_by_role("button", name="冲销").count() == 0
    voucher = tab.url.rstrip("/").rsplit("/", 1)[1]
    for path in ("receipt/", "payment/", "vouchers/new/", "accounts/new/"):
        response = tab.goto(site + BOOK + path)
        assert response.status == 403 and "无权访问" in tab.content(), path
    for path in (
        f"vouchers/{voucher}/reverse/",
        f"vouchers/{voucher}/attachments/",
        f"vouchers/{voucher}/review/",
        f"vouchers/{voucher}/post/",
        "vouchers/batch/",
    ):
        response = tab.request.post(site + BOOK + path, form={"reason": "审查"})
        assert response.status == 403, path  # CSRF or role: either way, refused
    tab.goto(site + BOOK + "audit/")
    assert tab.locator("h1").inner_text().startswith("操作记录")
    assert tab.locator("table.audit tbody tr").count() > 15
    tab.set_viewport_size(PHONE)
    for path in ("", "vouchers/", "cash/", "accounts/", f"vouchers/{voucher}/"):
        tab.goto(site + BOOK + path)
        assert fits_the_width(tab), path
    assert Voucher.objects.filter(year__union__slug="blzq-hospital").count() == 17


def test_a_signed_out_visitor_reaches_nothing_but_the_login_page(tab: Page, site):
    voucher = Voucher.objects.order_by("id")[2].pk
    args = {"slug": "blzq-hospital", "year": 2012, "pk": voucher, "step": "review"}
    paths = ["/"]
    for pattern in ledger_urls.urlpatterns:
        wanted = {key: args[key] for key in pattern.pattern.converters}
        paths.append(reverse(f"ledger:{pattern.name}", kwargs=wanted))
    for path in paths:
        tab.goto(site + path)
        assert tab.url.startswith(f"{site}/login/"), path
        assert tab.locator("h1").inner_text() == "登录工会经费账"
    assert tab.locator("html").get_attribute("lang") == "zh-CN"
    tab.get_by_label("用户名").fill("treasurer")
    tab.get_by_label("密码").fill("wrong-password")
    tab.get_by_role("button", name="登录").click()
    assert tab.get_by_text("用户名或密码不正确").is_visible()
