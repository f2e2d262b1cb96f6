"""Named users, one per role, over the demo books of 巴林左旗医院工会 2012, and another union beside it.

`treasurer`, `committee` and `auditor` are the demo users `make run` prints; `outsider` keeps the books of
another union as its treasurer; `norole` is a member of the demo union with no role; `admin` is a site
administrator. Each role has a logged-in test client (`client_for`).
"""

import hashlib
import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from pypdf import PdfWriter

from ledger import attachments, roles, services
from ledger.models import Union
from tests.conftest import d


def _image(image_format: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 4), "white").save(out, image_format)
    return out.getvalue()


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# Small real files of the three allowed types: uploads are decoded (Pillow) and parsed (pypdf), not only sniffed.
PDF = _pdf()
PNG = _image("PNG")
JPEG = _image("JPEG")
ROLE_NAMES = ["anonymous", "norole", "treasurer", "committee", "auditor", "outsider", "admin"]


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """Scans go to a temporary MEDIA_ROOT, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def treasurer(demo):
    return get_user_model().objects.get(username="treasurer")


@pytest.fixture
def committee(demo):
    return get_user_model().objects.get(username="committee")


@pytest.fixture
def auditor(demo):
    return get_user_model().objects.get(username="auditor")


@pytest.fixture
def norole(demo):
    user = get_user_model().objects.create_user("norole", password="pw-unionledger-1", first_name="无角色")
    demo.union.members.add(user)
    return user


@pytest.fixture
def admin(demo):
    return get_user_model().objects.create_superuser("siteadmin", password="pw-unionledger-1")


@pytest.fixture
def other_year(demo):
    """Another union's 2012 books, with a 明细科目, a payment and a scan of its own."""
    union = Union.objects.create(name="另一家医院工会", slug="other-hospital")
    keeper = get_user_model().objects.create_user("other-keeper", password="pw-unionledger-1")
    keeper.groups.add(Group.objects.get(name=roles.TREASURER))
    union.members.add(keeper)
    year = services.open_year(union=union, year=2012)
    services.record_opening_balances(year=year, balances={"101": "500.00", "331": "500.00"}, user=keeper)
    own = services.add_sub_account(
        union=union, parent=services.resolve_account(year, "50104"), name="外会活动", user=keeper
    )
    voucher = services.record_payment(
        union=union,
        date=d("2012-02-01"),
        account=own,
        amount="100.00",
        via="cash",
        summary="外会支出",
        user=keeper,
    )
    return year, own, voucher, keeper


@pytest.fixture
def outsider(other_year):
    """The treasurer of another union: every page of the demo union is a 404 to them."""
    return other_year[3]


@pytest.fixture
def other_scan(other_year, media_root):
    _, _, voucher, keeper = other_year
    return attachments.add_attachment(voucher=voucher, uploaded=upload("other.png", PNG), user=keeper)


@pytest.fixture
def demo_scan(demo, treasurer, media_root):
    voucher = demo.vouchers.get(number=3)
    return attachments.add_attachment(voucher=voucher, uploaded=upload("三八发票.pdf", PDF), user=treasurer)


@pytest.fixture
def client_for(request, demo):
    """``client_for("auditor")``: a test client signed in as that role (``anonymous``: signed out)."""

    def make(role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return make
