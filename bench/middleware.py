"""Bench-only middleware (bench/settings.py): never in the site's own settings."""

import itertools
import os

from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone

from events.models import Session
from events.pagecache import invalidate_programme
from registration import pagememo

# Each edit gives its session a title never seen before in this run.
_edits = itertools.count(1)
_session_ids = []


def staff_edit():
    """What a staff member's edit of one session in the admin leaves behind: the session
    retitled (a title no earlier request has seen), its SEQUENCE and modification time
    bumped, a new programme version written (events/signals.py). A different session each
    time, in turn, so every request renders the card of the session just edited, as the
    first view after an edit does. One UPDATE, no model instance: the request measures the
    page, not the admin's form."""
    if not _session_ids:
        _session_ids.extend(Session.objects.published().order_by("pk").values_list("pk", flat=True))
    number = next(_edits)
    session_id = _session_ids[number % len(_session_ids)]
    Session.objects.filter(pk=session_id).update(
        title_fr=f"Session modifiée par l'équipe ({os.getpid()}-{number})",
        sequence=F("sequence") + 1,
        updated_at=timezone.now(),
    )
    invalidate_programme()


def force_miss(get_response):
    """`X-Bench-Miss`: the request comes right after a staff edit of one session (see
    staff_edit), so the programme is read again and the pages are rendered again.

    `X-Bench-Edit`: the staff edit alone, answered 204 at once: what it costs, which the
    bench takes off the miss's (bench/pages.py).

    `X-Bench-Cold`: the attendee's pages kept by this process are dropped first, so the
    personal page or change form asked for is rendered, as on its first view."""

    def middleware(request):
        if "HTTP_X_BENCH_EDIT" in request.META:
            staff_edit()
            return HttpResponse(status=204)
        if "HTTP_X_BENCH_MISS" in request.META:
            staff_edit()
        if "HTTP_X_BENCH_COLD" in request.META:
            pagememo.pages.clear()
        return get_response(request)

    return middleware
