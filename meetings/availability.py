"""When people are free for a meeting: the one function the accept form, the services and
the session booking check all call.

A person is free at a meeting time when they attend that day, have no confirmed session
overlapping it, have not blocked it (Profile.blocked_times) and have no other scheduled
meeting overlapping it.
"""

from django.db.models import Count
from django.utils import timezone

from registration.models import AttendanceDay, Booking

from .models import Meeting, MeetingSeat, MeetingTime, Profile, Table


def _overlaps(time, intervals):
    return any(start < time.ends_at and time.starts_at < end for start, end in intervals)


def busy(registration_ids, *, with_meetings=True):
    """{registration pk: (days attended, [(start, end) busy])}: their confirmed sessions,
    the meeting times they blocked and (`with_meetings`) their meetings, in four queries
    (three without their meetings)."""
    found = {pk: (set(), []) for pk in registration_ids}
    for pk, day in AttendanceDay.objects.filter(registration__in=registration_ids).values_list(
        "registration", "day"
    ):
        found[pk][0].add(day)
    for pk, start, end in Booking.objects.filter(
        registration__in=registration_ids, status=Booking.Status.CONFIRMED
    ).values_list("registration", "session__starts_at", "session__ends_at"):
        found[pk][1].append((start, end))
    for pk, start, end in Profile.blocked_times.through.objects.filter(
        profile__registration__in=registration_ids
    ).values_list("profile__registration", "meetingtime__starts_at", "meetingtime__ends_at"):
        found[pk][1].append((start, end))
    if not with_meetings:
        return found
    for pk, start, end in MeetingSeat.objects.filter(registration__in=registration_ids).values_list(
        "registration", "time__starts_at", "time__ends_at"
    ):
        found[pk][1].append((start, end))
    return found


def full_times(programme, registration_ids):
    """The times whose tables are all taken, for these people: a person holding a stand
    meets at their own table (free whenever they are), the others share the rest (2
    queries)."""
    hosts = set(Table.objects.filter(programme=programme).values_list("host", flat=True))
    if hosts & set(registration_ids):
        return set()
    shared = Table.objects.filter(programme=programme, host__isnull=True).count()
    if not shared:  # every table is a partner's stand: none for these people, at any time
        return set(MeetingTime.objects.filter(programme=programme).values_list("pk", flat=True))
    return set(
        Meeting.objects.filter(
            time__programme=programme, status=Meeting.Status.SCHEDULED, table__host__isnull=True
        )
        .order_by()
        .values("time")
        .annotate(n=Count("pk"))
        .filter(n__gte=shared)
        .values_list("time", flat=True)
    )


def common_free_times(
    programme, registration_ids, *, now=None, with_full=False, with_meetings=True
):
    """The programme's meeting times, still to come, when every one of these people is
    free and a table is left (`with_full`: or not), in time order (7 queries).
    `with_meetings=False`: free but for their meetings, which the scheduling engine may
    move (the times it could place a meeting at)."""
    now = now or timezone.now()
    people = busy(registration_ids, with_meetings=with_meetings).values()
    full = set() if with_full else full_times(programme, registration_ids)
    return [
        time
        for time in MeetingTime.objects.filter(programme=programme, starts_at__gt=now)
        if time.pk not in full
        and all(
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
