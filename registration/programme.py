"""Programme changes that keep every booking right: the services the programme's admin
calls when staff move a session (time, slot, room), shift a slot, change a capacity,
unpublish or delete a session.

Each runs in one transaction that locks the sessions whose seats may move (in pk order, as
services.py does), updates their bookings there, promotes waiting lists in order, and
writes for each person touched a ProgrammeNotice: the worker gathers them a few minutes
after the last edit into one message (emails.programme_notices_send).
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from events import services as programme
from events.models import Session, Slot

from . import emails
from .models import Booking, ProgrammeNotice
from .services import Changes, _locked, _promote_bookings

OVERLAP = ProgrammeNotice.Kind.OVERLAP

# Several edits within this delay give one message (see emails.programme_notices_send).
NOTICE_DELAY = emails.NOTICE_DELAY


class Resolution:
    """What to do with people whom a move puts in two sessions at once."""

    KEEP = "keep"  # keep both bookings, and tell them
    WAITLIST_MOVED = "waitlist_moved"  # the moved session's seat goes to its waiting list
    WAITLIST_OTHER = "waitlist_other"  # their other session's seat goes to its waiting list
    ALL = (KEEP, WAITLIST_MOVED, WAITLIST_OTHER)


class CapacityTooLow(ValueError):
    """A capacity below the seats already given (of `session`, when a room's capacity is
    the one changed)."""

    def __init__(self, *, confirmed, capacity, session=None):
        super().__init__(confirmed, capacity)
        self.confirmed = confirmed
        self.capacity = capacity
        self.session = session


@dataclass
class Clash:
    """One person the move puts in two sessions at once."""

    booking: Booking  # of the moved session
    other: Booking  # of the session it now meets


@dataclass
class Plan:
    """What saving an edited session would do, read before saving (the admin shows it)."""

    moved: bool
    releases: bool  # unpublished: its bookings are released
    tells: bool  # its people get a message
    booked: int  # bookings, confirmed or waitlisted
    confirmed: int
    capacity: int | None
    clashes: list = field(default_factory=list)

    @property
    def capacity_too_low(self):
        return self.capacity is not None and self.capacity < self.confirmed


def _stored(pk):
    return Session.objects.select_related("room", "slot").get(pk=pk)


def _meeting(session):
    """The bookable sessions a session's (new) place puts it beside: same slot, or times
    that overlap."""
    return (
        Session.objects.filter(
            Q(slot_id=session.slot_id)
            | Q(starts_at__lt=session.ends_at, ends_at__gt=session.starts_at)
        )
        .exclude(pk=session.pk)
        .values_list("pk", flat=True)
    )


def _clashes(session):
    """People booked on `session` who also hold a booking of a session it now meets."""
    others = {}
    for other in Booking.objects.filter(
        session__in=list(_meeting(session)),
        registration__in=Booking.objects.filter(session=session).values("registration"),
    ).select_related("session", "registration"):
        others.setdefault(other.registration_id, other)
    return [
        Clash(booking, others[booking.registration_id])
        for booking in Booking.objects.filter(
            session=session, registration__in=list(others)
        ).select_related("registration")
    ]


def session_update_plan(*, session):
    """What session_update would do with this edited (unsaved) session: who would end up
    in two sessions at once, the seats given against the new capacity. Reads only."""
    session.follow_slot()
    if session.pk is None:
        return Plan(False, False, False, 0, 0, session.effective_capacity)
    old = _stored(session.pk)
    confirmed = Booking.objects.filter(session=old, status=Booking.Status.CONFIRMED).count()
    releases = old.is_published and not session.is_published
    moved = _moves(old, session)
    return Plan(
        moved=moved,
        releases=releases,
        tells=moved or releases or old.room_id != session.room_id,
        booked=Booking.objects.filter(session=old).count(),
        confirmed=confirmed,
        capacity=session.effective_capacity,
        clashes=_clashes(session) if moved and not releases else [],
    )


def session_update(*, session, resolution=Resolution.KEEP, now=None):
    """Save an edited session and keep its bookings right, in one transaction:
    - moved (slot, times): its bookings follow it to its slot; people who now hold two
      sessions at once are handled as `resolution` says; everyone booked is told;
    - moved to another room: everyone booked is told;
    - capacity (its own, or its room's) below the seats given: CapacityTooLow, nothing
      saved; above: its waiting list is promoted in order;
    - unpublished: its bookings are released and their people told; nobody is promoted.
    Returns the Changes (promotions, already queued as messages)."""
    if resolution not in Resolution.ALL:
        raise ValueError(resolution)
    now = now or timezone.now()
    changes = Changes()
    session.follow_slot()
    if session.pk is None:
        session.save()
        return changes
    with transaction.atomic():
        # Every session whose seats may move, locked in the fixed order, then read again.
        touched = {session.pk}
        if _moves(_stored(session.pk), session):
            touched.update(_meeting(session))
        list(_locked(Session.objects.filter(pk__in=touched).order_by("pk")).values_list("pk"))
        old = _stored(session.pk)
        before = programme.Before.of(old)
        if old.is_published and not session.is_published:
            _release(old, now)
            session.save()
            return changes
        confirmed = Booking.objects.filter(session=old, status=Booking.Status.CONFIRMED).count()
        capacity = session.effective_capacity
        if capacity is not None and capacity < confirmed:
            raise CapacityTooLow(confirmed=confirmed, capacity=capacity)
        freed = set()
        if _moves(old, session):
            clashes = _clashes(session)
            freed = _resolve(clashes, resolution, now)
            # The bookings follow their session to its slot (flagged ones are spared by
            # the one-per-slot rule), then those no longer beside another lose the flag.
            bookings = Booking.objects.filter(session=old)
            bookings.update(slot=session.slot_id)
            bookings.exclude(pk__in=[c.booking.pk for c in clashes]).update(overlap_accepted=False)
        session.save()
        if before.differs(session):
            _notify(Booking.objects.filter(session=session), before, session, now)
        _promote_and_tell({session.pk, *freed}, changes, now)
    return changes


def _promote_and_tell(session_ids, changes, now):
    """Give the free seats of these (locked) sessions to their waiting lists, in pk order,
    and queue the messages of those promoted (into `changes`)."""
    for pk in sorted(set(session_ids)):
        seats = Session.objects.select_related("room", "type", "slot").get(pk=pk)
        changes.promoted_bookings += _promote_bookings(seats, now)
    emails.promotions(changes)


def _moves(old, session):
    return (old.slot_id, old.starts_at, old.ends_at) != (
        session.slot_id,
        session.starts_at,
        session.ends_at,
    )


def _resolve(clashes, resolution, now):
    """Flag (and, as staff chose, waitlist) the bookings of people now in two sessions at
    once, before the bookings change slot: the database's one-per-slot rule spares only
    flagged rows. Returns the sessions whose seats were freed."""
    freed = set()
    for clash in clashes:
        target = clash.other if resolution == Resolution.WAITLIST_OTHER else clash.booking
        target.overlap_accepted = True
        kind = ProgrammeNotice.Kind.OVERLAP
        if resolution != Resolution.KEEP:
            kind = ProgrammeNotice.Kind.WAITLISTED
            if target.status == Booking.Status.CONFIRMED:
                freed.add(target.session_id)
            target.status = Booking.Status.WAITLISTED
            target.confirmed_at = None
        target.save(update_fields=["overlap_accepted", "status", "confirmed_at"])
        where = _stored(target.session_id)
        _notice(clash.booking.registration, where, kind, programme.Before.of(where), now)
    return freed


def _notice(registration, session, kind, before, now):
    ProgrammeNotice.objects.create(
        registration=registration,
        session=session if session.pk else None,
        title_fr=session.title_fr or session.title,
        title_en=session.title_en or "",
        kind=kind,
        old_starts_at=before.starts_at,
        old_ends_at=before.ends_at,
        old_room_id=before.room_id,
        # A cancellation is a revision: calendars apply it only with a higher SEQUENCE.
        guid=session.guid,
        sequence=session.sequence + 1,
        created_at=now,
    )
    emails.programme_notices_later(registration, at=now + NOTICE_DELAY)


def _notify(bookings, before, session, now):
    for booking in bookings.select_related("registration"):
        _notice(booking.registration, session, ProgrammeNotice.Kind.MOVED, before, now)


def _release(session, now):
    """A (locked) session is unpublished or deleted: its bookings go, its people are told.
    Nobody is promoted into a session that will not take place."""
    before = programme.Before.of(session)
    bookings = list(Booking.objects.filter(session=session).select_related("registration"))
    for booking in bookings:
        _notice(booking.registration, session, ProgrammeNotice.Kind.CANCELLED, before, now)
    Booking.objects.filter(pk__in=[b.pk for b in bookings]).delete()
    return len(bookings)


def session_delete(*, session, now=None):
    """Delete a session; its bookings are released first and their people told."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(Session.objects.filter(pk=session.pk)).first()
        if locked is None:
            return
        _release(_stored(session.pk), now)
        Session.objects.filter(pk=session.pk).delete()


def _slot_moves(slot):
    """The slot's sessions as they will be at its edited times (unsaved), or [] when its
    times do not change."""
    old = Slot.objects.filter(pk=slot.pk).values_list("starts_at", "ends_at").first()
    if old is None or old == (slot.starts_at, slot.ends_at):
        return []
    return programme.slot_sessions_after(slot, old[0])


def _slot_clashes(sessions):
    return [
        clash
        for session in sessions
        for clash in _clashes(session)
        if clash.other.slot_id != session.slot_id
    ]


def slot_clashes(*, slot):
    """The people an edited (unsaved, valid) slot's new times would put in two sessions at
    once: booked on one of its sessions and on a session of another slot it now meets.
    Reads only."""
    return _slot_clashes(_slot_moves(slot))


def slot_save(*, slot, resolution=Resolution.KEEP, now=None):
    """Save a slot; when its times change its sessions move with it, the people booked on
    them are told (see events.services.slot_save), and those it puts in two sessions at
    once are handled as `resolution` says (as for a session moved: slot_clashes lists them
    first). Returns what the moved sessions were before."""
    if resolution not in Resolution.ALL:
        raise ValueError(resolution)
    now = now or timezone.now()
    with transaction.atomic():
        # Every session whose seats may move — the slot's own and those they meet at the
        # new times — locked at once in the fixed order (as a sign-up locks them), then the
        # people in two sessions at once read under those locks.
        moving = _slot_moves(slot)
        touched = {s.pk for s in moving}
        for session in moving:
            touched.update(_meeting(session))
        list(_locked(Session.objects.filter(pk__in=touched).order_by("pk")).values_list("pk"))
        clashes = _slot_clashes(_slot_moves(slot))
        moved = programme.slot_save(slot=slot)
        sessions = {s.pk: s for s in Session.objects.filter(pk__in=[b.session_id for b in moved])}
        for before in moved:
            session = sessions[before.session_id]
            _notify(Booking.objects.filter(session=session), before, session, now)
        _promote_and_tell(_resolve(clashes, resolution, now), Changes(), now)
    return moved


def room_capacity_plan(*, room):
    """The first session taking its capacity from this edited (unsaved) room whose seats
    given exceed the room's new capacity, as CapacityTooLow, or None. Reads only."""
    if room.pk is None or room.capacity is None:
        return None
    return _too_full(_taking_capacity_of(room), room)


def _taking_capacity_of(room):
    """The sessions still to come whose capacity is this room's (none of their own): a
    room serves every edition at its venue, and past sessions keep the seats they gave."""
    return Session.objects.filter(
        room_id=room.pk, capacity__isnull=True, ends_at__gt=timezone.now()
    )


def _too_full(sessions, room):
    confirmed = dict(
        Booking.objects.filter(session__in=sessions, status=Booking.Status.CONFIRMED)
        .values_list("session")
        .annotate(seats=Count("pk"))
    )
    for session in sessions.order_by("starts_at", "pk"):
        if confirmed.get(session.pk, 0) > room.capacity:
            return CapacityTooLow(
                confirmed=confirmed[session.pk], capacity=room.capacity, session=session
            )
    return None


def room_save(*, room, now=None):
    """Save a room and keep the seats of the sessions that take their capacity from it
    (those without one of their own) right, in one transaction under their locks: a
    capacity below one's seats given raises CapacityTooLow (naming it), nothing saved; a
    raise promotes their waiting lists in order. Returns the Changes."""
    now = now or timezone.now()
    changes = Changes()
    if room.pk is None:
        room.save()
        return changes
    with transaction.atomic():
        sessions = _taking_capacity_of(room).order_by("pk")
        locked = list(_locked(sessions).values_list("pk", flat=True))
        if room.capacity is not None and (too_low := _too_full(sessions, room)):
            raise too_low
        room.save()
        _promote_and_tell(locked, changes, now)
    return changes
