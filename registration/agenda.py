"""The attendee's agenda: their confirmed sessions and the plenaries of their days, and what
other apps add (hooks.calendar_items: B2B meetings), as an .ics file (the subscribable feed
and the confirmation's attachment)."""

from dataclasses import replace

from django.conf import settings
from django.utils.translation import gettext as _

from events import ical

from . import hooks
from .queries import agenda_sessions


def personal_calendar(registration, *, dropped=(), gone=()):
    """Everything in time order. `dropped`: sessions no longer in the person's agenda that a
    calendar may hold from an earlier attachment (cancelled, or their seat gone): written as
    cancelled. `gone`: calendar items (already cancelled) of sessions deleted since."""
    edition = registration.edition
    sessions = agenda_sessions(registration)
    kept = {s.pk for s in sessions}

    def item(session):
        return ical.session_item(session, venue=edition.venue, site_url=settings.SITE_URL)

    items = [item(s) for s in sessions]
    items += [replace(item(s), status="CANCELLED") for s in dropped if s.pk not in kept]
    items += gone
    for more in hooks.calendar_items:
        items += more(registration)
    items.sort(key=lambda each: (each.starts_at, each.uid))
    return ical.build_calendar(
        items,
        name=_("Mon agenda — %(event)s") % {"event": edition.short_title},
        tz_name=edition.time_zone,
        first_date=edition.start_date,
        last_date=edition.end_date,
        # A stamp that moves only with the content, so the feed's ETag does too.
        stamp=max([registration.updated_at, *(i.last_modified for i in items if i.last_modified)]),
    )
