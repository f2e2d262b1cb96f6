import logging
import time

from django.conf import settings
from django.utils.cache import add_never_cache_headers

request_log = logging.getLogger("unionledger.requests")


class ContentSecurityPolicyMiddleware:
    """Send the site's Content-Security-Policy (Django 5.2 has none built in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response


class RequestLogMiddleware:
    """One log line per request: method, path, status and time taken (JSON fields with LOG_FORMAT=json).

    The query string is left out (it may carry search terms); the client's address is the proxy's log.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        duration_ms = round((time.monotonic() - started) * 1000)
        request_log.info(
            "%s %s %s %sms",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response


class PrivateNoStoreMiddleware:
    """Tell browsers and proxies to keep no copy of anything shown to a signed-in user.

    The books, the audit trail, scans and report downloads are private: a shared computer's cache or a proxy
    must not hand them to the next person. Applies to every response for an authenticated request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
