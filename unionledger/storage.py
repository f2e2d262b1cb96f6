"""Static files in production: WhiteNoise's compressed, hashed files, without a 500 when one is missing."""

import logging

from django.contrib.staticfiles import finders
from whitenoise.storage import CompressedManifestStaticFilesStorage

log = logging.getLogger(__name__)
_warned: set[str] = set()


class ForgivingManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """A file the manifest does not know gets its plain URL (and a warning in the log), not an error.

    Django's manifest storage raises on such a file, and every page that links it becomes a 500: before the
    first ``collectstatic``, or after an upgrade that adds a static file until ``collectstatic`` runs again.
    With ``WHITENOISE_USE_FINDERS`` the plain URL is still served, from the app's own static folder.

    WhiteNoise also asks for names that are no file at all (a hashed file's name without its hash, to tell
    hashed files from others); those get their plain URL too, but no warning.
    """

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            if name not in _warned and finders.find(name):
                _warned.add(name)
                log.warning(
                    "静态文件 %s 不在清单中：请运行 python manage.py collectstatic（make install-prod 会运行）",
                    name,
                )
            return name
