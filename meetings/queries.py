"""Reads of the B2B pages, each in a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst

from registration.agenda import agenda_rows

from .models import Meeting, MeetingRequest, MeetingTime, Profile, Programme


def programme_for(registration):
    return Programme.objects.filter(edition_id=registration.edition_id).first()


def meeting_times(programme, registration):
    """The programme's meeting times on the days the person attends (as the personal
    link's statement read them), labelled: the times a person may block, in time order
    (1 query)."""
    days = set(registration.days_read)
    times = [
        time
        for time in MeetingTime.objects.filter(programme=programme)
        if timezone.localdate(time.starts_at) in days
    ]
    for time in times:
        time.label = time_label(time)
    return times


def profile_of(registration):
    return Profile.objects.filter(registration=registration).prefetch_related("themes").first()


@dataclass(frozen=True)
class ProfileState:
    """What the B2B pages need to know of the viewer's own profile."""

    status: str
    rejection_reason: str


def listed_profile(*, viewer, pk):
    return (
        Profile.objects.listed()
        .filter(registration__edition_id=viewer.edition_id, pk=pk)
        .exclude(registration=viewer)
        .select_related("registration")
        .prefetch_related("themes")
        .first()
    )


def is_to_place(request):
    """Accepted, with no meeting yet: the organisers' scheduling run will place it."""
    meeting = getattr(request, "meeting", None)
    return request.status == MeetingRequest.Status.ACCEPTED and (
        meeting is None or meeting.status != Meeting.Status.SCHEDULED
    )


def request_of(registration, public_id):
    """A request the person sent or received, or None (someone else's: None)."""
    return (
        MeetingRequest.objects.filter(Q(sender=registration) | Q(recipient=registration))
        .filter(public_id=public_id)
        .select_related(
            "sender", "recipient", "programme", "meeting__time", "meeting__table__partner"
        )
        .first()
    )


def meeting_of(registration, guid):
    return (
        Meeting.objects.filter(
            Q(request__sender=registration) | Q(request__recipient=registration), guid=guid
        )
        .select_related("time", "table__partner", "request__sender", "request__recipient")
        .first()
    )


def agenda(registration):
    """The person's one agenda (registration.agenda.agenda_rows, which this app's
    hooks.agenda_rows feeds with the meetings): no query."""
    return agenda_rows(registration)


def time_label(time):
    start, end = timezone.localtime(time.starts_at), timezone.localtime(time.ends_at)
    return f"{capfirst(date_format(start, 'l j F, H:i'))}–{date_format(end, 'H:i')}"


@dataclass(frozen=True)
class PersonMeeting:
    """One of a person's scheduled meetings, as the desk and the reminder show it."""

    starts_at: datetime
    ends_at: datetime
    table: int
    counterpart: str
    organisation: str


def meetings_of(registration, day=None):
    """The person's scheduled meetings (on `day`, a date in the current time zone, when
    given), in time order (1 query)."""
    meetings = Meeting.objects.filter(
        Q(request__sender=registration) | Q(request__recipient=registration),
        status=Meeting.Status.SCHEDULED,
    )
    if day is not None:
        meetings = meetings.filter(time__starts_at__date=day)
    rows = []
    for meeting in meetings.select_related(
        "time", "table", "request__sender", "request__recipient"
    ).order_by("time__starts_at"):
        other = meeting.request.other(registration)
        rows.append(
            PersonMeeting(
                meeting.time.starts_at, meeting.time.ends_at, meeting.table.number,
                other.full_name, other.organisation,
            )
        )  # fmt: skip
    return rows
