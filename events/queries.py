"""Reads of the programme, each with a fixed number of queries (tests count them)."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import cache
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from .models import Edition, Partner, Session, SessionType, Slot, Speaker
from .pagecache import per_version, programme_version


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
    first request of a version, those of current_edition and programme_data, which the
    page itself needs next)."""

    def read():
        edition = current_edition()
        _slots, sessions = programme_data(edition)
        return ProgrammeChoices(
            days=frozenset(edition.days),
            type_slugs=frozenset(t.slug for t in filter_types(sessions)),
        )

    return per_version("events:programme-choices", read, in_memory=True)


def programme(edition, *, day=None, type_slug=None):
    """Sessions grouped by day and slot, optionally filtered by day or by one of the
    types worth filtering on (formats and bookable sessions) (3 queries, see
    programme_data).

    An unknown type is ignored.

    The lists of days and types offered as filters come from the whole programme, so a
    filter never hides the way back.
    """
    slots, sessions = programme_data(edition)
    types = filter_types(sessions)
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
