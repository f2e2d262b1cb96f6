"""Test settings: the real settings, with speed settings only."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault(
    "BACKUP_SIGNING_KEY", "test-only-backup-signing-key-0123456789abcdef"
)  # Playwright's sync API beside live_server

from unionledger.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Serve static files from the app folders as DEBUG does; tests do not run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The test client speaks plain HTTP; everything else of production security stays on.
SECURE_SSL_REDIRECT = False
