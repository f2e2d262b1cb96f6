"""``/healthz``: 200 when the server can work, 503 and which check failed when it cannot; nothing secret."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings as django_settings

HEALTHY = {"status": "ok", "checks": {"database": "ok", "media": "ok", "fonts": "ok"}}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_healthy_server_answers_200_without_sign_in(client, db, media):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == HEALTHY


def test_head_is_answered_and_other_methods_are_refused(client, db, media):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_unwritable_media_root_answers_503(client, db, settings, tmp_path):
    (tmp_path / "a-file").write_text("")
    settings.MEDIA_ROOT = tmp_path / "a-file" / "media"  # cannot be made, even by root
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "ok", "media": "不可写", "fonts": "ok"},
    }


def test_missing_report_fonts_answer_503(client, db, media, settings, tmp_path):
    settings.REPORT_FONT_DIR = tmp_path / "no-fonts"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "ok", "media": "ok", "fonts": "未准备"},
    }


def test_healthz_leaves_no_file_behind(client, db, media, settings):
    client.get("/healthz")
    assert list(settings.MEDIA_ROOT.iterdir()) == []


# --- The real server: gunicorn with the production settings ------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, host: str | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def serve(tmp_path, database_url: str, **extra_env: str):
    """Start gunicorn as the README's service does (DEBUG off, JSON logs); return (process, base URL)."""
    port = free_port()
    env = {
        key: value for key, value in os.environ.items() if key not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "unionledger.settings",
        "DEBUG": "0",
        "SECRET_KEY": "x7Qp2vN9cR4tL8mZ1wB6yH3kJ5sD0fG2aE9uI7oP4qW1rT6yU8iO3pA5sD7fG9hJ",
        "ALLOWED_HOSTS": "union.example.org",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "LOG_FORMAT": "json",
    } | extra_env
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "unionledger.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, base
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("gunicorn did not start:\n" + process.communicate()[1])
            time.sleep(0.2)


def stop(process) -> list[dict]:
    """Stop gunicorn; return the JSON log records it wrote (gunicorn's own lines are plain text)."""
    process.terminate()
    _, stderr = process.communicate(timeout=30)
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def test_gunicorn_answers_the_probe_over_plain_http_on_loopback_and_logs_json(tmp_path):
    process, base = serve(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        # Plain HTTP, Host 127.0.0.1:port (not in ALLOWED_HOSTS): answered, not redirected, not refused.
        status, headers, body = get(base + "/healthz")
        assert (status, json.loads(body)) == (200, HEALTHY)
        # Every other page still keeps ALLOWED_HOSTS and the HTTPS redirect.
        assert get(base + "/login/")[0] == 400
        status, headers, _ = get(base + "/login/", host="union.example.org")
        assert (status, headers["Location"]) == (301, "https://union.example.org/login/")
    finally:
        records = stop(process)
    requests = [
        (record["method"], record["path"], record["status"])
        for record in records
        if record["name"] == "unionledger.requests"
    ]
    assert requests == [("GET", "/login/", 400), ("GET", "/login/", 301)]
    assert all(isinstance(record["duration_ms"], int) for record in records if "duration_ms" in record)
    assert [record["name"] for record in records if record["levelname"] == "ERROR"] == [
        "django.security.DisallowedHost"
    ]


def test_gunicorn_answers_503_when_the_database_is_unreachable(tmp_path):
    with socket.socket() as sock:  # a port on which nothing listens: PostgreSQL as if stopped
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    process, base = serve(
        tmp_path, f"postgres://unionledger:secret-password@127.0.0.1:{closed_port}/unionledger"
    )
    try:
        status, _, body = get(base + "/healthz")
    finally:
        records = stop(process)
    assert status == 503
    assert json.loads(body) == {
        "status": "error",
        "checks": {"database": "无法连接", "media": "ok", "fonts": "ok"},
    }
    assert b"secret" not in body and str(closed_port).encode() not in body
    # One warning with the reason, and no "Service Unavailable" error (mailed to ADMINS) for each probe.
    assert [
        record["message"] for record in records if record["name"] in {"unionledger.health", "django.request"}
    ] == ["健康检查：数据库无法连接"]


def test_a_database_host_that_never_answers_fails_the_probe_within_the_connect_timeout(tmp_path):
    # The kernel completes the handshake into the backlog, and then nothing is ever said: a host that
    # drops packets after accepting, as far as libpq can tell.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        process, base = serve(
            tmp_path,
            f"postgres://unionledger@127.0.0.1:{silent.getsockname()[1]}/unionledger",
            DATABASE_CONNECT_TIMEOUT="2",
        )
        try:
            started = time.monotonic()
            status, _, body = get(base + "/healthz")
            waited = time.monotonic() - started
        finally:
            stop(process)
    assert status == 503
    assert json.loads(body)["checks"]["database"] == "无法连接"
    assert waited < 15  # without connect_timeout libpq waits on the silent host past get()'s 20 s
