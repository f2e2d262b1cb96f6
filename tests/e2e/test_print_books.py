"""The books print as paper books: A4, the union and the period in the header, page X/Y, and nothing of the
screen (filters, buttons, navigation). Printed by Chromium (``page.pdf``, the print stylesheet) and read
back with pypdf."""

import io
import re
import subprocess
import unicodedata

import pytest
from playwright.sync_api import Page
from pypdf import PdfReader

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BOOK = "/u/blzq-hospital/2012/"


def printed(tab: Page, path: str) -> tuple[bytes, str]:
    tab.goto(path)
    pdf = tab.pdf(format="A4", print_background=True)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=1)  # A4: 210 mm wide
    # The PDF's text maps some glyphs to radicals (⼯ for 工, ⻚ for 页): NFKC and one more give them back;
    # NFKC also turns the full-width colon into ":".
    text = "\n".join(page.extract_text() for page in reader.pages)
    return pdf, unicodedata.normalize("NFKC", text).replace("\u2eda", "页")


def test_the_cash_journal_prints_like_the_paper_book(tab: Page, site, tmp_path):
    sign_in(tab, site, "treasurer")
    pdf, words = printed(tab, site + BOOK + "cash/?month=12")
    flat = re.sub(r"\s+", "", words)
    assert "巴林左旗医院工会" in flat and "现金日记账" in flat and "2012年12月" in flat and "单位:元" in flat
    for heading in ("日期", "凭证字号", "摘要", "对方科目", "借方", "贷方", "借或贷", "余额"):
        assert heading in flat
    assert "上月结转" in flat and "本月合计" in flat and "本年累计" in flat and "7,898.40" in flat
    assert "第1页/共1页" in flat  # the @page counters
    for screen_only in ("导出本月", "导出全年", "记收入", "退出", "凭证科目余额表", "打印:", "3月4月5月"):
        assert screen_only not in flat, screen_only
    (tmp_path / "cash.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "60",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "cash.pdf"),
            str(tmp_path / "cash"),
        ],
        check=True,
    )
    assert (tmp_path / "cash-1.png").stat().st_size > 10_000


def test_a_long_book_repeats_its_header_on_every_page(tab: Page, site):
    sign_in(tab, site, "auditor")
    _, words = printed(tab, site + BOOK + "accounts/?all=1")
    flat = re.sub(r"\s+", "", words)
    assert "科目余额表" in flat and "2012年1月至12月" in flat and "合计" in flat
    assert "查看" not in flat and "起始月份" not in flat and "显示全部科目" not in flat  # no filter box
    pages = len(re.findall(r"第\d+页/共(\d+)页", flat))
    assert pages >= 2 and flat.count("巴林左旗医院工会科目余额表") == pages  # the header row on each page
