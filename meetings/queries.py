"""Reads of the B2B pages, each in a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import CharField, Count, F, OuterRef, Q, StringAgg, Subquery, Value, Window
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst

from registration.agenda import agenda_rows

from .models import Meeting, MeetingRequest, Profile, Programme, Theme

PAGE_SIZE = 20


def programme_for(registration):
    return Programme.objects.filter(edition_id=registration.edition_id).first()


def profile_of(registration):
    return Profile.objects.filter(registration=registration).prefetch_related("themes").first()


def themes_read():
    """((pk, name), ...) of the staff's themes, in their order, the names in the active
    language (French when there is no English) (1 query)."""
    english = translation.get_language() == "en"
    return tuple(
        (pk, (english and name_en) or name_fr)
        for pk, name_fr, name_en in Theme.objects.order_by("position", "pk").values_list(
            "pk", "name_fr", "name_en"
        )
    )


@dataclass(frozen=True)
class ProfileState:
    """What the B2B pages need to know of the viewer's own profile."""

    status: str
    rejection_reason: str


def b2b_access(registration):
    """(programme or None, the person's ProfileState or None) in 1 query: what the B2B
    page and the directory check before anything else."""
    mine = Profile.objects.filter(registration_id=registration.pk)
    programme = (
        Programme.objects.filter(edition_id=registration.edition_id)
        .annotate(
            viewer_status=Subquery(mine.values("status")[:1]),
            viewer_rejection=Subquery(mine.values("rejection_reason")[:1]),
        )
        .first()
    )
    if programme is None or programme.viewer_status is None:
        return programme, None
    return programme, ProfileState(programme.viewer_status, programme.viewer_rejection)


@dataclass(frozen=True)
class DirectoryPage:
    """One page of the directory: its rows (dicts: the columns a card shows and
    ``theme_ids``), the number of profiles found, the page's number and the page count."""

    rows: list
    count: int
    number: int
    pages: int

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.pages


CARD_COLUMNS = (
    "pk",
    "presentation",
    "first_name",
    "last_name",
    "organisation",
    "organisation_type",
    "country",
)


# No directory has this many pages; beyond it an OFFSET overflows the database's integer.
LAST_PAGE = 10_000


def _page_number(page):
    try:
        return min(max(1, int(page)), LAST_PAGE)
    except (TypeError, ValueError):
        return 1


def directory(*, viewer, filters, page):
    """Listed profiles but the viewer's, filtered, one page read at the database with the
    number found and each row's theme ids in the same statement (1 query; 2 when the
    page asked for is past the last one, which then shows)."""
    profiles = directory_profiles(viewer=viewer, filters=filters)
    number = _page_number(page)
    theme_ids = (
        Profile.themes.through.objects.filter(profile_id=OuterRef("pk"))
        .order_by()
        .values("profile_id")
        .annotate(ids=StringAgg(Cast("theme_id", CharField()), delimiter=Value(",")))
        .values("ids")
    )
    rows = (
        profiles.annotate(
            first_name=F("registration__first_name"),
            last_name=F("registration__last_name"),
            organisation=F("registration__organisation"),
            organisation_type=F("registration__organisation_type"),
            country=F("registration__country"),
            theme_ids=Subquery(theme_ids),
            found=Window(Count("*")),
        )
        .order_by("registration__last_name", "registration__first_name", "pk")
        .values(*CARD_COLUMNS, "theme_ids", "found")
    )
    start = (number - 1) * PAGE_SIZE
    found = list(rows[start : start + PAGE_SIZE])
    if not found and number > 1:
        count = profiles.count()
        number = max(1, -(-count // PAGE_SIZE))
        start = (number - 1) * PAGE_SIZE
        found = list(rows[start : start + PAGE_SIZE])
    count = found[0]["found"] if found else 0
    for row in found:
        row["theme_ids"] = [int(pk) for pk in (row["theme_ids"] or "").split(",") if pk]
    return DirectoryPage(found, count, number, max(1, -(-count // PAGE_SIZE)))


def directory_profiles(*, viewer, filters):
    """The listed profiles the viewer may see, filtered (a QuerySet, not read)."""
    profiles = (
        Profile.objects.listed()
        .filter(registration__edition_id=viewer.edition_id)
        .exclude(registration=viewer)
    )
    if theme := filters.get("theme"):
        profiles = profiles.filter(themes=theme)
    if kind := filters.get("organisation_type"):
        profiles = profiles.filter(registration__organisation_type=kind)
    if country := filters.get("country"):
        profiles = profiles.filter(
            Q(registration__country=country) | Q(countries__contains=country)
        )
    if language := filters.get("language"):
        profiles = profiles.filter(languages__contains=f",{language},")
    if text := filters.get("q"):
        for word in text.split()[:5]:
            profiles = profiles.filter(
                Q(registration__first_name__icontains=word)
                | Q(registration__last_name__icontains=word)
                | Q(registration__organisation__icontains=word)
                | Q(presentation__icontains=word)
                | Q(offers__icontains=word)
                | Q(seeks__icontains=word)
            )
    return profiles


def listed_profile(*, viewer, pk):
    return (
        Profile.objects.listed()
        .filter(registration__edition_id=viewer.edition_id, pk=pk)
        .exclude(registration=viewer)
        .select_related("registration")
        .prefetch_related("themes")
        .first()
    )


def requests_of(registration):
    """The person's requests, sent and received, newest first, with their meeting (1 query;
    only the columns the B2B page, the agenda and the CSV show)."""
    return list(
        MeetingRequest.objects.filter(Q(sender=registration) | Q(recipient=registration))
        .select_related("sender", "recipient", "meeting__time", "meeting__table__partner")
        .only(
            *("status", "public_id", "sender_id", "recipient_id", "created_at"),
            *(f"{side}__{name}" for side in ("sender", "recipient") for name in PERSON),
            *("meeting__status", "meeting__guid", "meeting__request_id", "meeting__time_id"),
            *("meeting__table_id", "meeting__sequence", "meeting__not_held_at"),
            *("meeting__time__starts_at", "meeting__time__ends_at"),
            *("meeting__table__number", "meeting__table__partner"),
        )
        .order_by("-created_at", "-pk")
    )


def is_to_place(request):
    """Accepted, with no meeting yet: the organisers' scheduling run will place it."""
    meeting = getattr(request, "meeting", None)
    return request.status == MeetingRequest.Status.ACCEPTED and (
        meeting is None or meeting.status != Meeting.Status.SCHEDULED
    )


# What the B2B pages show of the other party.
PERSON = ("first_name", "last_name", "organisation")


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
