"""A file over IMPORT_BACKGROUND_ROWS is confirmed by a background worker; the page polls its progress."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.models import ImportBatch
from ledger.models import Voucher
from tests.conftest import run_worker
from tests.imports.conftest import cashbook, url


@pytest.mark.django_db
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
    response = book_client.post(url("confirm", year, batch.pk))
    assert response.status_code == 302
    assert book_client.post(url("confirm", year, batch.pk)).status_code == 302  # clicked twice: queued once
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.RUNNING  # the request only queued it
    assert book_client.get(url("progress", year, batch.pk)).json()["done"] == 0
    assert not Voucher.objects.filter(year=year, kind="normal").exists()
    run_worker()
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


@pytest.mark.django_db
def test_a_background_import_that_fails_says_why_and_writes_nothing(book_client, year, settings):
    """The year closes while the file waits for a worker: the worker's confirmation is refused, the batch says why
    (导入失败 with the reason: the list of imports shows it) and no voucher is written."""
    from ledger.models import AccountingYear

    settings.IMPORT_BACKGROUND_ROWS = 1
    rows = [[datetime.date(2012, 5, 1 + n), f"收会费{n}", "会费收入", 10, None, "现金", ""] for n in range(3)]
    book_client.post(
        url("start", year), {"kind": "cashbook", "file": SimpleUploadedFile("大.xlsx", cashbook(*rows))}
    )
    batch = ImportBatch.objects.get()
    assert "在后台导入" in book_client.get(url("preview", year, batch.pk)).content.decode()
    book_client.post(url("confirm", year, batch.pk))
    assert ImportBatch.objects.get().state == ImportBatch.State.RUNNING
    AccountingYear.objects.filter(pk=year.pk).update(is_closed=True)
    run_worker()
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.FAILED and "已结账" in batch.message
    assert not Voucher.objects.filter(year=year, kind="normal").exists()
