"""A character outside the report's fonts never blocks the PDF (issue 9, item 7): CJK Extension B comes from
the embedded Hanazono fallback, a name no font can print is refused at entry, and whatever still lacks a glyph
prints as 〓."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ledger import services
from ledger.errors import LedgerError
from ledger.models import Account
from reports import fonts
from tests.conftest import download, payment

pytestmark = pytest.mark.usefixtures("prepared_fonts")

PDF_URL = reverse("reports:annual_pdf", args=["blzq-hospital", 2012])


def pdf_of(response) -> PdfReader:
    assert response.status_code == 200, response.content[:500]
    return PdfReader(io.BytesIO(b"".join(response.streaming_content)))


def font_names(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"].get_object().get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def own_account(demo, user, name: str) -> Account:
    demo.union.members.add(user)
    account = services.add_sub_account(
        union=demo.union, parent=services.resolve_account(demo, "50104"), name=name, user=user
    )
    payment(demo, user, "2012-12-31", account.code, "100.00", via="cash")
    return account


def test_an_extension_b_name_prints_from_the_embedded_fallback(client, auditor, demo, user):
    assert fonts.fallback_file() is not None, "fonts-hanazono (scripts/install-system-deps.sh)"
    assert fonts.FALLBACK_FAMILY in fonts.font_face_css()
    own_account(demo, user, "𠀀字活动")
    client.force_login(auditor)
    reader = pdf_of(download(client, PDF_URL))
    assert any(name.endswith("+Unionledger-Han-Fallback") for name in font_names(reader))
    assert "𠀀字活动" in "".join(page.extract_text() for page in reader.pages)


def test_a_name_no_font_has_prints_as_the_missing_character_mark(client, auditor, demo, user):
    account = own_account(demo, user, "古文活动")
    Account.objects.filter(pk=account.pk).update(name="古文𓀀活动")  # as the admin may rename it
    client.force_login(auditor)
    text = "".join(page.extract_text() for page in pdf_of(download(client, PDF_URL)).pages)
    assert "古文〓活动" in text


@pytest.mark.parametrize("name", ["古文𓀀", "活动😀", "a\x07b", "عيد"])
def test_names_a_book_cannot_print_are_refused_at_entry(client, treasurer, demo, name):
    parent = services.resolve_account(demo, "50104")
    count = Account.objects.count()
    with pytest.raises(LedgerError, match="^明细科目名称中有账簿和报告印不出的字符："):
        services.add_sub_account(union=demo.union, parent=parent, name=name, user=treasurer)
    client.force_login(treasurer)
    response = client.post(
        reverse("ledger:sub_account_new", args=["blzq-hospital", 2012]), {"parent": parent.pk, "name": name}
    )
    assert "明细科目名称中有账簿和报告印不出的字符" in response.content.decode()
    assert Account.objects.count() == count
    assert services.add_sub_account(union=demo.union, parent=parent, name="𠀀（Ⅱ）·é①", user=treasurer).pk
