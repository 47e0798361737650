"""When the reminders leave, and what other apps add to them.

A week before the first day and the day before it, at REMINDER_TIME (the edition's time
zone), every confirmed person gets their agenda, the practical information and their badge
link. A reminder late (the worker was down) still leaves while it makes sense: the week's
until the day-before one is due, the day-before one until the event starts.

The hook for the B2B app: `day_before_section(function)` registers a function
`(registration) -> Section | None`, called by the worker when it renders someone's
day-before reminder, in that person's language (« Vos rendez-vous » and their times and
tables); its Section is printed after the agenda. meetings registers it from its
AppConfig.ready(); outreach itself knows nothing of meetings.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from .models import ReminderBatch

REMINDER_TIME = time(10, 0)
DAYS_BEFORE = {ReminderBatch.Kind.WEEK_BEFORE: 7, ReminderBatch.Kind.DAY_BEFORE: 1}


@dataclass(frozen=True)
class Section:
    """A titled list of lines added to a reminder (text and HTML render it alike), and
    optionally a link to one of the person's pages: `url_name` is a URL name taking the
    personal link's token (minted when the reminder leaves, cut from what is stored),
    `link_label` its text."""

    title: str
    lines: list = field(default_factory=list)
    link_label: str = ""
    url_name: str = ""


DAY_BEFORE_SECTIONS = []


def day_before_section(function):
    """Register a section of the day-before reminder (see the module's note)."""
    DAY_BEFORE_SECTIONS.append(function)
    return function


def sections(registration, kind):
    if kind != ReminderBatch.Kind.DAY_BEFORE:
        return []
    found = (function(registration) for function in DAY_BEFORE_SECTIONS)
    return [section for section in found if section is not None]


def due_at(edition, kind):
    day = edition.start_date - timedelta(days=DAYS_BEFORE[kind])
    return datetime.combine(day, REMINDER_TIME, tzinfo=edition.tz)


def window(edition, kind):
    """[from, until): when this reminder may leave."""
    if kind == ReminderBatch.Kind.WEEK_BEFORE:
        return due_at(edition, kind), due_at(edition, ReminderBatch.Kind.DAY_BEFORE)
    return due_at(edition, kind), edition.starts_at


def due(edition, now):
    """The kinds of reminder whose time has come and not gone (sent or not)."""
    return [
        kind
        for kind in ReminderBatch.Kind
        if window(edition, kind)[0] <= now < window(edition, kind)[1]
    ]


def next_due(editions, now):
    """The next moment a reminder of these editions falls due, or None."""
    moments = [due_at(e, kind) for e in editions for kind in ReminderBatch.Kind]
    return min((m for m in moments if m > now), default=None)
