"""Hostile and careless input at every form the treasurer has: thousands of generated posts, no 500,
a Chinese message, and the books unchanged whenever the post is refused.

Field names are read from each form as the browser gets it, so a field added later is attacked too.
"""

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ledger.models import Account, Voucher
from ledger.submissions import new_token
from tests.conftest import JPEG, PDF, PNG, nth, snapshot, upload

BOOK = "/u/blzq-hospital/2012/"
HOSTILE = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
ERROR = re.compile(r"(请|不能|不正确|必须|格式|不在|超出|最多|不是|余额不足|无效|必填|没有|已结账|过大|类型)")

values = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "0.00",
            "1.234",
            "1e3",
            "NaN",
            "Infinity",
            "-Infinity",
            "１２３",
            "一百",
            "壹佰元",
            "¥1,234.50",
            "1,23",
            "99999999999999999999",
            "2012-02-30",
            "2013-01-01",
            "2011-12-31",
            "9999-12-31",
            "0000-00-00",
            "2012/03/08",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\x00",
            "😀",
            "bank",
            "cash",
            "wallet",
            "-5",
            "1" * 300,
        ]
    ),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
)


def form_fields(client, path: str) -> list[str]:
    page = client.get(path).content.decode()
    return sorted({name for name in FIELD.findall(page) if name != "csrfmiddlewaretoken"})


def check(response, before, path: str) -> None:
    assert response.status_code in (200, 302, 400, 403, 404), (path, response.status_code)
    if response.status_code == 302:
        return  # a valid post: the books changed through the services, as they should
    assert snapshot() == before, path
    if response.status_code == 200:
        assert ERROR.search(response.content.decode()), path


@pytest.fixture
def treasurer_client(client_for, media_root):
    return client_for("treasurer")


@pytest.mark.parametrize("form_page", ["opening/", "receipt/", "payment/", "vouchers/new/", "accounts/new/"])
def test_forms_survive_generated_posts(treasurer_client, form_page):
    path = BOOK + form_page
    fields = form_fields(treasurer_client, path)
    assert fields, path

    @HOSTILE
    @given(data=st.fixed_dictionaries({}, optional={name: values for name in fields}))
    def attack(data):
        before = snapshot()
        check(treasurer_client.post(path, data), before, path)

    attack()


def test_forged_ids_of_every_kind(treasurer_client, other_year):
    """Ids of another union's accounts and vouchers, and ids that do not exist, are refused everywhere."""
    _, own, voucher, _ = other_year
    foreign_system = Account.objects.filter(chart__code="2009").exclude(code__in=["401", "405"]).first()
    for page in ["receipt/", "payment/"]:
        for category in [own.pk, 10**9, -1, "x", foreign_system.pk if page == "receipt/" else own.pk]:
            before = snapshot()
            response = treasurer_client.post(
                BOOK + page,
                {
                    "date": "2012-06-01",
                    "category": category,
                    "amount": "10.00",
                    "via": "cash",
                    "summary": "伪造",
                },
            )
            check(response, before, page)
            assert response.status_code == 200
    for path in [
        f"{BOOK}vouchers/{voucher.pk}/",
        f"{BOOK}vouchers/{voucher.pk}/reverse/",
        f"{BOOK}accounts/{own.pk}/",
    ]:
        before = snapshot()
        response = (
            treasurer_client.post(path, {"reason": "伪造", "token": new_token()})
            if "reverse" in path
            else treasurer_client.get(path)
        )
        assert response.status_code == 404
        assert snapshot() == before


@HOSTILE
@given(
    # Names the test client itself refuses to build ("." and "..") are sent raw in the next test.
    name=st.text(min_size=1, max_size=80).filter(
        lambda n: "/" not in n and "\x00" not in n and n not in {".", ".."}
    ),
    content=st.one_of(
        st.binary(max_size=512),
        st.sampled_from([PDF[:3], b"GIF89a" + b"\x00" * 20, b"<html>", b"MZ\x90\x00", b"PK\x03\x04"]),
        st.sampled_from([PDF, PNG, JPEG]).map(lambda good: good[::-1]),
    ),
)
def test_uploads_of_anything_but_pdf_jpeg_png_are_refused(treasurer_client, demo, name, content):
    voucher = nth(demo, 3)
    before = snapshot()
    count = voucher.attachments.count()
    response = treasurer_client.post(
        f"{BOOK}vouchers/{voucher.pk}/attachments/",
        {"file": upload(name, content, "application/pdf")},
        follow=True,
    )
    assert response.status_code in (200, 400)
    if content.startswith((b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        return
    assert voucher.attachments.count() == count
    assert snapshot() == before
    assert "文件" in response.content.decode()


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "请填写冲销原因"),
        (" ", "请填写冲销原因"),
        ("\x00", "空字符"),
        ("长" * 151, "冲销原因不能超过150字"),
    ],
)
def test_reversal_with_hostile_reasons_is_refused(treasurer_client, demo, reason, message):
    voucher = nth(demo, 15)  # 2012-12-31, not reversed
    before = snapshot()
    response = treasurer_client.post(
        f"{BOOK}vouchers/{voucher.pk}/reverse/", {"reason": reason, "token": new_token()}, follow=True
    )
    assert response.status_code in (200, 400)
    assert not Voucher.objects.filter(reverses=voucher).exists()
    assert snapshot() == before
    assert message in response.content.decode()


def test_report_text_form_survives_generated_posts(treasurer_client):
    """The treasurer's report-text form: a refused post changes neither the books nor the stored text."""
    from reports.models import ReportText

    path = "/reports/blzq-hospital/2012/text/"
    fields = form_fields(treasurer_client, path)
    assert "report_date" in fields

    @HOSTILE
    @given(data=st.fixed_dictionaries({}, optional={name: values for name in fields}))
    def attack(data):
        before = (snapshot(), list(ReportText.objects.values_list()))
        response = treasurer_client.post(path, data)
        assert response.status_code in (200, 302, 400), response.status_code
        if response.status_code != 302:
            assert (snapshot(), list(ReportText.objects.values_list())) == before
            assert ERROR.search(response.content.decode()) or "请" in response.content.decode()

    attack()


COMMANDS = st.sampled_from(["trial_balance", "annual_report"])


@HOSTILE
@given(
    command=COMMANDS,
    slug=st.one_of(st.just("blzq-hospital"), st.text(max_size=20)),
    year=st.one_of(st.just("2012"), st.integers(-5, 10**6).map(str), st.text(max_size=6)),
    fmt=st.sampled_from(["json", "text", "html", "xlsx", "pdf", "csv", "", "../../etc/passwd"]),
)
@example(command="trial_balance", slug="blzq\x00hospital", year="2012", fmt="json")  # psycopg refuses NUL
def test_reporting_commands_refuse_bad_arguments_in_chinese(demo, tmp_path, command, slug, year, fmt):
    from io import StringIO

    from django.core.management import CommandError, call_command

    before = snapshot()
    out = tmp_path / "out.bin"
    args = [command, "--union", slug, "--year", year, "--format", fmt]
    if command == "annual_report":
        args += ["--output", str(out)]
    try:
        call_command(*args, stdout=StringIO(), stderr=StringIO())
    except CommandError as error:
        message = str(error)
        assert any("\u4e00" <= char <= "\u9fff" for char in message) or message.startswith("Error: argument")
    assert snapshot() == before


@pytest.mark.parametrize("filename", [".", "..", "../../etc/passwd", "", "a\\..\\b.pdf"])
def test_raw_uploads_with_hostile_file_names(treasurer_client, demo, filename):
    """A multipart body written by hand, with the names a browser would never send."""
    voucher = nth(demo, 3)
    boundary = "----unionledger"
    token = treasurer_client.get(f"{BOOK}vouchers/{voucher.pk}/").cookies["csrftoken"].value
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + f"\r\n--{boundary}--\r\n".encode()
    )
    before = voucher.attachments.count()
    response = treasurer_client.generic(
        "POST",
        f"{BOOK}vouchers/{voucher.pk}/attachments/",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code in (200, 302, 400)
    for attachment in voucher.attachments.all():
        assert "/" not in attachment.original_name and attachment.original_name not in {"", ".", ".."}
        assert attachment.file.name.startswith("attachments/")
    assert voucher.attachments.count() in (before, before + 1)
