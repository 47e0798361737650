"""Reads for registration pages, each in a fixed number of queries."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from events.models import Session

from .models import Booking, Registration


def bookable_by_slot(edition):
    """[(slot, [sessions])] of the sessions attendees book, with ``confirmed_count`` (1 query)."""
    sessions = (
        Session.objects.published()
        .filter(slot__edition=edition, type__is_bookable=True)
        .select_related("slot", "room", "type")
        .annotate(
            confirmed_count=Count("bookings", filter=Q(bookings__status=Booking.Status.CONFIRMED))
        )
        .order_by("starts_at", "slot_id", "title", "pk")
    )
    slots = {}
    for session in sessions:
        slots.setdefault(session.slot, []).append(session)
    return list(slots.items())


def is_full(edition):
    confirmed = Registration.objects.filter(edition=edition, status=Registration.Status.CONFIRMED)
    return confirmed.count() >= edition.capacity


def _waiting_before(queryset):
    return Coalesce(Subquery(queryset.values("status").annotate(n=Count("pk")).values("n")), 0)


def bookings_with_positions(registration):
    """The registration's bookings with their session, room and, when waitlisted, their
    place in the queue (``position``, 1 = next) (1 query)."""
    ahead = Booking.objects.filter(
        session=OuterRef("session"),
        status=Booking.Status.WAITLISTED,
    ).filter(
        Q(created_at__lt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
    )
    return list(
        registration.bookings.select_related("session__room", "session__type", "slot")
        .annotate(ahead=_waiting_before(ahead))
        .order_by("session__starts_at", "pk")
    )


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
