"""Sign-in (audit.auth, django-axes): one lockout for every login path, per user name and client address."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client

from ledger.models import AuditEvent

LOCKED_OUT = "登录失败次数过多，请 15 分钟后再试。"
WRONG = "用户名或密码不正确。请注意区分大小写。"
ATTACKER, HOME, NGINX = "203.0.113.9", "198.51.100.7", "127.0.0.1"


def sign_in(username, password, *, path="/login/", address=HOME, **headers):
    """A fresh browser posting the login form; returns the response and whether it is now signed in."""
    client = Client(REMOTE_ADDR=address, **headers)
    response = client.post(path, {"username": username, "password": password, "next": "/"})
    return response, "_auth_user_id" in client.session


def fail(username, times, **kwargs):
    for _ in range(times):
        assert sign_in(username, "wrong-password", **kwargs)[1] is False


def test_the_admin_login_is_locked_out_like_the_login_page(admin):
    fail("siteadmin", 5, path="/admin/login/", address=ATTACKER)
    response, signed_in = sign_in("siteadmin", "pw-unionledger-1", path="/admin/login/", address=ATTACKER)
    assert signed_in is False
    assert response.status_code == 429
    text = response.content.decode()
    assert LOCKED_OUT in text and 'lang="zh-CN"' in text and 'name="password"' in text


def test_both_login_paths_count_the_same_failures(admin):
    fail("siteadmin", 3, path="/login/", address=ATTACKER)
    fail("siteadmin", 2, path="/admin/login/", address=ATTACKER)
    response, signed_in = sign_in("siteadmin", "pw-unionledger-1", path="/login/", address=ATTACKER)
    assert (response.status_code, signed_in) == (429, False)
    assert AccessAttempt.objects.get(username="siteadmin").failures_since_start == 5


def test_a_user_is_locked_out_only_from_the_address_that_failed(treasurer):
    fail("treasurer", 5, address=ATTACKER)
    response, signed_in = sign_in("treasurer", "unionledger-demo", address=HOME)
    assert (response.status_code, response["Location"], signed_in) == (302, "/", True)
    response, signed_in = sign_in("treasurer", "unionledger-demo", address=ATTACKER)
    assert (response.status_code, signed_in) == (429, False)
    assert LOCKED_OUT in response.content.decode()


def test_the_lockout_ends_after_the_cool_off(treasurer):
    fail("treasurer", 5, address=ATTACKER)
    assert sign_in("treasurer", "unionledger-demo", address=ATTACKER)[1] is False
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
    )
    assert sign_in("treasurer", "unionledger-demo", address=ATTACKER)[1] is True


def test_behind_the_proxy_one_clients_failures_do_not_lock_out_the_others(settings, treasurer):
    settings.TRUSTED_PROXIES = [NGINX]
    for number in range(30):
        response, _ = sign_in(f"guess-{number}", "x", address=NGINX, HTTP_X_FORWARDED_FOR=ATTACKER)
        assert WRONG in response.content.decode()
    response, signed_in = sign_in("treasurer", "unionledger-demo", address=NGINX, HTTP_X_FORWARDED_FOR=HOME)
    assert (response.status_code, signed_in) == (302, True)
    # The audit trail records the address the lockout used.
    failures = AuditEvent.objects.filter(action="login_failed")
    assert set(failures.values_list("ip_address", flat=True)) == {ATTACKER}
    assert AuditEvent.objects.get(action="login", username="treasurer").ip_address == HOME


def test_without_trusted_proxies_a_forged_header_changes_nothing(settings, treasurer):
    settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_COUNT = [], 0
    for forged in ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"]:
        fail("treasurer", 1, address=ATTACKER, HTTP_X_FORWARDED_FOR=forged)
    response, signed_in = sign_in(
        "treasurer", "unionledger-demo", address=ATTACKER, HTTP_X_FORWARDED_FOR=HOME
    )
    assert (response.status_code, signed_in) == (429, False)
    assert set(AuditEvent.objects.filter(action="login_failed").values_list("ip_address", flat=True)) == {
        ATTACKER
    }


def test_an_administrator_unlocks_a_user_in_the_admin(client_for, treasurer):
    fail("treasurer", 5, address=ATTACKER)
    response = client_for("admin").post(
        "/admin/auth/user/", {"action": "unlock_sign_in", "_selected_action": [treasurer.pk]}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="treasurer").exists()
    assert sign_in("treasurer", "unionledger-demo", address=ATTACKER)[1] is True
    event = AuditEvent.objects.get(summary="解除登录锁定：treasurer")
    assert (event.action, event.username, event.object_id) == ("user_changed", "siteadmin", str(treasurer.pk))


def test_the_unlock_action_is_for_administrators_only(client_for, treasurer):
    fail("treasurer", 5, address=ATTACKER)
    response = client_for("treasurer").post(
        "/admin/auth/user/", {"action": "unlock_sign_in", "_selected_action": [treasurer.pk]}
    )
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert AccessAttempt.objects.get(username="treasurer").failures_since_start == 5


def test_manage_py_axes_reset_username_unlocks_a_user(treasurer):
    fail("treasurer", 5, address=ATTACKER)
    call_command("axes_reset_username", "treasurer", stdout=open("/dev/null", "w"))
    assert sign_in("treasurer", "unionledger-demo", address=ATTACKER)[1] is True


def test_a_successful_sign_in_forgets_earlier_failures(treasurer):
    fail("treasurer", 4, address=HOME)
    assert sign_in("treasurer", "unionledger-demo", address=HOME)[1] is True
    fail("treasurer", 4, address=HOME)
    assert sign_in("treasurer", "unionledger-demo", address=HOME)[1] is True


@pytest.mark.parametrize("next_url", ["/login/", "/login/?next=/login/", "http://testserver/login/"])
def test_a_signed_in_user_sent_to_the_login_page_goes_home(client_for, next_url):
    response = client_for("treasurer").get("/login/", {"next": next_url})
    assert (response.status_code, response["Location"]) == (302, "/")


def test_a_signed_in_user_with_a_next_page_goes_there(client_for):
    response = client_for("treasurer").get("/login/", {"next": "/u/blzq-hospital/"})
    assert (response.status_code, response["Location"]) == (302, "/u/blzq-hospital/")
