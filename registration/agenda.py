"""The attendee's agenda: their confirmed sessions and the plenaries of their days, as an
.ics file (the subscribable feed and the confirmation's attachment)."""

from django.conf import settings
from django.utils.translation import gettext as _

from events import ical

from . import hooks
from .queries import agenda_sessions


def personal_calendar(registration):
    """Sessions, and what other apps add (hooks.calendar_items: B2B meetings), in time
    order."""
    edition = registration.edition
    sessions = agenda_sessions(registration)
    items = [
        ical.session_item(s, venue=edition.venue, site_url=settings.SITE_URL) for s in sessions
    ]
    for more in hooks.calendar_items:
        items += more(registration)
    items.sort(key=lambda item: (item.starts_at, item.uid))
    return ical.build_calendar(
        items,
        name=_("Mon agenda — %(event)s") % {"event": edition.short_title},
        tz_name=edition.time_zone,
        first_date=edition.start_date,
        last_date=edition.end_date,
        # A stamp that moves only with the content, so the feed's ETag does too.
        stamp=max([registration.updated_at, *(i.last_modified for i in items if i.last_modified)]),
    )
