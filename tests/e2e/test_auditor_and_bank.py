"""The auditor's 疑点 from raising to closing, and the treasurer reconciling the demo bank statement."""

import re

import pytest
from playwright.sync_api import Page, expect

from bank.management.commands.load_demo_statement import DEMO_STATEMENT
from ledger.models import Attachment, Voucher
from review.models import Remark
from tests.conftest import PNG
from tests.e2e.conftest import DESKTOP, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BOOK = "/u/blzq-hospital/2012/"


def _other_tab(chromium) -> Page:
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_a_query_raised_answered_with_a_scan_and_closed(tab: Page, chromium, site, tmp_path):
    voucher = Voucher.objects.get(year__year=2012, number=3)
    url = f"{site}{BOOK}vouchers/{voucher.pk}/"

    sign_in(tab, site, "auditor")
    tab.goto(url)
    tab.get_by_text("提出疑点", exact=True).first.click()  # opens the details
    tab.get_by_label("疑点说明").fill("纪念品发放无签收单")
    tab.get_by_role("button", name="提出疑点").click()
    tab.wait_for_url(re.compile(r"#review$"))
    assert tab.get_by_text("已提出疑点，等待出纳/会计答复。").is_visible()
    assert tab.locator(".query-state").first.inner_text() == "待答复"

    treasurer = _other_tab(chromium)
    sign_in(treasurer, site, "treasurer")
    panel = treasurer.locator("#open-queries")
    assert "纪念品发放无签收单" in panel.inner_text()
    panel.get_by_role("link", name="2012年记-0003").click()
    scan = tmp_path / "签收单.png"
    scan.write_bytes(PNG)
    treasurer.get_by_label("答复说明").fill("补附签收单")
    treasurer.get_by_label("补充扫描件（可不选）").set_input_files(str(scan))
    treasurer.get_by_role("button", name="答复").click()
    assert treasurer.get_by_text("已答复疑点，等待经费审查委员复核。").is_visible()
    assert Attachment.objects.get(voucher=voucher).original_name == "签收单.png"
    expect(treasurer.locator("#review")).to_contain_text("签收单.png")
    treasurer.context.close()

    tab.goto(url)
    assert tab.locator(".query-state").first.inner_text() == "已答复"
    tab.get_by_label("意见", exact=True).fill("已核对签收单")
    tab.get_by_role("button", name="关闭疑点").click()
    assert tab.get_by_text("疑点已关闭。").is_visible()
    assert Remark.objects.get().state == "closed"


def test_the_treasurer_reconciles_the_demo_statement(tab: Page, site):
    sign_in(tab, site, "treasurer")
    tab.get_by_role("link", name="银行对账").first.click()
    tab.get_by_label("开户银行").fill("中国农业银行巴林左旗支行")
    tab.get_by_label("银行对账单（.xlsx 或 .csv）").set_input_files(str(DEMO_STATEMENT))
    tab.get_by_label("对账单截止日期（可不填，默认为最后一笔交易日）").fill("2012-12-31")
    tab.get_by_role("button", name="上传并自动匹配").click()
    tab.wait_for_url(re.compile(r"/reconcile/matching/$"))
    assert tab.locator("tr.proposed").count() == 6
    assert tab.locator("tr.unmatched").count() == 1  # the bank's interest, not in the books yet
    tab.get_by_role("button", name="确认全部自动匹配").click()
    assert tab.locator("tr.matched").count() == 6
    tab.get_by_role("link", name="12月调节表").click()
    assert tab.locator("#bank-balance").inner_text() == "12,061.56"
    assert tab.locator("#book-balance").inner_text() == "7,664.50"
    assert (
        tab.locator("#adjusted-bank").inner_text() == tab.locator("#adjusted-book").inner_text() == "7,682.86"
    )
    assert tab.locator("#reconciled").inner_text().startswith("✓ 调节后余额相符")


def test_the_auditor_exports_the_filtered_trail_through_a_worker(tab: Page, site, settings, tmp_path):
    """操作记录 filtered to one action, then 导出 Excel: the page waits for a report worker and downloads the workbook,
    whose rows are the page's rows."""
    import io  # noqa: PLC0415

    from openpyxl import load_workbook  # noqa: PLC0415

    from tests.conftest import run_worker  # noqa: PLC0415

    settings.REPORT_CACHE_DIR = tmp_path / "report-cache"
    sign_in(tab, site, "auditor")
    tab.goto(f"{site}{BOOK}audit/")
    tab.get_by_label("操作").select_option("year_opened")
    tab.get_by_role("button", name="筛选").click()
    shown = [row.inner_text().split("\t")[2] for row in tab.locator("table.audit tbody tr").all()]
    assert shown == ["建立年度账套"]
    tab.get_by_role("link", name="导出 Excel").click()
    expect(tab.locator("h1")).to_contain_text("操作记录（Excel）")  # the page waits for a report worker
    with tab.expect_download() as download:
        run_worker()
    assert re.fullmatch(r"巴林左旗医院工会-操作记录-\d{8}\.xlsx", download.value.suggested_filename)
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("时间", "用户", "操作") and [row[2] for row in rows[2:]] == shown
