"""Sign-in: a login form that refuses for a while after repeated failures, recorded in the audit trail."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils import timezone

from audit import trail as audit
from ledger.models import AuditEvent


def recent_failures(*, username: str, address: str | None) -> tuple[int, int]:
    """Failed sign-ins in the window: (for this user name, from this address)."""
    since = timezone.now() - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    failures = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, at__gte=since)
    by_name = failures.filter(username__iexact=username).count()
    by_address = failures.filter(Q(ip_address=address)).count() if address else 0
    return by_name, by_address


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "用户名或密码不正确。请注意区分大小写。",
        "inactive": "此账号已停用，请联系管理员。",
        "throttled": "登录失败次数过多，请 %(minutes)s 分钟后再试。",
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "")[:150]
        address = self.request.META.get("REMOTE_ADDR") if self.request else None
        by_name, by_address = recent_failures(username=username, address=address)
        if by_name >= settings.LOGIN_FAILURE_LIMIT or by_address >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS:
            audit.record(
                AuditEvent.Action.LOGIN_FAILED,
                user=None,
                username=username,
                summary="登录失败次数过多，已拒绝登录",
            )
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": settings.LOGIN_FAILURE_WINDOW_MINUTES},
            )
        return super().clean()
