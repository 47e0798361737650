"""Reads for staff following the meetings on the day: held or not per meeting time, and
the people reported absent (« n'a pas eu lieu ») with their meetings still to come. Each
in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from registration.models import Registration

from .models import Meeting, MeetingSeat, MeetingTime

SCHEDULED = Q(meetings__status=Meeting.Status.SCHEDULED)


@dataclass(frozen=True)
class TimeFigures:
    time: MeetingTime
    scheduled: int
    not_held: int
    ended: bool

    @property
    def held(self):
        """Meetings past their end that nobody reported as not held; None before the end."""
        return self.scheduled - self.not_held if self.ended else None


def held_per_time(programme, *, now=None):
    """[TimeFigures] for each meeting time of the programme, in time order (1 query)."""
    now = now or timezone.now()
    times = (
        MeetingTime.objects.filter(programme=programme)
        .annotate(
            scheduled=Count("meetings", filter=SCHEDULED),
            not_held=Count("meetings", filter=SCHEDULED & Q(meetings__not_held_at__isnull=False)),
        )
        .order_by("starts_at")
    )
    return [TimeFigures(t, t.scheduled, t.not_held, t.ends_at <= now) for t in times]


def absent_before(person_field):
    """An Exists() for a Meeting queryset: whether the person in `person_field`
    (request__sender or request__recipient) was reported absent at an earlier meeting,
    i.e. the other party said that meeting did not take place."""
    return Exists(
        Meeting.objects.filter(
            status=Meeting.Status.SCHEDULED,
            not_held_at__isnull=False,
            time__starts_at__lt=OuterRef("time__starts_at"),
            seats__registration=OuterRef(person_field),
        ).exclude(not_held_by=OuterRef(person_field))
    )


@dataclass
class NoShow:
    """Someone the other party reported absent, on one day: the meetings missed and
    their meetings still to come."""

    registration: Registration
    missed: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)


def no_shows(programme, *, now=None):
    """{day: [NoShow]} for each day with meetings reported as not held, the people by
    name; their meetings to come (after now) listed with each (2 queries)."""
    now = now or timezone.now()
    reported = (
        Meeting.objects.filter(
            time__programme=programme,
            status=Meeting.Status.SCHEDULED,
            not_held_at__isnull=False,
        )
        .select_related("time", "table__partner", "request__sender", "request__recipient")
        .order_by("time__starts_at", "table__number")
    )
    found = {}  # (day, registration pk) → NoShow
    for meeting in reported:
        request = meeting.request
        for person in (request.sender, request.recipient):
            if person.pk == meeting.not_held_by_id:
                continue  # the one who reported was there
            day = timezone.localdate(meeting.time.starts_at)
            entry = found.setdefault((day, person.pk), NoShow(person))
            entry.missed.append(meeting)
    if not found:
        return {}
    people = {pk for _day, pk in found}
    upcoming = defaultdict(list)
    seats = (
        MeetingSeat.objects.filter(
            registration__in=people,
            meeting__status=Meeting.Status.SCHEDULED,
            time__starts_at__gt=now,
        )
        .select_related(
            "meeting__time",
            "meeting__table__partner",
            "meeting__request__sender",
            "meeting__request__recipient",
        )
        .order_by("time__starts_at")
    )
    for seat in seats:
        upcoming[seat.registration_id].append(seat.meeting)
    days = defaultdict(list)
    for (day, pk), entry in sorted(
        found.items(),
        key=lambda item: (item[0][0], item[1].registration.last_name.casefold(), item[0][1]),
    ):
        entry.upcoming = upcoming[pk]
        days[day].append(entry)
    return dict(days)
