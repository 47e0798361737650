"""Reads for the staff pages, each in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, Q

from events.models import Session
from registration.models import Booking


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
        .order_by("starts_at", "title", "pk")
    )
    return [SessionFill(s, s.effective_capacity, s.confirmed, s.waitlisted) for s in sessions]


def session_bookings(session):
    """Who is booked: confirmed first, then the waiting list in its order, with each
    waiting person's place (``position``) (1 query)."""
    bookings = list(
        session.bookings.select_related("registration").order_by("status", "created_at", "pk")
    )
    place = 0
    for booking in bookings:
        if booking.status == Booking.Status.WAITLISTED:
            place += 1
            booking.position = place
        else:
            booking.position = None
    return bookings
