"""The check-in desk: finding a badge's owner, recording arrivals (and taking one back),
today's counters."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from events.models import CODE_ALPHABET
from meetings.queries import meetings_of
from registration.models import AttendanceDay, Booking, Registration

from .models import CheckIn, UndoneCheckIn

CODE_LENGTH = 10  # registration.models.new_checkin_code


@dataclass
class Arrival:
    checkin: CheckIn | None  # None when refused (cancelled, waiting list) or to be confirmed
    created: bool  # False: this person had already come in today
    unusual: str = ""  # a CheckIn.Unusual value: not recorded until staff confirm it


def find_by_code(edition, text):
    """The registration whose badge carries this code (scanners type it, then Enter)."""
    code = text.strip().upper()
    if not code or " " in code or len(code) > 12:
        return None
    return (
        Registration.objects.filter(edition=edition, checkin_code=code)
        .select_related("edition")
        .prefetch_related("days")
        .first()
    )


def looks_like_a_code(text):
    """Could this be a badge's code (as a scanner types it) rather than a name? Ten
    characters of the codes' alphabet, typed in capitals or with a digit: a name typed at
    the desk is rarely either."""
    return (
        len(text) == CODE_LENGTH
        and all(char in CODE_ALPHABET for char in text.upper())
        and (text.isupper() or any(char.isdigit() for char in text))
    )


def find_by_pk(edition, value):
    """The registration a result list or a card button points to (any other text: None)."""
    value = str(value)
    if not (value.isascii() and value.isdigit()) or len(value) > 18:  # isdigit() takes "²"
        return None
    return (
        Registration.objects.filter(edition=edition, pk=value)
        .select_related("edition")
        .prefetch_related("days")
        .first()
    )


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


def registered_days(registration):
    return [row.day for row in registration.days.all()]  # prefetched by find_by_*


def unusual_arrival(registration, day):
    """Why an arrival on `day` needs a staff confirmation ("" when it does not): the day is
    not one of the event's, or this person did not register for it."""
    if day not in registration.edition.days:
        return CheckIn.Unusual.NOT_AN_EVENT_DAY
    if day not in registered_days(registration):
        return CheckIn.Unusual.NOT_REGISTERED_THAT_DAY
    return ""


def checkin_record(*, registration, by, now=None, confirmed=""):
    """Record that someone came in today; a second scan returns the first arrival.

    An unusual arrival (see `unusual_arrival`) is recorded only when `confirmed` names that
    very case (staff saw the warning and let the person in); the case is kept on the row.
    """
    now = now or timezone.now()
    if registration.status != Registration.Status.CONFIRMED:
        return Arrival(None, False)
    day = timezone.localdate(now)
    if existing := CheckIn.objects.filter(registration=registration, day=day).first():
        return Arrival(existing, False)
    unusual = unusual_arrival(registration, day)
    if unusual and confirmed != unusual:
        return Arrival(None, False, unusual=unusual)
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(
                registration=registration, day=day, at=now, by=by, confirmed_exception=unusual
            )
        return Arrival(checkin, True)
    except IntegrityError:  # two desks scanned the same badge at once: the first one wins
        return Arrival(CheckIn.objects.get(registration=registration, day=day), False)


def checkin_undo(*, checkin, by, now=None):
    """Take back an arrival recorded by mistake: the row goes (counters, attendance sheets
    and attestations no longer count it) and an UndoneCheckIn keeps what it was and who
    took it back. Returns that log row."""
    with transaction.atomic():
        log = UndoneCheckIn.objects.create(
            registration_id=checkin.registration_id,
            day=checkin.day,
            at=checkin.at,
            by_id=checkin.by_id,
            confirmed_exception=checkin.confirmed_exception,
            undone_at=now or timezone.now(),
            undone_by=by,
        )
        CheckIn.objects.filter(pk=checkin.pk).delete()
    return log


def arrival_today(registration, now=None):
    day = timezone.localdate(now or timezone.now())
    return CheckIn.objects.filter(registration=registration, day=day).select_related("by").first()


def meetings_of_the_day(registration, day):
    """This person's scheduled B2B meetings on `day`, in time order, each with
    `.starts_at`, `.table` (its number), `.counterpart` and `.organisation`, for the desk's
    card (templates/staff/desk_meetings.html). staff may read meetings (staff → meetings →
    registration); 1 query."""
    return meetings_of(registration, day)


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
