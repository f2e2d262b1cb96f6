"""unionledger settings: everything that differs between machines comes from the environment."""

import ipaddress
import os
from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "djmoney",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ledger",
    "audit",
    "reports",
    "imports",
    "review",
    "bank",
    "plan",
    "federation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "unionledger.replica.ReplicaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "audit.trail.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "unionledger.middleware.ContentSecurityPolicyMiddleware",
    "unionledger.middleware.PrivateNoStoreMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: it turns a lockout into the lockout page
]

ROOT_URLCONF = "unionledger.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "unionledger.context_processors.book_nav",
            ],
        },
    },
]

WSGI_APPLICATION = "unionledger.wsgi.application"

VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'unionledger.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite, plus a flush that passes the books' guard triggers as PostgreSQL's TRUNCATE does.
    DATABASES["default"]["ENGINE"] = "ledger.backends.sqlite"
    # Take the write lock at BEGIN, so two treasurers posting at once wait for each other instead of one
    # failing with "database is locked" when its read lock cannot be upgraded.
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)
else:
    # A database host that drops packets would otherwise hold a request (and /healthz) for minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    )

# A read replica (optional): DATABASE_REPLICA_URL names a streaming replica of the default database. Report,
# federation and auditor pages then read from it, everything else (and every write) from the primary; a user
# who has just written reads the primary for REPLICA_PRIMARY_WINDOW seconds (unionledger/replica.py).
# Without it there is one database and no router.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
REPLICA_PRIMARY_WINDOW = float(os.environ.get("REPLICA_PRIMARY_WINDOW", "10"))
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL needs DATABASE_URL to be PostgreSQL (the replica's primary)"
        )
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0"))
    )
    DATABASES["replica"].setdefault("OPTIONS", {}).update(DATABASES["default"]["OPTIONS"])
    # Tests: the replica is never created, flushed or migrated; it reads the primary's test database by name
    # once streaming replication has replayed its creation (tests/replica/).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["unionledger.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "unionledger.storage.ForgivingManifestStaticFilesStorage"
    },
}
WHITENOISE_AUTOREFRESH = DEBUG
# Also in production: a file collectstatic has not copied yet is served from the app's folder, not a 404.
WHITENOISE_USE_FINDERS = True
# Scanned receipts are never served as public static files: only a view that checks permissions reads them.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Largest scanned receipt (PDF, JPEG or PNG) a treasurer may attach to a voucher.
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
# Past books uploaded for import (imports/): the largest .xlsx taken, and the number of rows above which the
# confirmation runs in a background thread with a progress bar instead of inside the request.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
IMPORT_BACKGROUND_ROWS = int(os.environ.get("IMPORT_BACKGROUND_ROWS", "2000"))

# Backups (manage.py backup) are signed with HMAC-SHA256 under this key, and restore refuses an archive that
# does not verify. It is not SECRET_KEY: a backup must still restore after SECRET_KEY is rotated, and the key
# lives with the operator, never in the database. After changing it, list the old key in the fallbacks until
# the backups signed with it have expired.
BACKUP_SIGNING_KEY = os.environ.get("BACKUP_SIGNING_KEY", "")
if not BACKUP_SIGNING_KEY and DEBUG:
    BACKUP_SIGNING_KEY = "dev-only-backup-signing-key-do-not-use-in-production"
BACKUP_SIGNING_KEY_FALLBACKS = env_list("BACKUP_SIGNING_KEY_FALLBACKS", "")
# The most a restore unpacks (database and scans together), counted as it streams: a zip bomb stops here.
BACKUP_MAX_BYTES = int(os.environ.get("BACKUP_MAX_BYTES", str(8 * 1024**3)))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

CURRENCIES = ("CNY",)
DEFAULT_CURRENCY = "CNY"
CURRENCY_CHOICES = [("CNY", "人民币")]

# A 财务工作报告 PDF needs a CJK font; these are the Debian files set-up installs (see TECH.md).
# fonts-hanazono's folder gives the fallback for rare characters (CJK Extension B–F), see reports.fonts.
REPORT_FONT_DIRS = [
    Path(p)
    for p in env_list("REPORT_FONT_DIRS", "/usr/share/fonts/opentype/noto,/usr/share/fonts/truetype/hanazono")
]

# --- Security -----------------------------------------------------------------------------------------
# Production (DEBUG off) passes `manage.py check --deploy` with no warnings. Behind a TLS-terminating proxy
# set SECURE_PROXY_SSL_HEADER_FROM_X_FORWARDED_PROTO=1 so Django knows the request came over HTTPS.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# SECURE_COOKIES=0 only for plain-HTTP runs on loopback (the load test); `check --deploy` warns about it.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
if env_bool("SECURE_PROXY_SSL_HEADER_FROM_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"
# No inline scripts or styles anywhere: templates load static files only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

# --- Sign-in lockout (django-axes) and the client's address ---------------------------------------------
# The reverse proxies whose X-Forwarded-For is believed (unionledger/client_address.py): their addresses or
# networks, or else how many stand in front. The lockout and the audit trail use the address found.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: not an address or network: {_proxy!r}") from None
if (TRUSTED_PROXIES and TRUSTED_PROXY_COUNT) or TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("Set either TRUSTED_PROXIES or a non-negative TRUSTED_PROXY_COUNT, not both")
# Every login path (/login/ and /admin/login/) goes through the backends, so the lockout backend guards all.
AUTHENTICATION_BACKENDS = ["audit.auth.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]
# A user name is locked out only from the address that failed: a stranger cannot keep the treasurer out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
# The lockout ends that long after the last counted failure; refused attempts do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "unionledger.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "audit.auth.locked_out"
# Sign-ins are recorded once, in the audit trail; axes keeps only the failures it counts.
AXES_DISABLE_ACCESS_LOG = True

# --- Operations: health check, logs, error mail, Sentry -----------------------------------------------------
# /healthz is answered first, before the HTTPS redirect, ALLOWED_HOSTS and sign-in (unionledger/health.py);
# then one log line per request.
MIDDLEWARE = [
    "unionledger.health.HealthCheckMiddleware",
    "unionledger.middleware.RequestLogMiddleware",
    *MIDDLEWARE,
]

# Logs go to stderr (the journal under systemd): one line per request (logger unionledger.requests) and per
# error; LOG_FORMAT=json writes each as one JSON object, with the traceback inside.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "json_ensure_ascii": False,
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "unionledger.requests": {"level": "INFO"},
        # Errors of requests (500s) reach the console through the root logger and are mailed to ADMINS.
        "django": {"handlers": ["mail_admins"], "level": "WARNING"},
        # A request for a host name not served here is logged, not mailed (scanners send many).
        "django.security.DisallowedHost": {"handlers": ["console"], "propagate": False},
    },
}

# ADMINS="张三 <zhangsan@example.org>, lisi@example.org" get a mail with the traceback of every server error.
ADMINS = [(name, address) for name, address in getaddresses([os.environ.get("ADMINS", "")]) if address]
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", "unionledger@localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", SERVER_EMAIL)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_SUBJECT_PREFIX = "[工会经费账] "

# Errors also go to Sentry when SENTRY_DSN is set (off by default). No personal data is sent.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,
    )

# The 财务工作报告's fonts, prepared once at install time (manage.py prepare_report_fonts), and the cache of
# rendered PDF and Excel files, keyed by the state of the books and the report text.
REPORT_FONT_DIR = Path(os.environ.get("REPORT_FONT_DIR", VAR_DIR / "fonts"))
REPORT_CACHE_DIR = Path(os.environ.get("REPORT_CACHE_DIR", VAR_DIR / "cache" / "reports"))

# Background work (django-tasks with its database backend: the same database, no other service). Report files
# are rendered by `manage.py db_worker` (make run starts one beside runserver); a failed render is tried
# again after each of REPORT_RENDER_RETRY_DELAYS seconds, then shown as failed.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
REPORT_RENDER_RETRY_DELAYS = [float(seconds) for seconds in env_list("REPORT_RENDER_RETRY_DELAYS", "10,60")]
# A worker forgets render jobs (and their task results) older than this many days, a few after each render.
REPORT_RENDER_KEEP_DAYS = int(os.environ.get("REPORT_RENDER_KEEP_DAYS", "7"))
