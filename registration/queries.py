"""Reads for registration pages, each in a fixed number of queries.

The attendee's own pages (the personal page and its change form) are read on every visit,
no cache may serve them, and the ORM's work for a query (building the SQL, the model
instances) costs there several times the query itself, and each query a round trip: their
reads are one SQL statement (STATEMENTS["link"], with the seats taken for the change
form) written from the models' metadata (table and column names), the same on SQLite and
PostgreSQL but for the names of the aggregates, and the programme (edition, sessions) comes
from the per-version cache.
tests/registration/test_personal_reads.py checks them against the ORM's answers.
"""

import copy
import functools
import hmac
import json
import weakref
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, Error, connection, connections

try:
    import psycopg
except ImportError:  # SQLite only
    psycopg = None
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.utils import timezone
from django.utils.translation import get_language

from events.models import Edition, Session, Slot
from events.pagecache import per_version
from rencontres.sql import Table as SqlTable

from . import hooks
from .models import AccessKey, AttendanceDay, Booking, Registration, _digest


@dataclass(frozen=True)
class BookableSession:
    pk: int
    title: str
    room: str
    capacity: int | None


@dataclass(frozen=True)
class BookableSlot:
    pk: int
    starts_at: datetime
    ends_at: datetime
    title: str
    sessions: tuple[BookableSession, ...]


def bookable_slots(edition):
    """The sessions attendees book, grouped by slot, in the current language.

    Kept under the programme version (any programme change drops it), in this process's
    memory too (immutable values): a sign-up reads it without a query. Seats taken are
    read apart (seats_taken)."""

    def read():
        sessions = (
            Session.objects.published()
            .filter(slot__edition=edition, type__is_bookable=True)
            .select_related("slot", "room")
            .order_by("starts_at", "slot_id", "position", "pk")
        )
        grouped = {}
        for s in sessions:
            grouped.setdefault(s.slot, []).append(
                BookableSession(
                    s.pk, s.title, s.room.name if s.room_id else "", s.effective_capacity
                )
            )
        return tuple(
            BookableSlot(slot.pk, slot.starts_at, slot.ends_at, slot.title, tuple(items))
            for slot, items in grouped.items()
        )

    return per_version(f"registration:bookable:{get_language()}:{edition.pk}", read, in_memory=True)


# The reads of the attendee's pages. Names come from the models, values are parameters.
STATEMENTS = {
    # A link's key and registration, with what its pages show of it: its days, its
    # bookings with their places in the queues (`ahead`, as bookings_with_positions_queryset
    # counts it) and, on the edition's waiting list, its place there. Days and bookings
    # come as text lists ({list}: the engine's string aggregate), so that one round trip
    # reads the page, whatever the bookings. {more}: what other apps read with it
    # (hooks.link_reads, one column each).
    "link": """
        SELECT {registration_columns}, (
            SELECT {list}(CAST(d.{D.day} AS TEXT), ',') FROM {D} d
            WHERE d.{D.registration} = r.{R.id}
        ), (
            SELECT {list}(
                CAST(b.{B.id} AS TEXT) || ':' || CAST(b.{B.session} AS TEXT) || ':'
                || CAST(b.{B.slot} AS TEXT) || ':' || b.{B.status} || ':' || CAST((
                    SELECT COUNT(*) FROM {B} w
                    WHERE w.{B.session} = b.{B.session} AND w.{B.status} = %s
                    AND (w.{B.created_at} < b.{B.created_at}
                         OR (w.{B.created_at} = b.{B.created_at} AND w.{B.id} < b.{B.id}))
                ) AS TEXT), ',')
            FROM {B} b WHERE b.{B.registration} = r.{R.id}
        ), CASE WHEN r.{R.status} = %s THEN 1 + (
            SELECT COUNT(*) FROM {R} o
            WHERE o.{R.edition} = r.{R.edition} AND o.{R.status} = %s
            AND (o.{R.created_at} < r.{R.created_at}
                 OR (o.{R.created_at} = r.{R.created_at} AND o.{R.id} < r.{R.id}))
        ) END, {seats}{more}k.{K.verifier_hash}
        FROM {K} k INNER JOIN {R} r ON r.{R.id} = k.{K.registration}
        WHERE k.{K.selector} = %s AND k.{K.expires_at} > %s""",
    # The seats taken of an edition (seats_taken).
    "seats": "SELECT {seats_of_edition}",
    # One of hooks.link_reads alone, for a registration read otherwise ({read}).
    "read": "SELECT ({read}) FROM {R} r WHERE r.{R.id} = %s",
}

# The seats taken of an edition's sessions: "pk:count" pairs ({list}) in one value, each
# session's confirmed bookings counted apart (from the confirmed_by_session index: faster
# than grouping them all, and a literal status, which a generic plan needs to use a partial
# index). {edition}: the edition, a parameter or a column.
SEATS = """(
    SELECT {list}(CAST(s.{S.id} AS TEXT) || ':' || CAST((
        SELECT COUNT(*) FROM {B} b
        WHERE b.{B.session} = s.{S.id} AND b.{B.status} = '{confirmed}'
    ) AS TEXT), ',')
    FROM {S} s INNER JOIN {T} t ON t.{T.id} = s.{S.slot} WHERE t.{T.edition} = {edition}
)"""

# Each engine's aggregate of text values, separated as asked: (expression, separator).
TEXT_LIST = {"sqlite": "group_concat", "postgresql": "string_agg"}
# Each engine's JSON aggregate of rows and JSON array of values (hooks.link_reads).
JSON_ROWS = {"sqlite": "json_group_array", "postgresql": "json_agg"}
JSON_ROW = {"sqlite": "json_array", "postgresql": "json_build_array"}


def link_read_sql(read, vendor):
    """The subquery of one of hooks.link_reads for a database engine."""
    tables = {letter: SqlTable(model) for letter, model in read.tables.items()}
    return read.sql.format(
        R=SqlTable(Registration), rows=JSON_ROWS[vendor], row=JSON_ROW[vendor], **tables
    )


def reads_for(names=()):
    """The hooks.link_reads read with a personal link: those always read, and `names`."""
    return tuple(read for read in hooks.link_reads if read.always or read.name in names)


@functools.cache
def _sql(statement, vendor, read=None, *, seats=False, reads=()):
    """The text of one of STATEMENTS for a database engine (`vendor`); `read`: the one of
    hooks.link_reads the "read" statement runs; `seats`: "link" reads the seats taken too;
    `reads`: the hooks.link_reads "link" reads (reads_for)."""
    return STATEMENTS[statement].format(
        # "link" reads the seats of its registration's edition as a column, for the
        # change form's labels in the same round trip.
        seats=_seats_sql(vendor, "r." + SqlTable(Registration).edition) + ", " if seats else "",
        seats_of_edition=_seats_sql(vendor, "%s"),
        more="".join(f"({link_read_sql(each, vendor)}), " for each in reads),
        read=link_read_sql(read, vendor) if read else "",
        R=SqlTable(Registration),
        K=SqlTable(AccessKey),
        B=SqlTable(Booking),
        D=SqlTable(AttendanceDay),
        S=SqlTable(Session),
        T=SqlTable(Slot),
        registration_columns=", ".join(
            f"r.{connection.ops.quote_name(f.column)}" for f in Registration._meta.concrete_fields
        ),
        list=TEXT_LIST[vendor],
    )


def _seats_sql(vendor, edition):
    return SEATS.format(
        B=SqlTable(Booking),
        S=SqlTable(Session),
        T=SqlTable(Slot),
        list=TEXT_LIST[vendor],
        confirmed=Booking.Status.CONFIRMED.value,
        edition=edition,
    )


def _seats_read(pairs):
    """{session pk: seats taken} from the "seats" value, the sessions with none left out."""
    pairs = (pair.split(":") for pair in pairs.split(",")) if pairs else ()
    return {int(session): int(count) for session, count in pairs if count != "0"}


NEVER_BY_COUNT = 2**31 - 1


class _Prepared(psycopg.Cursor if psycopg else object):
    """A cursor whose statements are prepared on the connection (server-side binding):
    PostgreSQL parses and plans the link's statement once per connection, not on each
    visit, and the driver sends its values apart instead of quoting them into the text.
    (Django's own cursors bind on the client and never prepare.)"""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


def _rows(statement, params, read=None, *, seats=False, reads=()):
    """The rows of one of STATEMENTS, as the request's health check (checked_read)."""
    return checked_read(lambda: _execute(statement, params, read, seats, reads))


def checked_read(run):
    """`run()`, a read outside any transaction (the statement a page reads first). When
    this is the request's first use of a kept connection, the statement is its health
    check (CONN_HEALTH_CHECKS): instead of a `SELECT 1` round trip before it, a connection
    found dead by the statement itself (a restarted server, a dropped socket) is closed and
    `run()` runs again on a new one, as it would have after a failed check."""
    checking = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if checking:
        connection.health_check_done = True
    try:
        return run()
    except Error:  # OperationalError or InterfaceError: the driver says which
        if not checking or connection.is_usable():
            raise  # not a dead connection: the statement's own error
        connection.close()
        return run()


def prepared(cursor):
    """Django's `cursor` (errors, query log), its statements prepared on the connection
    on PostgreSQL (see _Prepared), unless settings.PREPARED_STATEMENTS is off (behind a
    connection pooler in transaction mode, which cannot keep them). For the few
    statements run on every visit of a page: the link's, the directory's, the desk's."""
    if connection.vendor == "postgresql" and settings.PREPARED_STATEMENTS:
        raw = connection.connection
        if raw.prepare_threshold is None:  # Django's default: never prepare
            # Only what asks (prepare=True) is prepared: Django's cursors never do.
            raw.prepare_threshold = NEVER_BY_COUNT
        cursor.cursor = _Prepared(raw)
    return cursor


def plan_once(sender, connection, **kwargs):
    """On each new PostgreSQL connection (connection_created, RegistrationConfig.ready):
    prepared statements are planned once. By default PostgreSQL plans one again on each run
    for as long as it guesses that a plan for the values beats its generic plan, and for
    the directory's it always did: planning cost more than running it (bench/meetings.py:
    the directory at 24.9 % of the ceiling, 19.8 % re-planned). It concerns prepared statements
    only: those of `prepared`, never Django's. Set before any transaction, so it stays.
    (A connection per session is assumed: behind a pooler in transaction mode that keeps
    prepared statements, set it on the database role instead, see the README.)"""
    if connection.vendor == "postgresql" and settings.PREPARED_STATEMENTS:
        connection.connection.execute("SET plan_cache_mode = force_generic_plan")


def _execute(statement, params, read, seats, reads):
    with connection.cursor() as cursor:  # Django's: errors, query log
        prepared(cursor).execute(
            _sql(statement, connection.vendor, read, seats=seats, reads=reads), params
        )
        return cursor.fetchall()


def load_link_read(read, value):
    """A link read's column as its app uses it: JSON decoded (SQLite gives text,
    PostgreSQL's driver a list), then read.load."""
    if isinstance(value, str):
        value = json.loads(value)
    return read.load(value or [])


def link_read(registration, name):
    """What hooks.link_reads' `name` read for this registration: with the link's
    statement (no query), or on its own for a registration read otherwise (1 query)."""
    done = getattr(registration, "link_read", None)
    if done is not None and name in done:
        return done[name]
    (read,) = [each for each in hooks.link_reads if each.name == name]
    ((value,),) = _rows("read", [registration.pk], read)
    return load_link_read(read, value)


def seats_taken(edition):
    """{session pk: confirmed bookings} for the edition's sessions (1 query)."""
    ((pairs,),) = _rows("seats", [edition.pk])
    return _seats_read(pairs)


def edition_of(edition_id):
    """An edition with its venue, kept under the programme version in this process's
    memory (no query then). Shared by the requests of the process: read it, never change it."""

    def read():
        return Edition.objects.select_related("venue").get(pk=edition_id)

    return per_version(f"registration:edition:{edition_id}", read, in_memory=True)


def sessions_of(edition_id):
    """{pk: session} of every session of an edition, published or not, with room, type and
    slot: what a booking shows. Kept like edition_of (no query then)."""

    def read():
        sessions = Session.objects.filter(slot__edition_id=edition_id)
        return {s.pk: s for s in sessions.select_related("room", "type", "slot")}

    return per_version(f"registration:sessions:{edition_id}", read, in_memory=True)


# The ORM's conversions of a registration's columns (dates, UUID, phone number…), worked
# out once per database connection.
_converters = weakref.WeakKeyDictionary()
_ATTNAMES = [f.attname for f in Registration._meta.concrete_fields]
# Columns whose conversion parses text (a phone number: some 100 µs, more than the rest of
# the row): converted once per value and process, each registration getting its own copy.
_PARSED = {"phone"}


def _conversion(functions, expression, db, *, parsed):
    def convert(value):
        for function in functions:
            value = function(value, expression, db)
        return value

    if not parsed:
        return convert
    kept = functools.lru_cache(maxsize=4096)(convert)
    return lambda value: copy.copy(kept(value))


def _registration(row):
    """A Registration from its columns as read, converted as the ORM converts them (what
    RawQuerySet does, minus its work for each query)."""
    db = connections[DEFAULT_DB_ALIAS]
    converters = _converters.get(db)
    if converters is None:
        compiler = db.ops.compiler("SQLCompiler")(Query(Registration), db, DEFAULT_DB_ALIAS)
        table = Registration._meta.db_table
        columns = [f.get_col(table) for f in Registration._meta.concrete_fields]
        converters = _converters[db] = [
            (
                position,
                _conversion(functions, expression, db, parsed=_ATTNAMES[position] in _PARSED),
            )
            for position, (functions, expression) in compiler.get_converters(columns).items()
        ]
    values = list(row)
    for position, convert in converters:
        values[position] = convert(values[position])
    return Registration.from_db(DEFAULT_DB_ALIAS, _ATTNAMES, values)


@dataclass(frozen=True, order=True)
class BookingRow:
    """A booking as the attendee's pages read it: plain values, comparable."""

    pk: int
    session_id: int
    slot_id: int
    status: str
    ahead: int  # bookings waiting before this one on the session's list


def registration_for_link(token, now=None, *, seats=False, reads=()):
    """The registration a secret link opens, or None, with its edition (1 query).

    What AccessKey.objects.find does, in one narrow statement: the public half of the token
    finds the key, the secret half is compared to its hash in constant time, an expired key
    opens nothing. The same statement reads what the attendee's pages show of the
    registration, set on it like annotations:

    - ``columns_read``: its columns as the database gave them (plain values);
    - ``days_read``: the days it attends, in order;
    - ``bookings_read``: its bookings (BookingRow), by pk;
    - ``waitlist_read``: its place on the edition's waiting list (1 = next), or None;
    - ``link_read``: {name: value} of what other apps read with it (hooks.link_reads);
    - with ``seats``, ``seats_read``: what seats_taken(its edition) answers.

    `reads`: the names of the hooks.link_reads not always read that the page needs.
    """
    selector, _sep, verifier = (token or "").partition("-")
    if not selector or not verifier:
        return None
    waitlisted = Registration.Status.WAITLISTED.value
    params = [Booking.Status.WAITLISTED.value, waitlisted, waitlisted, selector]
    params.append(connection.ops.adapt_datetimefield_value(now or timezone.now()))
    chosen = reads_for(reads)
    rows = _rows("link", params, seats=seats, reads=chosen)
    if not rows:
        return None
    row = rows[0]
    if not hmac.compare_digest(row[-1], _digest(verifier)):
        return None
    columns, (days, bookings, waitlist, *more) = row[: len(_ATTNAMES)], row[len(_ATTNAMES) : -1]
    if seats:
        taken, *more = more
        seats_read = _seats_read(taken)
    registration = _registration(columns)
    registration.columns_read = tuple(columns)
    registration.edition = edition_of(registration.edition_id)
    registration.days_read = tuple(sorted(map(date.fromisoformat, days.split(",")))) if days else ()
    registration.bookings_read = tuple(
        sorted(
            BookingRow(int(pk), int(session), int(slot), status, int(ahead))
            for pk, session, slot, status, ahead in (b.split(":") for b in bookings.split(","))
        )
        if bookings
        else ()
    )
    registration.waitlist_read = waitlist
    if seats:
        registration.seats_read = seats_read
    registration.link_read = {
        read.name: load_link_read(read, value) for read, value in zip(chosen, more, strict=True)
    }
    return registration


def agenda_reads(registration):
    """What registration_for_link reads for the agenda (days_read, bookings_read), read
    for a registration loaded otherwise (2 queries; none when already there): a reminder,
    a printed agenda built by the worker."""
    if not hasattr(registration, "bookings_read"):
        registration.days_read = tuple(
            registration.days.order_by("day").values_list("day", flat=True)
        )
        registration.bookings_read = tuple(
            sorted(
                BookingRow(b.pk, b.session_id, b.slot_id, b.status, b.ahead)
                for b in bookings_with_positions(registration)
            )
        )
    return registration


@dataclass(frozen=True)
class PersonalBooking:
    """A booking on the personal page: its session (from the programme) and status."""

    session: Session
    status: str
    ahead: int


def personal_bookings(registration):
    """The bookings of a registration read by registration_for_link, with their sessions
    (from the per-version cache, no query), in programme order."""
    sessions = sessions_of(registration.edition_id)
    rows = sorted(
        registration.bookings_read, key=lambda b: (sessions[b.session_id].starts_at, b.pk)
    )
    return [PersonalBooking(sessions[b.session_id], b.status, b.ahead) for b in rows]


def is_full(edition):
    confirmed = Registration.objects.filter(edition=edition, status=Registration.Status.CONFIRMED)
    return confirmed.count() >= edition.capacity


def _waiting_before(queryset):
    return Coalesce(Subquery(queryset.values("status").annotate(n=Count("pk")).values("n")), 0)


def bookings_with_positions_queryset(bookings):
    """Bookings with their session, room and ``ahead``: how many wait before them on the
    session's waiting list (their place in the queue is ahead + 1)."""
    ahead = Booking.objects.filter(
        session=OuterRef("session"),
        status=Booking.Status.WAITLISTED,
    ).filter(
        Q(created_at__lt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
    )
    return (
        bookings.select_related("session__room", "session__type", "slot")
        .annotate(ahead=_waiting_before(ahead))
        .order_by("session__starts_at", "pk")
    )


def bookings_with_positions(registration):
    """The registration's bookings, with their place in the queue (1 query)."""
    return list(bookings_with_positions_queryset(registration.bookings.all()))


def waitlist_position(registration):
    """Place of a waitlisted registration on the edition's waiting list (1 = next)."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        edition_id=registration.edition_id, status=Registration.Status.WAITLISTED
    ).filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def agenda_sessions(registration):
    """A registration's calendar: its confirmed sessions and the sessions open to all
    (plenaries) of the days it attends (2 queries). Timed items, so meetings can join."""
    if registration.is_cancelled:
        return []
    days = list(registration.days.values_list("day", flat=True))
    return list(
        Session.objects.published()
        .filter(
            Q(bookings__registration=registration, bookings__status=Booking.Status.CONFIRMED)
            | Q(
                slot__edition_id=registration.edition_id,
                type__is_plenary=True,
                starts_at__date__in=days,
            )
        )
        .select_related("type", "room")
        .distinct()
        .order_by("starts_at", "pk")
    )
