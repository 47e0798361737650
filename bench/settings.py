"""Settings for `make bench`: production-like (DEBUG off), plus a template-only ceiling view
and a way to force page-cache misses (bench/middleware.py)."""

from rencontres.settings import *  # noqa: F403
from rencontres.settings import MIDDLEWARE

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": True}
MIDDLEWARE = ["bench.middleware.force_miss", *MIDDLEWARE]
