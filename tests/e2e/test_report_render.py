"""The report PDF in the browser: the waiting page polls while a background worker renders, then downloads."""

import pytest
from playwright.sync_api import Page, expect

from reports import fonts
from tests.conftest import run_worker
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def prepared_fonts():
    fonts.prepare()


def test_the_pdf_is_rendered_in_the_background_and_offered_when_done(tab: Page, site, settings, tmp_path):
    settings.REPORT_CACHE_DIR = tmp_path / "report-cache"
    sign_in(tab, site, "committee")
    tab.goto(f"{site}/reports/blzq-hospital/2012/")
    tab.click("#download-pdf")
    expect(tab.locator("#render-state")).to_have_text("排队等待生成")
    expect(tab.locator("h1")).to_have_text("巴林左旗医院工会2012年度财务工作报告（PDF）")
    with tab.expect_download() as download:
        run_worker()  # the worker renders while the page polls
    assert download.value.suggested_filename == "巴林左旗医院工会2012年度财务工作报告.pdf"
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
    expect(tab.locator("#render-state")).to_have_text("已生成")
    expect(tab.locator("#render-download")).to_be_visible()
