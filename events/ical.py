"""iCalendar (.ics) files, built by pure functions from a list of timed items.

The programme, a single session and (later) a personal agenda are all lists of
``CalendarItem``; meetings or other timed things can join such a list without a rewrite.

Choices, each for a calendar client we know:
- ``METHOD:PUBLISH`` and no ORGANIZER: clients import the events instead of treating them
  as invitations to answer.
- Times written with ``TZID=Europe/Paris`` and a VTIMEZONE block (Outlook shows times one
  hour off without it), whose rules are bounded to the edition: the default 1970–2038 range
  is read one hour off in summer by Mozilla's ical.js.
- UIDs derive from the session's permanent guid; SEQUENCE grows with every edit, so
  clients replace the event they already have.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

PRODID = "-//Cites Unies France//Rencontres AICT//FR"


@dataclass(frozen=True)
class CalendarItem:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0
    last_modified: datetime | None = None
    categories: tuple[str, ...] = ()
    status: str = ""  # e.g. CANCELLED: calendars that had the event remove it


def build_calendar(
    items, *, name: str, tz_name: str, first_date: date, last_date: date, stamp: datetime
) -> bytes:
    """The bytes of a VCALENDAR holding ``items`` (times in ``tz_name``)."""
    from icalendar import Calendar, Event  # heavy import, only where calendars are built

    tz = ZoneInfo(tz_name)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", tz_name)
    for item in items:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.starts_at.astimezone(tz))
        event.add("dtend", item.ends_at.astimezone(tz))
        event.add("summary", item.summary)
        event.add("sequence", item.sequence)
        if item.description:
            event.add("description", item.description)
        if item.location:
            event.add("location", item.location)
        if item.url:
            event.add("url", item.url)
        if item.last_modified:
            event.add("last-modified", item.last_modified)
        if item.categories:
            event.add("categories", list(item.categories))
        if item.status:
            event.add("status", item.status)
        calendar.add_component(event)
    calendar.add_missing_timezones(
        first_date=first_date - timedelta(days=1), last_date=last_date + timedelta(days=1)
    )
    return calendar.to_ical()


def session_item(session, *, venue, site_url: str) -> CalendarItem:
    """A session as a calendar item (needs its type and room loaded, no query)."""
    place = [session.room.name] if session.room_id else []
    place.append(venue.full_address)
    description = session.description
    if session.is_provisional:
        description = "\n\n".join(
            filter(None, [description, _("Contenu provisoire, susceptible d'évoluer.")])
        )
    return CalendarItem(
        uid=f"{session.guid}@rencontres-aict",
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=session.title,
        description=description,
        location=", ".join(place),
        url=site_url + session.get_absolute_url(),
        sequence=session.sequence,
        last_modified=session.updated_at,
        categories=(session.type.name,),
    )


def edition_calendar(edition, sessions, *, name: str, site_url: str, stamp: datetime) -> bytes:
    return build_calendar(
        [session_item(s, venue=edition.venue, site_url=site_url) for s in sessions],
        name=name,
        tz_name=edition.time_zone,
        first_date=edition.start_date,
        last_date=edition.end_date,
        stamp=stamp,
    )
