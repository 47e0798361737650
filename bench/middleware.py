"""Bench-only middleware (bench/settings.py): never in the site's own settings."""

from events.pagecache import invalidate_programme
from registration import pagememo


def force_miss(get_response):
    """`X-Bench-Miss`: the request comes right after a programme change. A new programme
    version is written first, as the signals do on a staff edit, so every page and every
    value derived from the programme is read and rendered again.

    `X-Bench-Cold`: the attendee's pages kept by this process are dropped first, so the
    personal page or change form asked for is rendered, as on its first view."""

    def middleware(request):
        if "HTTP_X_BENCH_MISS" in request.META:
            invalidate_programme()
        if "HTTP_X_BENCH_COLD" in request.META:
            pagememo.pages.clear()
        return get_response(request)

    return middleware
