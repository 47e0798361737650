"""Reads for the staff pages, each in a fixed number of queries."""

import functools
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, Q

from events.models import Session
from registration.models import Booking
from registration.queries import bookings_with_positions_queryset
from rencontres.sql import Table as SqlTable


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


# A staff member's permissions, their own and their groups', in one statement (Django's
# ModelBackend reads them in two): all of them for a superuser, as the backend says.
_PERMISSIONS = """
    SELECT t.{T.app_label}, p.{P.codename} FROM {P} p
    INNER JOIN {T} t ON t.{T.id} = p.{P.content_type}
    WHERE %s OR p.{P.id} IN (
        SELECT up.{UP.permission} FROM {UP} up WHERE up.{UP.user} = %s
    ) OR p.{P.id} IN (
        SELECT gp.{GP.permission} FROM {GP} gp
        INNER JOIN {UG} ug ON ug.{UG.group} = gp.{GP.group} WHERE ug.{UG.user} = %s
    )"""


@functools.cache
def _permissions_sql():
    user = get_user_model()
    return _PERMISSIONS.format(
        P=SqlTable(Permission),
        T=SqlTable(ContentType),
        UP=SqlTable(user.user_permissions.through),
        UG=SqlTable(user.groups.through),
        GP=SqlTable(Group.permissions.through),
    )


def read_permissions(user):
    """Read an active staff member's permissions ("app_label.codename") in one statement
    and hand them to Django's ModelBackend, which keeps a user's permissions on the user
    object for the request (`_perm_cache`, what it would have read itself in two): the
    checks that follow (views, templates) read nothing more. The desk reads them on every
    scan (1 query)."""
    if not (user.is_active and user.is_authenticated) or hasattr(user, "_perm_cache"):
        return
    with connection.cursor() as cursor:
        cursor.execute(_permissions_sql(), [user.is_superuser, user.pk, user.pk])
        user._perm_cache = {f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()}
