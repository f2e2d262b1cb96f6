import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

from ledger.models import AuditEvent

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x7Qp2vN9cR4tL8mZ1wB6yH3kJ5sD0fG2aE9uI7oP4qW1rT6yU8iO3pA5sD7fG9hJ",
    "ALLOWED_HOSTS": "union.example.org",
    "DJANGO_SETTINGS_MODULE": "unionledger.settings",
}


TEST_ONLY = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def test_production_settings_pass_check_deploy():
    env = {key: value for key, value in os.environ.items() if key not in TEST_ONLY} | PRODUCTION_ENV
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key not in TEST_ONLY} | {
        "DJANGO_SETTINGS_MODULE": "unionledger.settings",
        "DEBUG": "0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    ("proxies", "message"),
    [
        ({"TRUSTED_PROXIES": "nginx"}, "TRUSTED_PROXIES: not an address or network: 'nginx'"),
        ({"TRUSTED_PROXIES": "127.0.0.1", "TRUSTED_PROXY_COUNT": "1"}, "Set either TRUSTED_PROXIES or"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "Set either TRUSTED_PROXIES or a non-negative TRUSTED_PROXY_COUNT"),
    ],
)
def test_a_wrong_trusted_proxy_setting_stops_the_start(proxies, message):
    env = {key: value for key, value in os.environ.items() if key not in TEST_ONLY} | PRODUCTION_ENV | proxies
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_every_response_carries_a_strict_content_security_policy(client, db):
    response = client.get("/admin/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_sign_in_is_refused_after_repeated_failures(client, django_user_model, settings):
    settings.AXES_FAILURE_LIMIT = 3
    django_user_model.objects.create_user("treasurer", password="right-password-1")

    def attempt(password):
        response = client.post("/login/", {"username": "treasurer", "password": password})
        errors = re.findall(r'<div class="form-errors" role="alert"><p>(.*?)</p>', response.content.decode())
        return response.status_code, errors

    for _ in range(2):
        assert attempt("wrong") == (200, ["用户名或密码不正确。请注意区分大小写。"])
    # The third failure reaches the limit: its answer already says why the next ones will be refused.
    assert attempt("wrong") == (429, ["登录失败次数过多，请 15 分钟后再试。"])
    assert attempt("right-password-1") == (429, ["登录失败次数过多，请 15 分钟后再试。"])
    assert "_auth_user_id" not in client.session
    failures = AuditEvent.objects.filter(action="login_failed", username="treasurer").order_by("id")
    assert list(failures.values_list("summary", flat=True)) == [
        "用户名或密码错误",
        "用户名或密码错误",
        "用户名或密码错误",
        "登录失败次数过多，已拒绝登录",
    ]


def test_other_users_are_not_throttled_by_one_users_failures(client, django_user_model, settings):
    settings.AXES_FAILURE_LIMIT = 2
    django_user_model.objects.create_user("auditor", password="auditor-pass-1")
    for _ in range(2):
        client.post("/login/", {"username": "treasurer", "password": "x"}, REMOTE_ADDR="10.1.2.4")
    response = client.post(
        "/login/", {"username": "auditor", "password": "auditor-pass-1"}, REMOTE_ADDR="10.1.2.4"
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(django_user_model.objects.get(username="auditor").pk)


def test_passwords_go_through_djangos_validators(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["12345678", "password", "abc"]:
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Treasurer-2026-ledger")
