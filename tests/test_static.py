"""A missing static manifest (collectstatic not run, or not re-run after an upgrade) never breaks a page."""

import json

import pytest

from unionledger import storage

PRODUCTION_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "unionledger.storage.ForgivingManifestStaticFilesStorage"},
}


@pytest.fixture
def production_static(settings, tmp_path):
    storage._warned.clear()  # each missing file is logged once per process
    settings.STORAGES = PRODUCTION_STATIC
    settings.STATIC_ROOT = tmp_path / "static"
    return settings.STATIC_ROOT


def test_without_a_manifest_pages_render_with_plain_static_urls(client, db, production_static, caplog):
    response = client.get("/login/")
    assert response.status_code == 200
    assert '<link rel="stylesheet" href="/static/css/site.css">' in response.text
    assert "静态文件 css/site.css 不在清单中：请运行 python manage.py collectstatic" in caplog.text
    # The plain URL is served, from the app's static folder.
    assert client.get("/static/css/site.css").status_code == 200


def test_with_a_manifest_pages_link_the_hashed_files(client, db, production_static):
    # What collectstatic writes (tests/test_upgrade.py runs the real one, which takes seconds).
    production_static.mkdir()
    manifest = {"version": "1.1", "paths": {"css/site.css": "css/site.0123456789ab.css"}}
    (production_static / "staticfiles.json").write_text(json.dumps(manifest), encoding="utf-8")
    response = client.get("/login/")
    assert response.status_code == 200
    assert '<link rel="stylesheet" href="/static/css/site.0123456789ab.css">' in response.text


def test_names_that_are_no_file_get_their_plain_url_without_a_warning(db, production_static, caplog):
    from django.contrib.staticfiles.storage import staticfiles_storage

    production_static.mkdir()
    (production_static / "staticfiles.json").write_text('{"version": "1.1", "paths": {}}', encoding="utf-8")
    # WhiteNoise asks for such names at start-up, e.g. a hashed file's name without its hash.
    assert staticfiles_storage.url("admin/js/jquery.js") == "/static/admin/js/jquery.js"
    assert staticfiles_storage.url("css/site.css") == "/static/css/site.css"
    assert [record.getMessage() for record in caplog.records] == [
        "静态文件 css/site.css 不在清单中：请运行 python manage.py collectstatic（make install-prod 会运行）"
    ]
