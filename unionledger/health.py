"""``/healthz`` for a load balancer or a monitor: can this server do its work right now?

It checks the database (one ``SELECT 1``), that scanned receipts can be written under ``MEDIA_ROOT``, and
that the report PDF's prepared fonts are present; it answers 200 or 503 with a short JSON body that names
each check and never the reason's details (hosts, paths, exception texts go to the log instead).

It is answered by the first middleware, before the others: no sign-in, no session, no HTTPS redirect, and
no ``ALLOWED_HOSTS`` check, so ``curl http://127.0.0.1:8000/healthz`` on the server itself works whatever
host names the site is served under. Only that one path, only GET and HEAD.
"""

import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import HttpResponseNotAllowed, JsonResponse

log = logging.getLogger(__name__)

PATH = "/healthz"
OK = "ok"


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        log.warning("健康检查：数据库无法连接", exc_info=True)
        # The next request (or probe) opens a fresh connection instead of reusing a broken one.
        connection.close()
        return "无法连接"
    return OK


def check_media() -> str:
    media_root = Path(settings.MEDIA_ROOT)
    try:
        media_root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=media_root, prefix=".healthz-"):
            pass
    except OSError:
        log.warning("健康检查：附件目录 %s 不可写", media_root, exc_info=True)
        return "不可写"
    return OK


def check_fonts() -> str:
    from reports import fonts

    if len(fonts.prepared_files()) != len(fonts.FACES):
        log.warning(
            "健康检查：报告字体未准备（%s）：请运行 python manage.py prepare_report_fonts", fonts.font_dir()
        )
        return "未准备"
    return OK


def health() -> tuple[bool, dict[str, str]]:
    checks = {"database": check_database(), "media": check_media(), "fonts": check_fonts()}
    return all(value == OK for value in checks.values()), checks


class HealthCheckMiddleware:
    """Answer ``/healthz`` ahead of every other middleware (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        healthy, checks = health()
        response = JsonResponse(
            {"status": OK if healthy else "error", "checks": checks},
            status=200 if healthy else 503,
            json_dumps_params={"ensure_ascii": False},
        )
        response["Cache-Control"] = "no-store"
        # The failed check is logged above with its reason; spare the log and ADMINS' mailbox Django's
        # "Service Unavailable: /healthz" for every probe while the server is down.
        response._has_been_logged = True
        return response
