"""When people are free for a meeting: the one function the accept form, the services and
the session booking check all call.

A person is free at a meeting time when they attend that day, have no confirmed session
overlapping it and no other scheduled meeting overlapping it.
"""

from django.utils import timezone

from registration.models import AttendanceDay, Booking

from .models import MeetingSeat, MeetingTime


def _overlaps(time, intervals):
    return any(start < time.ends_at and time.starts_at < end for start, end in intervals)


def busy(registration_ids):
    """{registration pk: (days attended, [(start, end) busy])} in three queries."""
    found = {pk: (set(), []) for pk in registration_ids}
    for pk, day in AttendanceDay.objects.filter(registration__in=registration_ids).values_list(
        "registration", "day"
    ):
        found[pk][0].add(day)
    for pk, start, end in Booking.objects.filter(
        registration__in=registration_ids, status=Booking.Status.CONFIRMED
    ).values_list("registration", "session__starts_at", "session__ends_at"):
        found[pk][1].append((start, end))
    for pk, start, end in MeetingSeat.objects.filter(registration__in=registration_ids).values_list(
        "registration", "time__starts_at", "time__ends_at"
    ):
        found[pk][1].append((start, end))
    return found


def common_free_times(programme, registration_ids, *, now=None):
    """The programme's meeting times, still to come, when every one of these people is
    free, in time order (4 queries)."""
    now = now or timezone.now()
    people = busy(registration_ids).values()
    return [
        time
        for time in MeetingTime.objects.filter(programme=programme, starts_at__gt=now)
        if all(
            timezone.localdate(time.starts_at) in days and not _overlaps(time, intervals)
            for days, intervals in people
        )
    ]


def meetings_overlapping(registration, sessions):
    """The person's scheduled meeting seats that overlap any of these sessions."""
    seats = MeetingSeat.objects.filter(registration=registration).select_related("time")
    return [
        seat
        for seat in seats
        if any(
            s.starts_at < seat.time.ends_at and seat.time.starts_at < s.ends_at for s in sessions
        )
    ]
