"""Reads for the staff pages, each in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, Q

from events.models import Session
from registration.models import Booking
from registration.queries import bookings_with_positions_queryset


@dataclass
class SessionFill:
    session: Session
    capacity: int | None
    confirmed: int
    waitlisted: int

    @property
    def percent(self):
        if not self.capacity:
            return None
        return round(100 * self.confirmed / self.capacity)


def session_fill(edition):
    """Every bookable session of the edition with its seats taken and its queue (1 query)."""
    sessions = (
        Session.objects.filter(slot__edition=edition, type__is_bookable=True)
        .select_related("room", "slot")
        .annotate(
            confirmed=Count("bookings", filter=Q(bookings__status=Booking.Status.CONFIRMED)),
            waitlisted=Count("bookings", filter=Q(bookings__status=Booking.Status.WAITLISTED)),
        )
        .order_by("starts_at", "position", "pk")
    )
    return [SessionFill(s, s.effective_capacity, s.confirmed, s.waitlisted) for s in sessions]


def session_bookings(session):
    """Who is booked: confirmed first, then the waiting list in its order, each waiting
    person with their place (``position``, as the attendee's own page counts it) (1 query)."""
    bookings = list(
        bookings_with_positions_queryset(session.bookings.select_related("registration")).order_by(
            "status", "created_at", "pk"
        )  # "confirmed" sorts before "waitlisted"
    )
    for booking in bookings:
        waiting = booking.status == Booking.Status.WAITLISTED
        booking.position = booking.ahead + 1 if waiting else None
    return bookings
