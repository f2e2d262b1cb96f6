"""Production logs: one line per request and per error, JSON with LOG_FORMAT=json; errors mailed to ADMINS."""

import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import path


def broken_view(request):
    raise RuntimeError("测试用的错误")


urlpatterns = [path("broken/", broken_view)]


@pytest.mark.urls("tests.test_logging")
def test_a_server_error_is_logged_and_mailed_to_admins(db, settings, caplog):
    settings.ADMINS = [("会计", "kuaiji@example.org")]
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO):
        response = client.get("/broken/")
    assert response.status_code == 500
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("django.request", "ERROR", "Internal Server Error: /broken/"),
        ("unionledger.requests", "INFO", f"GET /broken/ 500 {caplog.records[-1].duration_ms}ms"),
    ]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["kuaiji@example.org"]
    assert mail.outbox[0].subject.startswith("[工会经费账] ERROR")
    assert "测试用的错误" in mail.outbox[0].body


def test_the_json_format_writes_one_line_per_record_with_the_traceback_inside():
    config = dict(settings.LOGGING["formatters"]["json"])
    formatter_class = config.pop("()")
    module, _, name = formatter_class.rpartition(".")
    formatter = getattr(__import__(module, fromlist=[name]), name)(**config)
    try:
        raise RuntimeError("数据库无法连接")
    except RuntimeError:
        record = logging.getLogger("unionledger.health").makeRecord(
            "unionledger.health", logging.ERROR, __file__, 1, "健康检查：%s", ("数据库",), sys.exc_info()
        )
    line = formatter.format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert (parsed["levelname"], parsed["name"], parsed["message"]) == (
        "ERROR",
        "unionledger.health",
        "健康检查：数据库",
    )
    assert "RuntimeError: 数据库无法连接" in parsed["exc_info"]


def run_settings(**env) -> subprocess.CompletedProcess:
    """Load the production settings in a fresh process with ``env``; print what the test asks of them."""
    environment = {
        key: value for key, value in os.environ.items() if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    environment |= {
        "SECRET_KEY": "test-only-secret-key",
        "DJANGO_SETTINGS_MODULE": "unionledger.settings",
    } | env
    code = (
        "import django, sentry_sdk; django.setup(); from django.conf import settings; "
        "print(settings.ADMINS); print(sentry_sdk.get_client().is_active())"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )


def test_admins_and_sentry_come_from_the_environment():
    result = run_settings(
        ADMINS="张三 <zhangsan@example.org>, lisi@example.org", SENTRY_DSN="https://key@127.0.0.1:9/1"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "[('张三', 'zhangsan@example.org'), ('', 'lisi@example.org')]",
        "True",
    ]


def test_sentry_is_off_and_admins_empty_by_default():
    result = run_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", "False"]


def test_an_unknown_log_format_is_refused():
    result = run_settings(LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "LOG_FORMAT must be text or json, got 'xml'" in result.stderr
