"""Reads of the programme, each with a fixed number of queries (tests count them)."""

import copy
import functools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import quote

from django.db import connection
from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from rencontres.sql import Table, instance
from rencontres.templatetags.site import hour

from .cards import Card, render_blocks
from .models import (
    Edition,
    Partner,
    Room,
    Session,
    SessionType,
    Slot,
    Speaker,
    Venue,
)
from .pagecache import LRU, per_version

# What reverse() leaves unquoted in a URL's path (django.urls.resolvers).
URL_SAFE = "!$&'()*+,;=/~:@"


def current_edition():
    """The edition shown on the site, with its venue. 404 when there is none.

    1 query on the first request of a programme version (in each process), then none. The
    query reads the edition's and its venue's columns as they are stored, in one statement
    written once per process; the Edition is built from them only when they differ from
    those this process built it from last: a staff edit of a session (a new version) costs
    one plain read here, not a model instance with its 60 fields and their translations.
    Each caller gets its own copy."""
    found = per_version("events:current-edition", _read_current_edition, shared=False)
    if found is None:
        raise Http404("No current edition")
    return copy.copy(found)


# The editions this process built, by the stored values they were built from.
_editions = LRU(8)


EDITION_SQL = """SELECT {columns} FROM {E} e INNER JOIN {V} v ON v.{V.id} = e.{E.venue}
    WHERE e.{E.is_current}"""


@functools.cache
def _edition_statement(vendor):
    """The current edition's and its venue's columns, in SQL written once per process."""
    quote = connection.ops.quote_name
    columns = [f"e.{quote(f.column)}" for f in EDITION_FIELDS] + [
        f"v.{quote(f.column)}" for f in VENUE_FIELDS
    ]
    return EDITION_SQL.format(columns=", ".join(columns), E=Table(Edition), V=Table(Venue))


def _read_current_edition():
    with connection.cursor() as cursor:
        cursor.execute(_edition_statement(connection.vendor))
        row = cursor.fetchone()
    if row is None:
        return None
    row = tuple(row)
    edition = _editions.get(row)
    if edition is None:
        split = len(EDITION_FIELDS)
        edition = instance(Edition, EDITION_FIELDS, row[:split])
        edition.venue = instance(Venue, VENUE_FIELDS, row[split:])
        edition._stored = row
        _editions.set(row, edition)
    return edition


def edition_stamp(edition):
    """The stored values an edition and its venue were read from: a key for what is
    rendered from them."""
    stamp = getattr(edition, "_stored", None)
    if stamp is None:
        stamp = tuple(f.value_from_object(edition) for f in EDITION_FIELDS) + tuple(
            f.value_from_object(edition.venue) for f in VENUE_FIELDS
        )
    return stamp


EDITION_FIELDS = tuple(Edition._meta.concrete_fields)
VENUE_FIELDS = tuple(Venue._meta.concrete_fields)


def sessions_of(edition):
    """Published sessions of an edition, with type, room and slot (1 query)."""
    return (
        Session.objects.published()
        .filter(slot__edition=edition)
        .select_related("type", "room", "slot")
        .order_by("starts_at", "position", "pk")
    )


def with_speakers(sessions):
    return sessions.prefetch_related(
        Prefetch("speakers", queryset=Speaker.objects.order_by("name"))
    )


@dataclass
class SlotBlock:
    slot: Slot
    sessions: list = field(default_factory=list)
    html: str = ""  # the programme page: the block, rendered (events/cards.py)


@dataclass
class ProgrammeDay:
    day: date
    blocks: list = field(default_factory=list)
    html: str = ""  # the programme page: its blocks, rendered (events/cards.py)


@dataclass
class Programme:
    days: list
    all_days: list
    types: list
    selected_day: date | None = None
    selected_type: SessionType | None = None
    has_provisional: bool = False

    @property
    def shape(self):
        """What the programme page shows of it besides its days' blocks (a key of the page
        around them, events/cards.render_page)."""
        return (
            tuple(self.all_days),
            tuple(self.types),
            self.selected_day,
            self.selected_type,
            self.has_provisional,
            tuple(day.day for day in self.days),
        )


@dataclass(frozen=True)
class ProgrammeChoices:
    """What the programme can be filtered on: the days of the edition and the slugs of the
    types offered as filters."""

    days: frozenset[date]
    type_slugs: frozenset[str]


def programme_data(edition):
    """The slots and the published sessions (with speakers) of an edition (3 queries, then
    none: kept under the programme version, for the programme in all its filtered forms)."""

    def read():
        return list(edition.slots.order_by("starts_at")), list(with_speakers(sessions_of(edition)))

    return per_version(f"events:programme-data:{edition.pk}", read)


def filter_types(sessions):
    """The types worth filtering on (formats and bookable sessions), in programme order."""
    return sorted(
        {s.type for s in sessions if s.type.is_format or s.type.is_bookable},
        key=lambda t: (t.position, t.pk),
    )


def programme_choices():
    """The current edition's ProgrammeChoices: read on every cache hit of a filtered
    programme page, so kept in memory under the programme version (no query then; on the
    first request of a version, those of current_edition and programme_rows, which the
    page itself needs next)."""

    def read():
        edition = current_edition()
        _slots, sessions, _speakers = programme_rows(edition)
        return ProgrammeChoices(
            days=frozenset(edition.days),
            type_slugs=frozenset(
                s[S_TYPE_SLUG] for s in sessions if s[S_TYPE_FORMAT] or s[S_TYPE_BOOKABLE]
            ),
        )

    return per_version("events:programme-choices", read, in_memory=True)


def programme(edition, *, day=None, type_slug=None):
    """Sessions grouped by day and slot, optionally filtered by day or by one of the
    types worth filtering on (formats and bookable sessions) (3 queries, see
    programme_data): the archive's programme, sessions in full.

    An unknown type is ignored.

    The lists of days and types offered as filters come from the whole programme, so a
    filter never hides the way back.
    """
    slots, sessions = programme_data(edition)
    return _grouped(slots, sessions, filter_types(sessions), day=day, type_slug=type_slug)


def _grouped(slots, sessions, types, *, day, type_slug):
    """A Programme of ``sessions`` (objects with ``slot_id``, ``type.slug`` and
    ``is_provisional``) in ``slots`` (with ``pk`` and ``starts_at``)."""
    all_days = sorted({timezone.localdate(slot.starts_at) for slot in slots})
    selected_type = next((t for t in types if t.slug == type_slug), None)
    type_slug = selected_type.slug if selected_type else None

    by_slot = {}
    for session in sessions:
        if type_slug and session.type.slug != type_slug:
            continue
        by_slot.setdefault(session.slot_id, []).append(session)

    days = {}
    for slot in slots:
        slot_day = timezone.localdate(slot.starts_at)
        if day and slot_day != day:
            continue
        slot_sessions = by_slot.get(slot.pk, [])
        if type_slug and not slot_sessions:
            continue
        days.setdefault(slot_day, ProgrammeDay(day=slot_day)).blocks.append(
            SlotBlock(slot=slot, sessions=slot_sessions)
        )
    return Programme(
        days=list(days.values()),
        all_days=all_days,
        types=types,
        selected_day=day,
        selected_type=selected_type,
        has_provisional=any(session.is_provisional for session in sessions),
    )


# --- The current programme page: plain rows, and fragments rendered once (events/cards.py) ---


def _translated(french, english, language):
    """What django-modeltranslation shows in ``language``: English falls back to French;
    an empty value is no value."""
    if language == "en" and english:
        return english
    return french or ""


def _moment(text):
    """A datetime read as text (PROGRAMME_SQL), aware: SQLite stores them in UTC without
    saying so, PostgreSQL writes them in the connection's time zone (UTC) with it."""
    value = parse_datetime(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class TypeChoice:
    """A session type as the programme page shows it (in the page's language)."""

    pk: int
    slug: str
    name: str
    position: int
    is_format: bool
    is_bookable: bool


@dataclass(frozen=True)
class SlotRow:
    pk: int
    starts_at: datetime
    ends_at: datetime
    title: str


# A session row of programme_rows, as stored: its columns in this order.
(
    S_PK,
    S_CODE,
    S_TITLE_FR,
    S_TITLE_EN,
    S_PROVISIONAL,
    S_SLOT,
    S_STARTS,
    S_ENDS,
    S_TYPE,
    S_TYPE_SLUG,
    S_TYPE_FR,
    S_TYPE_EN,
    S_TYPE_POSITION,
    S_TYPE_FORMAT,
    S_TYPE_BOOKABLE,
    S_ROOM,
    S_ROOM_FR,
    S_ROOM_EN,
    S_POSITION,
) = range(19)


# The programme's three reads, in SQL: {name} a model's table, {name.field} its column.
# Times are read as text: converting 450 of them cost more than the rest of the reading;
# only those printed are converted (_moment), and compared as text, as SQL compares them.
PROGRAMME_SQL = (
    """SELECT sl.{Sl.id}, CAST(sl.{Sl.starts_at} AS TEXT), CAST(sl.{Sl.ends_at} AS TEXT),
        sl.{Sl.title_fr}, sl.{Sl.title_en}
    FROM {Sl} sl WHERE sl.{Sl.edition} = %s ORDER BY sl.{Sl.starts_at}, sl.{Sl.id}""",
    """SELECT s.{S.id}, s.{S.code}, s.{S.title_fr}, s.{S.title_en}, s.{S.is_provisional},
        s.{S.slot}, CAST(s.{S.starts_at} AS TEXT), CAST(s.{S.ends_at} AS TEXT), t.{T.id},
        t.{T.slug}, t.{T.name_fr}, t.{T.name_en}, t.{T.position}, t.{T.is_format},
        t.{T.is_bookable}, r.{R.id}, r.{R.name_fr}, r.{R.name_en}, s.{S.position}
    FROM {S} s INNER JOIN {Sl} sl ON sl.{Sl.id} = s.{S.slot}
    INNER JOIN {T} t ON t.{T.id} = s.{S.type}
    LEFT OUTER JOIN {R} r ON r.{R.id} = s.{S.room}
    WHERE sl.{Sl.edition} = %s AND s.{S.is_published}""",
    """SELECT ss.{SS.session}, sp.{Sp.name} FROM {SS} ss
    INNER JOIN {Sp} sp ON sp.{Sp.id} = ss.{SS.speaker}
    INNER JOIN {S} s ON s.{S.id} = ss.{SS.session}
    INNER JOIN {Sl} sl ON sl.{Sl.id} = s.{S.slot}
    WHERE sl.{Sl.edition} = %s AND s.{S.is_published}
    ORDER BY sp.{Sp.name}, sp.{Sp.id}""",
)


@functools.cache
def _programme_statements(vendor):
    """PROGRAMME_SQL for this database engine, written once per process: the ORM compiled
    its querysets again on every programme version, a third of the reading."""
    tables = {
        "Sl": Table(Slot),
        "S": Table(Session),
        "T": Table(SessionType),
        "R": Table(Room),
        "SS": Table(Session.speakers.through),
        "Sp": Table(Speaker),
    }
    return tuple(statement.format(**tables) for statement in PROGRAMME_SQL)


def _programme_order(row):
    return row[S_STARTS], row[S_POSITION], row[S_PK]


def programme_rows(edition):
    """The current programme as plain values, as stored, in no language yet: (slots,
    sessions, speaker names by session id), slots as (pk, starts_at, ends_at, title_fr,
    title_en, day, then starts_at and ends_at as stored), sessions as their S_* columns
    say. 3 queries, then none:
    kept in this process's memory under the programme version, shared by the programme in
    all its filtered forms and languages and its filters (each process reads them once:
    cheaper than writing them into the shared cache, and read-only).

    Plain tuples, not model instances, read by SQL written once (see
    _programme_statements): after a staff edit, the programme of a large edition is read
    again, and building a thousand model instances cost more than rendering the page."""

    def read():
        slots_sql, sessions_sql, speakers_sql = _programme_statements(connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(slots_sql, [edition.pk])
            slots = tuple(
                (
                    pk,
                    _moment(starts),
                    _moment(ends),
                    fr,
                    en,
                    timezone.localdate(_moment(starts)),
                    starts,
                    ends,
                )
                for pk, starts, ends, fr, en in cursor.fetchall()
            )
            cursor.execute(sessions_sql, [edition.pk])
            # In programme order (the times' text sorts as they do: ISO, one time zone),
            # sorted here: SQLite's sort of these wide rows cost a third of the reading.
            sessions = tuple(sorted(map(tuple, cursor.fetchall()), key=_programme_order))
            cursor.execute(speakers_sql, [edition.pk])
            speakers = {}
            for session_id, name in cursor.fetchall():
                speakers.setdefault(session_id, []).append(name)
        return slots, sessions, {pk: ", ".join(names) for pk, names in speakers.items()}

    return per_version(f"events:programme-rows:{edition.pk}", read, shared=False)


def _card(key):
    """The Card of a session from its card key (see programme_page): a pure function of
    the key and the fragment's context (language, time zone, release), as events/cards.py
    requires."""
    row, speakers, venue, slot_starts, slot_ends, url_start, url_end = key
    language = get_language()
    starts, ends, code = row[S_STARTS], row[S_ENDS], row[S_CODE]
    own_times = starts != slot_starts or ends != slot_ends
    return Card(
        row[S_TYPE_SLUG],
        _translated(row[S_TYPE_FR], row[S_TYPE_EN], language),
        row[S_TYPE_BOOKABLE],
        row[S_PROVISIONAL],
        url_start
        + (code if code.isascii() and code.isalnum() else quote(code, URL_SAFE))
        + url_end,
        _translated(row[S_TITLE_FR], row[S_TITLE_EN], language),
        f"{hour(_moment(starts))}-{hour(_moment(ends))}" if own_times else "",
        _translated(row[S_ROOM_FR], row[S_ROOM_EN], language) if row[S_ROOM] else venue,
        speakers,
    )


def programme_page(edition, *, day=None, type_slug=None):
    """The current programme as its page shows it (see programme()), each day's slot
    blocks and session cards rendered once for what they show (events/cards.py): 3
    queries (see programme_rows), and only the cards whose values changed, and their
    blocks, are rendered. Each day's ``html`` is its blocks' HTML."""
    language = get_language()
    slot_rows, session_rows, speakers = programme_rows(edition)
    types = {}
    for row in session_rows:
        if row[S_TYPE] not in types and (row[S_TYPE_FORMAT] or row[S_TYPE_BOOKABLE]):
            types[row[S_TYPE]] = TypeChoice(
                row[S_TYPE],
                row[S_TYPE_SLUG],
                _translated(row[S_TYPE_FR], row[S_TYPE_EN], language),
                row[S_TYPE_POSITION],
                row[S_TYPE_FORMAT],
                row[S_TYPE_BOOKABLE],
            )
    filters = sorted(types.values(), key=lambda t: (t.position, t.pk))
    selected_type = next((t for t in filters if t.slug == type_slug), None)
    type_slug = selected_type.slug if selected_type else None

    by_slot = {}
    for row in session_rows:
        if type_slug is None or row[S_TYPE_SLUG] == type_slug:
            by_slot.setdefault(row[S_SLOT], []).append(row)
    url_start, url_end = reverse("events:session", kwargs={"code": "-code-"}).split("-code-")
    venue = edition.venue.name
    days = {}
    stored_times = {}
    for pk, starts_at, ends_at, title_fr, title_en, slot_day, *stored in slot_rows:
        if day and slot_day != day:
            continue
        rows = by_slot.get(pk, ())
        if type_slug and not rows:
            continue
        slot = SlotRow(pk, starts_at, ends_at, _translated(title_fr, title_en, language))
        stored_times[pk] = stored
        days.setdefault(slot_day, ProgrammeDay(day=slot_day)).blocks.append(
            SlotBlock(slot=slot, sessions=rows)
        )
    days = list(days.values())
    blocks = [block for day_ in days for block in day_.blocks]
    html = render_blocks(
        [
            (
                (b.slot.starts_at, b.slot.ends_at, b.slot.title),
                [
                    (
                        row,
                        speakers.get(row[S_PK], ""),
                        venue,
                        *stored_times[b.slot.pk],
                        url_start,
                        url_end,
                    )
                    for row in b.sessions
                ],
            )
            for b in blocks
        ],
        _card,
    )
    html = iter(html)
    for day_ in days:
        for block in day_.blocks:
            block.html = next(html)
        day_.html = SafeString("".join(block.html for block in day_.blocks))
    return Programme(
        days=days,
        all_days=sorted({row[5] for row in slot_rows}),
        types=filters,
        selected_day=day,
        selected_type=selected_type,
        has_provisional=any(row[S_PROVISIONAL] for row in session_rows),
    )


def slots_by_day(edition):
    """The pre-programme: every slot, grouped by day (1 query)."""
    days = {}
    for slot in edition.slots.order_by("starts_at"):
        days.setdefault(timezone.localdate(slot.starts_at), []).append(slot)
    return list(days.items())


def session_detail(edition, code):
    """One published session with its speakers (2 queries)."""
    session = with_speakers(sessions_of(edition).filter(code=code)).first()
    if session is None:
        raise Http404("No such session")
    return session


def formats():
    """Session types presented as the formats of the Rencontres (1 query)."""
    return list(SessionType.objects.filter(is_format=True))


@dataclass(frozen=True)
class Partners:
    main: list
    support: list

    @property
    def all(self):
        return self.main + self.support

    def __bool__(self):
        return bool(self.main or self.support)


def partners_of(edition):
    """The partners of an edition, main partners apart from « avec le concours de » (1
    query)."""
    partners = list(Partner.objects.filter(edition=edition))
    return Partners(
        main=[p for p in partners if p.tier == Partner.Tier.MAIN],
        support=[p for p in partners if p.tier != Partner.Tier.MAIN],
    )


def access_options_of(venue):
    return list(venue.access_options.all())


def session_types():
    return list(SessionType.objects.all())


@dataclass(frozen=True)
class RoomNow:
    name: str
    current: Session | None
    next: Session | None


@dataclass(frozen=True)
class NowAndNext:
    """What is on now and next in each room (« Maintenant / ensuite »).

    ``state``: "before" the first session, "during" one, "between" two (breaks, the
    night), "after" the last. ``changes_at``: when this answer next changes (a session
    starts or ends), None once everything is over."""

    state: str
    rooms: list
    changes_at: datetime | None


def now_and_next(edition, now):
    """The current and next published session of every room at ``now`` (3 queries, none
    once the programme is cached: see programme_data). Sessions without a room (breaks,
    the lunch) are listed under the venue's name."""
    _slots, sessions = programme_data(edition)
    if not sessions:
        return NowAndNext(state="after", rooms=[], changes_at=None)
    by_room = {}
    for session in sessions:
        by_room.setdefault(session.room_id, []).append(session)
    rooms = []
    for room_id, in_room in sorted(
        by_room.items(),
        key=lambda item: (item[1][0].room.position, item[0]) if item[0] else (-1, 0),
    ):
        current = next((s for s in in_room if s.starts_at <= now < s.ends_at), None)
        upcoming = next((s for s in in_room if s.starts_at >= now and s is not current), None)
        if current or upcoming:
            name = in_room[0].room.name if room_id else edition.venue.name
            rooms.append(RoomNow(name=name, current=current, next=upcoming))
    moments = sorted({m for s in sessions for m in (s.starts_at, s.ends_at) if m > now})
    first_start = min(s.starts_at for s in sessions)
    last_end = max(s.ends_at for s in sessions)
    if now < first_start:
        state = "before"
    elif now >= last_end:
        state = "after"
    elif any(room.current for room in rooms):
        state = "during"
    else:
        state = "between"
    return NowAndNext(state=state, rooms=rooms, changes_at=moments[0] if moments else None)


def archived_editions():
    """The editions before the current one, newest first (1 query). A later edition being
    prepared in admin is never among them."""
    current = current_edition()
    return list(Edition.objects.filter(number__lt=current.number).select_related("venue"))


def archived_edition(number):
    """One edition before the current one, with its venue (1 query). 404 otherwise."""
    current = current_edition()
    if not 0 < number < current.number:  # and no number too large for the column
        raise Http404("No such archived edition")
    edition = Edition.objects.filter(number=number).select_related("venue").first()
    if edition is None:
        raise Http404("No such archived edition")
    return edition
