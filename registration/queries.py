"""Reads for registration pages, each in a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from events.models import Session
from events.pagecache import programme_version

from .models import Booking, Registration


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

    Kept in the cache under the programme version (any programme change drops it): a
    sign-up reads it without a query. Seats taken are read apart (seats_taken)."""
    key = f"registration:bookable:{programme_version()}:{get_language()}:{edition.pk}"
    slots = cache.get(key)
    if slots is None:
        sessions = (
            Session.objects.published()
            .filter(slot__edition=edition, type__is_bookable=True)
            .select_related("slot", "room")
            .order_by("starts_at", "slot_id", "title", "pk")
        )
        grouped = {}
        for s in sessions:
            grouped.setdefault(s.slot, []).append(
                BookableSession(
                    s.pk, s.title, s.room.name if s.room_id else "", s.effective_capacity
                )
            )
        slots = [
            BookableSlot(slot.pk, slot.starts_at, slot.ends_at, slot.title, tuple(items))
            for slot, items in grouped.items()
        ]
        cache.set(key, slots, timeout=None)
    return slots


def seats_taken(edition):
    """{session pk: confirmed bookings} for the edition's sessions (1 query)."""
    return dict(
        Booking.objects.filter(session__slot__edition=edition, status=Booking.Status.CONFIRMED)
        .order_by()
        .values_list("session")
        .annotate(n=Count("pk"))
    )


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


def change_form_initial(registration):
    """The change form's initial days and sessions (2 queries)."""
    initial = {"days": [d.isoformat() for d in registration.days.values_list("day", flat=True)]}
    for slot_id, session_id in registration.bookings.values_list("slot_id", "session_id"):
        initial[f"slot_{slot_id}"] = str(session_id)
    return initial


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
