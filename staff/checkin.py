"""The check-in desk: finding a badge's owner, recording arrivals, today's counters."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from registration.models import AttendanceDay, Booking, Registration

from .models import CheckIn


@dataclass
class Arrival:
    checkin: CheckIn | None  # None when refused (cancelled, waiting list)
    created: bool  # False: this person had already come in today


def find_by_code(edition, text):
    """The registration whose badge carries this code (scanners type it, then Enter)."""
    code = text.strip().upper()
    if not code or " " in code or len(code) > 12:
        return None
    return Registration.objects.filter(edition=edition, checkin_code=code).first()


def find_by_pk(edition, value):
    """The registration a result list or a card button points to (any other text: None)."""
    value = str(value)
    if not (value.isascii() and value.isdigit()):  # isdigit() alone takes "²"
        return None
    return Registration.objects.filter(edition=edition, pk=value).first()


def search(edition, text, limit=20):
    """Live registrations whose name, organisation or address matches every word."""
    queryset = Registration.objects.filter(edition=edition).exclude(
        status=Registration.Status.CANCELLED
    )
    for word in text.split()[:5]:
        queryset = queryset.filter(
            Q(last_name__icontains=word)
            | Q(first_name__icontains=word)
            | Q(organisation__icontains=word)
            | Q(email__icontains=word)
        )
    return list(queryset.order_by("last_name", "first_name")[:limit])


def checkin_record(*, registration, by, now=None):
    """Record that someone came in today; a second scan returns the first arrival."""
    now = now or timezone.now()
    if registration.status != Registration.Status.CONFIRMED:
        return Arrival(None, False)
    day = timezone.localdate(now)
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(registration=registration, day=day, at=now, by=by)
        return Arrival(checkin, True)
    except IntegrityError:  # two desks scanned the same badge at once: the first one wins
        return Arrival(CheckIn.objects.get(registration=registration, day=day), False)


def arrival_today(registration, now=None):
    day = timezone.localdate(now or timezone.now())
    return CheckIn.objects.filter(registration=registration, day=day).first()


def todays_bookings(registration, now=None):
    day = timezone.localdate(now or timezone.now())
    return list(
        Booking.objects.filter(registration=registration, session__starts_at__date=day)
        .select_related("session__room")
        .order_by("session__starts_at")
    )


def counters(edition, now=None):
    """Checked in today / expected today (confirmed and registered for today)."""
    day = timezone.localdate(now or timezone.now())
    expected = AttendanceDay.objects.filter(
        day=day,
        registration__edition=edition,
        registration__status=Registration.Status.CONFIRMED,
    ).count()
    arrived = CheckIn.objects.filter(day=day, registration__edition=edition).count()
    return {"day": day, "arrived": arrived, "expected": expected}
