"""A file over IMPORT_BACKGROUND_ROWS is confirmed in a background thread; the page polls its progress."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports import services
from imports.models import ImportBatch
from ledger.models import Voucher
from tests.imports.conftest import cashbook, url


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_imported_in_the_background_with_progress(book_client, year, settings):
    settings.IMPORT_BACKGROUND_ROWS = 5
    rows = [
        [datetime.date(2012, 5, 1 + n), f"收会费{n}", "会费收入", 10 + n, None, "现金", ""] for n in range(8)
    ]
    book_client.post(
        url("start", year), {"kind": "cashbook", "file": SimpleUploadedFile("大.xlsx", cashbook(*rows))}
    )
    batch = ImportBatch.objects.get()
    assert "文件较大，确认后在后台导入" in book_client.get(url("preview", year, batch.pk)).content.decode()
    started = []
    original = services.start

    def start_and_remember(**kwargs):
        started.append(original(**kwargs))
        return started[-1]

    services.start, saved = start_and_remember, services.start
    try:
        response = book_client.post(url("confirm", year, batch.pk))
    finally:
        services.start = saved
    assert response.status_code == 302
    started[0].join(timeout=60)
    status = book_client.get(url("progress", year, batch.pk)).json()
    assert status == {
        "state": "done",
        "label": "已导入",
        "done": 8,
        "total": 8,
        "message": "已导入8张凭证（8行）",
    }
    assert Voucher.objects.filter(year=year, kind="normal").count() == 8
    page = book_client.get(url("preview", year, batch.pk)).content.decode()
    assert "import-progress.js" not in page and "8 / 8" in page
