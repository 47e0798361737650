"""Settings for bench/badges.py: those of `make bench`, with the badge bench's reference
view (bench/badge_urls.py)."""

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.badge_urls"
