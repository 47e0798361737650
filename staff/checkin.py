"""The check-in desk: finding a badge's owner with what the card shows, recording arrivals
(and taking one back), today's counters.

A scan is the desk's hot path (a few seconds a person, several desks at once): what the
card needs is read in one statement with the registration (its days, today's arrival and
bookings, the B2B meetings other apps add through registration.hooks.link_reads, the day's
counters), and an arrival is one INSERT that a second desk's scan of the same badge cannot
double (ON CONFLICT DO NOTHING). tests/staff/test_desk_reads.py checks both against the ORM.
"""

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from events.models import CODE_ALPHABET, Session
from meetings.queries import PersonMeeting, meetings_of
from registration.models import AttendanceDay, Booking, Registration
from registration.queries import (
    TEXT_LIST,
    _registration,
    link_read_sql,
    load_link_read,
    prepared,
    reads_for,
    sessions_of,
)
from registration.search import fold
from rencontres.sql import Table as SqlTable

from .models import CheckIn, UndoneCheckIn

CODE_LENGTH = 10  # registration.models.new_checkin_code

# The desk's statements, written once from the models' metadata ({R}: a table's quoted
# name, {R.status}: a column's). The card: a registration with its days as one text
# (« 2026-07-08,... »), its bookings of the day (« session:status,... »), the reads other
# apps add ({more}), the day's counters, and its arrival of the day (a LEFT JOIN: NULLs
# when none).
_CARD = """
    SELECT {registration_columns}, (
        SELECT {list}(CAST(d.{D.day} AS TEXT), ',') FROM {D} d
        WHERE d.{D.registration} = r.{R.id}
    ) AS days_text, (
        SELECT {list}(CAST(b.{B.session} AS TEXT) || ':' || b.{B.status}, ',')
        FROM {B} b INNER JOIN {S} s ON s.{S.id} = b.{B.session}
        WHERE b.{B.registration} = r.{R.id} AND s.{S.starts_at} >= %s AND s.{S.starts_at} < %s
    ) AS bookings_text, {more}(
        SELECT COUNT(*) FROM {C} c INNER JOIN {R} o ON o.{R.id} = c.{C.registration}
        WHERE c.{C.day} = %s AND o.{R.edition} = %s
    ) AS arrived_read, (
        SELECT COUNT(*) FROM {D} d INNER JOIN {R} o ON o.{R.id} = d.{D.registration}
        WHERE d.{D.day} = %s AND o.{R.edition} = %s AND o.{R.status} = %s
    ) AS expected_read, a.{C.id} AS arrival_pk, a.{C.at} AS arrival_at,
    a.{C.by} AS arrival_by, u.{username} AS arrival_by_name,
    a.{C.confirmed_exception} AS arrival_exception
    FROM {R} r
    LEFT JOIN {C} a ON a.{C.registration} = r.{R.id} AND a.{C.day} = %s
    LEFT JOIN {U} u ON u.{U.id} = a.{C.by}
    WHERE r.{R.edition} = %s AND r.{column} = %s"""
_COUNTERS = """
    SELECT (
        SELECT COUNT(*) FROM {C} c INNER JOIN {R} r ON r.{R.id} = c.{C.registration}
        WHERE c.{C.day} = %s AND r.{R.edition} = %s
    ), (
        SELECT COUNT(*) FROM {D} d INNER JOIN {R} r ON r.{R.id} = d.{D.registration}
        WHERE d.{D.day} = %s AND r.{R.edition} = %s AND r.{R.status} = %s
    )"""
# An arrival: the second of two desks scanning one badge at once inserts nothing (the
# one-per-day constraint) and reads the first one's row.
# Nothing is recorded for a scan sent from a page shown before this arrival was taken
# back (a refresh re-sending the scan, the Back button): the WHERE.
_ARRIVE = """
    INSERT INTO {C} ({C.registration}, {C.day}, {C.at}, {C.by}, {C.confirmed_exception})
    SELECT %s, %s, %s, %s, %s WHERE NOT EXISTS (
        SELECT 1 FROM {X} x WHERE x.{X.registration} = %s AND x.{X.day} = %s
        AND x.{X.undone_at} > %s)
    ON CONFLICT ({C.registration}, {C.day}) DO NOTHING
    RETURNING {C.id}"""
STATEMENTS = {
    "find_by_code": (_CARD, "checkin_code"),
    "find_by_pk": (_CARD, "id"),
    "counters": (_COUNTERS, "id"),
    "arrive": (_ARRIVE, "id"),
}


@functools.cache
def _sql(name, vendor):
    """The text of one of STATEMENTS for a database engine (`vendor`)."""
    statement, column = STATEMENTS[name]
    user = get_user_model()
    more = "".join(
        f"({link_read_sql(read, vendor)}) AS {connection.ops.quote_name('link_' + read.name)}, "
        for read in reads_for()
    )
    return statement.format(
        R=SqlTable(Registration),
        D=SqlTable(AttendanceDay),
        B=SqlTable(Booking),
        S=SqlTable(Session),
        C=SqlTable(CheckIn),
        X=SqlTable(UndoneCheckIn),
        U=SqlTable(user),
        username=getattr(SqlTable(user), user.USERNAME_FIELD),
        column=getattr(SqlTable(Registration), column),
        registration_columns=", ".join(
            f"r.{connection.ops.quote_name(f.column)}" for f in Registration._meta.concrete_fields
        ),
        list=TEXT_LIST[vendor],
        more=more,
    )


# The card's columns after the registration's, in the statement's order.
_CARD_EXTRAS = ("days_text", "bookings_text")
_CARD_LAST = ("arrived_read", "expected_read", "arrival_pk", "arrival_at", "arrival_by")
_CARD_LAST += ("arrival_by_name", "arrival_exception")


def _rows(name, params):
    """The rows of one of STATEMENTS. On PostgreSQL prepared once per connection, as the
    personal link's statement is (registration.queries): planning the card's joins cost
    PostgreSQL more than running them."""
    with connection.cursor() as cursor:  # Django's: health check, errors, query log
        prepared(cursor).execute(_sql(name, connection.vendor), params)
        return cursor.fetchall()


@dataclass
class Arrival:
    checkin: CheckIn | None  # None when refused (cancelled, waiting list) or to be confirmed
    created: bool  # False: this person had already come in today
    unusual: str = ""  # a CheckIn.Unusual value: not recorded until staff confirm it
    undone: bool = False  # sent from a page older than an undo of this arrival: not recorded


@dataclass(frozen=True)
class DeskBooking:
    """One of the person's bookings of the day, as the card shows it."""

    session: Session  # with its room (registration.queries.sessions_of)
    status: str


def find_by_code(edition, text, now=None):
    """The registration whose badge carries this code (scanners type it, then Enter), with
    what its card shows (see _one)."""
    code = text.strip().upper()
    if not code or " " in code or len(code) > 12:
        return None
    return _one("code", code, edition, now)


def looks_like_a_code(text):
    """Could this be a badge's code (as a scanner types it) rather than a name? Ten
    characters of the codes' alphabet, typed in capitals or with a digit: a name typed at
    the desk is rarely either."""
    return (
        len(text) == CODE_LENGTH
        and all(char in CODE_ALPHABET for char in text.upper())
        and (text.isupper() or any(char.isdigit() for char in text))
    )


def find_by_pk(edition, value, now=None):
    """The registration a result list or a card button points to (any other text: None),
    with what its card shows (see _one)."""
    value = str(value)
    if not (value.isascii() and value.isdigit()) or len(value) > 18:  # isdigit() takes "²"
        return None
    return _one("pk", int(value), edition, now)


def _day_bounds(day):
    """The first instant of `day` and of the next one, in the current time zone."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(day, time.min, tzinfo=zone),
        datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone),
    )


def _one(where, value, edition, now):
    """The edition's registration whose `where` column holds `value` (or None), read in one
    statement with what the card shows on the day of `now`: its days (registered_days),
    that day's arrival (arrival_today), bookings (todays_bookings) and B2B meetings
    (meetings_of_the_day), and the day's counters (counters). Its edition is the one
    searched, already in hand: joining its row (a hundred translated columns) was a third
    of a scan's work. A statement written once (STATEMENTS): built by the ORM at each scan,
    it cost more than it took to run."""
    day = timezone.localdate(now or timezone.now())
    ops = connection.ops
    start, end = (ops.adapt_datetimefield_value(moment) for moment in _day_bounds(day))
    on = ops.adapt_datefield_value(day)
    confirmed = Registration.Status.CONFIRMED.value
    params = [start, end, on, edition.pk, on, edition.pk, confirmed, on, edition.pk, value]
    rows = _rows(f"find_by_{where}", params)
    if not rows:
        return None
    count = len(Registration._meta.concrete_fields)
    registration = _registration(rows[0][:count])
    names = (*_CARD_EXTRAS, *(f"link_{read.name}" for read in reads_for()), *_CARD_LAST)
    for name, value in zip(names, rows[0][count:], strict=True):
        setattr(registration, name, value)
    registration.edition = edition
    registration.read_day = day
    registration.arrival_read = _arrival(registration, day)
    registration.link_read = {
        read.name: load_link_read(read, getattr(registration, f"link_{read.name}"))
        for read in reads_for()
    }
    return registration


def _moment(value):
    """A time as read: PostgreSQL's driver gives it aware, SQLite as text in UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _arrival(registration, day):
    """The arrival of `day` read with the registration (None: not come in yet), with the
    username of who recorded it (the card names them)."""
    if registration.arrival_pk is None:
        return None
    checkin = CheckIn(
        pk=registration.arrival_pk,
        registration=registration,
        day=day,
        at=_moment(registration.arrival_at),
        by_id=registration.arrival_by,
        confirmed_exception=registration.arrival_exception,
    )
    if checkin.by_id is not None:
        user = get_user_model()
        checkin.by = user(pk=checkin.by_id, **{user.USERNAME_FIELD: registration.arrival_by_name})
    return checkin


def _read_on(registration, day):
    """Did find_by_* read this registration's card for `day`?"""
    return getattr(registration, "read_day", None) == day


def search(edition, text, limit=20):
    """Live registrations whose name, organisation or address matches every word, without
    regard to accents or case (« nguyen » finds « Nguyễn »): through the folded copy the
    registration list searches too (registration/search.py)."""
    queryset = Registration.objects.filter(edition=edition).exclude(
        status=Registration.Status.CANCELLED
    )
    for word in fold(text).split()[:5]:
        queryset = queryset.filter(search_text__contains=word)
    return list(queryset.order_by("last_name", "first_name")[:limit])


def registered_days(registration):
    """The days this person registered for, in order: read with the registration by
    find_by_*, or else from the database."""
    text = getattr(registration, "days_text", False)
    if text is False:  # not found by find_by_*
        return [row.day for row in registration.days.all()]
    return sorted(date.fromisoformat(day) for day in text.split(",")) if text else []


def unusual_arrival(registration, day):
    """Why an arrival on `day` needs a staff confirmation ("" when it does not): the day is
    not one of the event's, or this person did not register for it."""
    if day not in registration.edition.days:
        return CheckIn.Unusual.NOT_AN_EVENT_DAY
    if day not in registered_days(registration):
        return CheckIn.Unusual.NOT_REGISTERED_THAT_DAY
    return ""


def checkin_record(*, registration, by, now=None, confirmed="", shown=None):
    """Record that someone came in today; a second scan returns the first arrival.

    `shown`: when the page the scan was sent from was shown. A scan sent from a page
    older than this person's last undone arrival of the day (a refresh or the Back button
    sending it again) records nothing (`Arrival.undone`): the undo stands.

    An unusual arrival (see `unusual_arrival`) is recorded only when `confirmed` names that
    very case (staff saw the warning and let the person in); the case is kept on the row.
    One INSERT, which does nothing when another desk recorded this person a moment ago
    (then their row is the arrival). What find_by_* read with the registration (its
    arrival, the day's counters) is brought up to date, for the card shown next.
    """
    now = now or timezone.now()
    if registration.status != Registration.Status.CONFIRMED:
        return Arrival(None, False)
    day = timezone.localdate(now)
    if existing := arrival_today(registration, now):
        return Arrival(existing, False)
    unusual = unusual_arrival(registration, day)
    if unusual and confirmed != unusual:
        return Arrival(None, False, unusual=unusual)
    ops = connection.ops
    inserted = _rows(
        "arrive",
        [
            registration.pk,
            ops.adapt_datefield_value(day),
            ops.adapt_datetimefield_value(now),
            by.pk if by is not None else None,
            unusual,
            registration.pk,
            ops.adapt_datefield_value(day),
            ops.adapt_datetimefield_value(min(shown or now, now)),
        ],
    )
    if not inserted:  # two desks scanned the same badge at once: the first one wins
        first = CheckIn.objects.select_related("by").filter(registration=registration, day=day)
        if (first := first.first()) is None:  # the scan was sent again after an undo
            return Arrival(None, False, undone=True)
        if _read_on(registration, day):
            registration.arrival_read = first
        return Arrival(first, False)
    checkin = CheckIn(
        pk=inserted[0][0],
        registration=registration,
        day=day,
        at=now,
        by=by,
        confirmed_exception=unusual,
    )
    if _read_on(registration, day):
        registration.arrival_read = checkin
        registration.arrived_read += 1
    return Arrival(checkin, True)


def checkin_undo(*, checkin, by, now=None):
    """Take back an arrival recorded by mistake: the row goes (counters, attendance sheets
    and attestations no longer count it) and an UndoneCheckIn keeps what it was and who
    took it back. Returns that log row."""
    with transaction.atomic():
        log = UndoneCheckIn.objects.create(
            registration_id=checkin.registration_id,
            day=checkin.day,
            at=checkin.at,
            by_id=checkin.by_id,
            confirmed_exception=checkin.confirmed_exception,
            undone_at=now or timezone.now(),
            undone_by=by,
        )
        CheckIn.objects.filter(pk=checkin.pk).delete()
    return log


def arrival_today(registration, now=None):
    """This person's arrival today (None: not yet): read with the registration by
    find_by_*, or else from the database."""
    day = timezone.localdate(now or timezone.now())
    if _read_on(registration, day):
        return registration.arrival_read
    return CheckIn.objects.filter(registration=registration, day=day).select_related("by").first()


def meetings_of_the_day(registration, day):
    """This person's scheduled B2B meetings on `day`, in time order, each with
    `.starts_at`, `.table` (its number), `.counterpart` and `.organisation`, for the desk's
    card (templates/staff/desk_meetings.html): read with the registration by find_by_*
    (meetings' link read, rows as meetings.hooks.load_meetings gives them), or else from
    the database (1 query)."""
    read = getattr(registration, "link_read", {}).get("meetings")
    if read is None:
        return meetings_of(registration, day)
    return [
        PersonMeeting(start, end, number, " ".join(p for p in (first, last) if p), organisation)
        for start, end, number, _partner, first, last, organisation, _guid in read
        if timezone.localdate(start) == day
    ]


BOOKING_CARD_FIELDS = (
    "status",
    "session__starts_at",
    "session__title",
    "session__title_fr",
    "session__title_en",
    "session__room__name",
    "session__room__name_fr",
    "session__room__name_en",
)


def todays_bookings(registration, now=None):
    """This person's bookings of the day, in time order: read with the registration by
    find_by_* (the sessions come from the programme kept in memory: no query), or else
    from the database."""
    day = timezone.localdate(now or timezone.now())
    if _read_on(registration, day):
        text = registration.bookings_text
        if not text:
            return []
        sessions = sessions_of(registration.edition_id)
        bookings = [
            DeskBooking(sessions[int(pk)], status)
            for pk, status in (item.split(":") for item in text.split(","))
        ]
        return sorted(bookings, key=lambda booking: (booking.session.starts_at, booking.session.pk))
    return list(
        Booking.objects.filter(registration=registration, session__starts_at__date=day)
        .select_related("session__room")
        # What the card shows (the sessions' and rooms' other columns are many).
        .only(*BOOKING_CARD_FIELDS)
        .order_by("session__starts_at")
    )


def counters(edition, now=None, registration=None):
    """Checked in today / expected today (confirmed and registered for today): read with
    `registration` by find_by_*, or else in one round trip."""
    day = timezone.localdate(now or timezone.now())
    if registration is not None and _read_on(registration, day):
        arrived, expected = registration.arrived_read, registration.expected_read
        return {"day": day, "arrived": arrived, "expected": expected}
    on = connection.ops.adapt_datefield_value(day)
    confirmed = Registration.Status.CONFIRMED.value
    ((arrived, expected),) = _rows("counters", [on, edition.pk, on, edition.pk, confirmed])
    return {"day": day, "arrived": arrived, "expected": expected}


def card(registration, state="", now=None):
    """What the desk's card shows of a person found by find_by_* (templates/staff/
    desk_card.html): no query but for the programme's sessions once per version."""
    day = timezone.localdate(now or timezone.now())
    return {
        "person": registration,
        "arrival": arrival_today(registration, now),
        "bookings": todays_bookings(registration, now),
        "meetings": meetings_of_the_day(registration, day),
        "registered_days": registered_days(registration),
        "unusual": unusual_arrival(registration, day),
        "state": state,
    }
