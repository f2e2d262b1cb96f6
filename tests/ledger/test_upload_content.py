"""A scan must be what its first bytes claim, all the way through (issue 9, item 7): images are decoded with
Pillow, PDFs parsed with pypdf, and a PDF that would run something when opened is refused."""

import io

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from ledger import attachments
from tests.conftest import JPEG, PDF, PNG, nth, upload
from tests.ledger.test_views_voucher import refused_upload

pytestmark = pytest.mark.usefixtures("media_root")

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def active_pdf(where: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if where == "javascript":
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
        )
        tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), action])})
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    elif where == "open_action":
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
        )
    elif where == "page_action":
        writer.pages[0][NameObject("/AA")] = DictionaryObject(
            {
                NameObject("/O"): DictionaryObject(
                    {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")}
                )
            }
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def largest(demo):
    return nth(demo, 12)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.png", b"\x89PNG\r\n\x1a\n" + HTML, "文件不是完整可读的 PNG 图片"),
        ("scan.png", PNG[:40], "文件不是完整可读的 PNG 图片"),  # cut short
        ("scan.jpg", b"\xff\xd8\xff\xe0" + HTML, "文件不是完整可读的 JPEG 图片"),
        ("scan.pdf", b"%PDF-1.4\n" + HTML, "文件不是完整可读的 PDF"),
        (
            "scan.pdf",
            b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
            "完整可读的 PDF",
        ),
        ("scan.pdf", active_pdf("javascript"), "PDF 中含有脚本或自动执行的动作"),
        ("scan.pdf", active_pdf("open_action"), "PDF 中含有脚本或自动执行的动作（/Launch、/OpenAction）"),
        ("scan.pdf", active_pdf("page_action"), "PDF 中含有脚本或自动执行的动作（/AA、/JS、/JavaScript）"),
    ],
)
def test_files_that_only_start_like_a_scan_are_refused(
    client_for, largest, media_root, name, content, message
):
    refused_upload(client_for("treasurer"), largest, upload(name, content), message, media_root)


def test_real_scans_pass(largest, treasurer):
    for name, content in [("a.pdf", PDF), ("b.png", PNG), ("c.jpg", JPEG)]:
        assert attachments.add_attachment(
            voucher=largest, uploaded=upload(name, content), user=treasurer
        ).size == len(content)
