"""Reads of the programme, each with a fixed number of queries (tests count them)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import quote

from django.core.cache import cache
from django.db.models import Case, F, Prefetch, Q, QuerySet, When
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from rencontres.templatetags.site import hour

from .cards import Card, render_blocks
from .models import Edition, Partner, Session, SessionQuerySet, SessionType, Slot, Speaker
from .pagecache import per_version, programme_version

# What reverse() leaves unquoted in a URL's path (django.urls.resolvers).
URL_SAFE = "!$&'()*+,;=/~:@"


def current_edition():
    """The edition shown on the site, with its venue. 404 when there is none.

    1 query, then none: kept in the cache under the programme version, which any change
    to the programme replaces."""
    key = f"events:current-edition:{programme_version()}"
    edition = cache.get(key)
    if edition is None:
        edition = Edition.objects.current()
        if edition is None:
            raise Http404("No current edition")
        cache.set(key, edition, timeout=None)
    return edition


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


@dataclass
class Programme:
    days: list
    all_days: list
    types: list
    selected_day: date | None = None
    selected_type: SessionType | None = None
    has_provisional: bool = False


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
        slug, is_format, is_bookable = (
            SESSION_COLUMNS.index(name)
            for name in ("type__slug", "type__is_format", "type__is_bookable")
        )
        return ProgrammeChoices(
            days=frozenset(edition.days),
            type_slugs=frozenset(s[slug] for s in sessions if s[is_format] or s[is_bookable]),
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


# --- The current programme page: plain rows, and cards rendered once (events/cards.py) ---


def _translated(french, english, language):
    """What django-modeltranslation shows in ``language``: English falls back to French;
    an empty value is no value."""
    if language == "en" and english:
        return english
    return french or ""


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


@dataclass(frozen=True)
class SessionRow:
    slot_id: int
    type: TypeChoice
    is_provisional: bool
    card: Card


SESSION_COLUMNS = (
    "pk",
    "code",
    "title_fr",
    "title_en",
    "is_provisional",
    "slot_id",
    "type_id",
    "type__slug",
    "type__name_fr",
    "type__name_en",
    "type__position",
    "type__is_format",
    "type__is_bookable",
    "room_id",
    "room__name_fr",
    "room__name_en",
    # The session's own times, only when they are not its slot's (the card prints them).
    "own_starts_at",
    "own_ends_at",
)


def programme_rows(edition):
    """The current programme as plain values, in no language yet: (slots, sessions,
    speaker names by session id). 3 queries, then none: kept in this process's memory
    under the programme version, shared by the programme in all its filtered forms and
    languages and its filters (each process reads them once: cheaper than writing them
    into the shared cache, and read-only).

    Plain tuples, not model instances: after a staff edit, the programme of a large
    edition is read again, and building a thousand model instances (and pickling them
    into the cache) cost more than rendering the whole page. Read through Django's own
    querysets, not django-modeltranslation's: the columns are named in each language here,
    so its rewriting of names and fallbacks has nothing to do, and cost half the time."""

    def read():
        slots = tuple(
            QuerySet(Slot)
            .filter(edition=edition)
            .order_by("starts_at")
            .values_list("pk", "starts_at", "ends_at", "title_fr", "title_en")
        )
        own_times = ~Q(starts_at=F("slot__starts_at")) | ~Q(ends_at=F("slot__ends_at"))
        sessions = tuple(
            SessionQuerySet(Session)
            .published()
            .filter(slot__edition=edition)
            .order_by("starts_at", "position", "pk")
            .annotate(
                own_starts_at=Case(When(own_times, then=F("starts_at")), default=None),
                own_ends_at=Case(When(own_times, then=F("ends_at")), default=None),
            )
            .values_list(*SESSION_COLUMNS)
        )
        speakers = {}
        for session_id, name in (
            QuerySet(Session.speakers.through)
            .filter(session__slot__edition=edition, session__is_published=True)
            .order_by("speaker__name")
            .values_list("session_id", "speaker__name")
        ):
            speakers.setdefault(session_id, []).append(name)
        return slots, sessions, {pk: ", ".join(names) for pk, names in speakers.items()}

    return per_version(f"events:programme-rows:{edition.pk}", read, shared=False)


def programme_page(edition, *, day=None, type_slug=None):
    """The current programme as its page shows it (see programme()), each slot block and
    session card rendered once for what it shows (events/cards.py): 3 queries (see
    programme_rows), and only the cards whose values changed, and their blocks, are
    rendered."""
    language = get_language()
    slot_rows, session_rows, speakers = programme_rows(edition)
    slots = [
        SlotRow(pk, starts_at, ends_at, _translated(fr, en, language))
        for pk, starts_at, ends_at, fr, en in slot_rows
    ]
    url_start, url_end = reverse("events:session", kwargs={"code": "-code-"}).split("-code-")
    venue = edition.venue.name
    types = {}
    sessions = []
    for (
        pk,
        code,
        title_fr,
        title_en,
        provisional,
        slot_id,
        type_id,
        type_slug_,
        type_fr,
        type_en,
        type_position,
        is_format,
        bookable,
        room_id,
        room_fr,
        room_en,
        own_starts_at,
        own_ends_at,
    ) in session_rows:
        session_type = types.get(type_id)
        if session_type is None:
            session_type = types[type_id] = TypeChoice(
                type_id,
                type_slug_,
                _translated(type_fr, type_en, language),
                type_position,
                is_format,
                bookable,
            )
        times = f"{hour(own_starts_at)}-{hour(own_ends_at)}" if own_starts_at else ""
        card = Card(
            type_slug_,
            session_type.name,
            bookable,
            provisional,
            url_start
            + (code if code.isascii() and code.isalnum() else quote(code, URL_SAFE))
            + url_end,
            _translated(title_fr, title_en, language),
            times,
            _translated(room_fr, room_en, language) if room_id else venue,
            speakers.get(pk, ""),
        )
        sessions.append(SessionRow(slot_id, session_type, provisional, card))
    filters = sorted(
        (t for t in types.values() if t.is_format or t.is_bookable),
        key=lambda t: (t.position, t.pk),
    )
    page = _grouped(slots, sessions, filters, day=day, type_slug=type_slug)
    shown = [block for day_ in page.days for block in day_.blocks]
    html = render_blocks(
        [
            ((b.slot.starts_at, b.slot.ends_at, b.slot.title), [s.card for s in b.sessions])
            for b in shown
        ]
    )
    for block, block_html in zip(shown, html, strict=True):
        block.html = block_html
    return page


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
