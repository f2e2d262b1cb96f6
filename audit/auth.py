"""Sign-in: the login page, and its part of django-axes' lockout (settings: AXES_*).

Every way in (``/login/``, ``/admin/login/``) authenticates through ``LockoutBackend`` first, so one count
of failures, per user name and client address, guards them all. The failures themselves are recorded in the
audit trail by ``audit.signals``.
"""

from urllib.parse import urlsplit

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from audit import trail as audit
from ledger.models import AuditEvent

LOCKED_OUT = "登录失败次数过多，请 {minutes} 分钟后再试。"


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check before any password is tried; it marks the request it refuses for the audit trail."""

    def authenticate(self, request: HttpRequest, username=None, password=None, **kwargs):
        try:
            return super().authenticate(request, username, password, **kwargs)
        except AxesBackendPermissionDenied:
            request.sign_in_refused = True
            raise


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "用户名或密码不正确。请注意区分大小写。",
        "inactive": "此账号已停用，请联系管理员。",
    }


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self) -> str:
        # ?next=/login/ for a signed-in user would send her back here forever; Django answers that with a 500.
        url = super().get_redirect_url()
        return "" if urlsplit(url).path == self.request.path else url


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes answers a locked-out sign-in (any login path): the login page, saying why, in Chinese."""
    username = (credentials or {}).get("username") or ""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "form": LoginForm(request, initial={"username": username}),
        "next": next_url,
        "locked_out": LOCKED_OUT.format(minutes=minutes),
    }
    return render(request, "registration/login.html", context, status=429)


@transaction.atomic
def unlock(*, account: AbstractBaseUser, user: AbstractBaseUser) -> int:
    """End a lockout now: forget the account's failed sign-ins from every address. Recorded in the trail."""
    forgotten = reset(username=account.get_username())
    audit.record(
        AuditEvent.Action.USER_CHANGED,
        user=user,
        obj=account,
        summary=f"解除登录锁定：{account.get_username()}",
    )
    return forgotten
