"""The attendee's agenda: their confirmed sessions and the plenaries of their days, as an
.ics file (the subscribable feed and the confirmation's attachment)."""

from django.conf import settings
from django.utils.translation import gettext as _

from events import ical

from .queries import agenda_sessions


def personal_calendar(registration, *, dropped=()):
    """`dropped`: sessions no longer in the person's agenda that a calendar may hold from
    an earlier attachment (cancelled, or their seat gone): written as cancelled."""
    edition = registration.edition
    sessions = agenda_sessions(registration)
    kept = {s.pk for s in sessions}
    return ical.edition_calendar(
        edition,
        sessions,
        cancelled=[s for s in dropped if s.pk not in kept],
        name=_("Mon agenda — %(event)s") % {"event": edition.short_title},
        site_url=settings.SITE_URL,
        # A stamp that moves only with the content, so the feed's ETag does too.
        stamp=max([registration.updated_at, *(s.updated_at for s in sessions)]),
    )
