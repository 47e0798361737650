"""The attendee's agenda, in two forms:

- rows (agenda_rows), for their pages: the plenaries of the days attended, the booked
  sessions and waiting-list places, and what other apps add (hooks.agenda_rows: B2B
  meetings), in time order, from what the personal link's statement read (no query);
- an .ics file (personal_calendar: the subscribable feed and the confirmation's
  attachment): their confirmed sessions, the plenaries of their days, and
  hooks.calendar_items.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from events import ical

from . import hooks
from .queries import agenda_reads, agenda_sessions, personal_bookings, sessions_of

# Order of rows starting at the same time.
KINDS = ("plenary", "booking", "waitlist", "meeting")


@dataclass(frozen=True)
class AgendaRow:
    """One line of a person's agenda. `kind`: plenary, booking, waitlist, or what another
    app adds (meeting). `person`/`organisation`: who the person meets (meetings);
    `ref`: the app's own id of the item (a meeting's guid), for its links."""

    starts_at: datetime
    ends_at: datetime
    kind: str
    title: str
    place: str = ""
    url: str = ""
    ahead: int = 0  # waitlist: people before them in the queue
    person: str = ""
    organisation: str = ""
    ref: str = ""

    @property
    def day(self):
        return timezone.localdate(self.starts_at)


def _session_row(session, kind, ahead=0):
    return AgendaRow(
        session.starts_at,
        session.ends_at,
        kind,
        session.title,
        session.room.name if session.room_id else "",
        session.get_absolute_url(),
        ahead,
    )


def agenda_rows(registration):
    """A registration's agenda in time order: plenaries of its days, bookings (confirmed or
    waiting), and hooks.agenda_rows. Read by queries.registration_for_link (the personal
    pages): no query, the programme coming from the per-version cache; loaded otherwise:
    3 queries (queries.agenda_reads, hooks' link_read). Empty once cancelled."""
    if registration.is_cancelled:
        return []
    agenda_reads(registration)
    rows, booked = [], set()
    for booking in personal_bookings(registration):
        booked.add(booking.session.pk)
        kind = "booking" if booking.status == "confirmed" else "waitlist"
        rows.append(_session_row(booking.session, kind, booking.ahead))
    days = set(registration.days_read)
    for session in sessions_of(registration.edition_id).values():
        if (
            session.type.is_plenary
            and session.is_published
            and session.pk not in booked
            and timezone.localdate(session.starts_at) in days
        ):
            rows.append(_session_row(session, "plenary"))
    for more in hooks.agenda_rows:
        rows += more(registration)
    order = {kind: position for position, kind in enumerate(KINDS)}
    return sorted(rows, key=lambda row: (row.starts_at, order.get(row.kind, len(KINDS)), row.title))


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
