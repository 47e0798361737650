"""Settings of the app servers and task workers the tests start as processes of their own:
production's (rencontres.settings, read from the environment: DEBUG off, SECRET_KEY,
DATABASE_URL, CACHE_URL...), except that static files are served from the source folders,
as in the rest of the suite, rather than collected first (collectstatic compresses every
file: about a minute on these machines), and that they read the passwords the test
processes store (tests/settings.py hashes with MD5, cheap)."""

from rencontres.settings import *  # noqa: F403
from rencontres.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
