"""The B2B figures of the staff dashboard: profiles, requests, meetings (placed, held, not
held), by organisation type and country, the most requested themes. Six queries, whatever
the number of people."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from meetings.models import Meeting, MeetingRequest, MeetingSeat, Profile, Programme, Theme
from registration.models import Registration

from . import charts


def profile_counts(programme):
    """Profiles listed in the directory, waiting for approval, and in all (1 query)."""
    live = Registration.Status.CONFIRMED
    return Profile.objects.filter(registration__edition_id=programme.edition_id).aggregate(
        listed=Count(
            "pk",
            filter=Q(status=Profile.Status.APPROVED, is_listed=True, registration__status=live),
        ),
        pending=Count("pk", filter=Q(status=Profile.Status.PENDING)),
        taking_part=Count("pk", filter=~Q(status__in=[Profile.Status.LEFT])),
    )


def request_counts(programme):
    """Requests sent, and where they stand now; « à placer »: accepted, no meeting yet
    (1 query)."""
    status = MeetingRequest.Status
    return MeetingRequest.objects.filter(programme=programme).aggregate(
        sent=Count("pk"),
        pending=Count("pk", filter=Q(status=status.PENDING)),
        accepted=Count("pk", filter=Q(status=status.ACCEPTED)),
        declined=Count("pk", filter=Q(status=status.DECLINED)),
        expired=Count("pk", filter=Q(status=status.EXPIRED)),
        cancelled=Count("pk", filter=Q(status=status.CANCELLED)),
        to_place=Count("pk", filter=Q(status=status.ACCEPTED, meeting__isnull=True)),
    )


def meeting_counts(programme, now):
    """Scheduled meetings: placed, held (ended, nobody said otherwise), not held (reported),
    still to come (1 query)."""
    ended = Q(time__ends_at__lte=now)
    return Meeting.objects.filter(
        time__programme=programme, status=Meeting.Status.SCHEDULED
    ).aggregate(
        placed=Count("pk"),
        held=Count("pk", filter=ended & Q(not_held_at__isnull=True)),
        not_held=Count("pk", filter=Q(not_held_at__isnull=False)),
        to_come=Count("pk", filter=~ended),
    )


@dataclass
class Group:
    """One organisation type or country: people taking part, requests they sent and
    received (and of those received, how many they accepted, declined or let expire), their
    meetings (seats in scheduled meetings) and how many of those were held."""

    label: str
    profiles: int = 0
    sent: int = 0
    received: int = 0
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    meetings: int = 0
    held: int = 0


def _count(queryset, field):
    return Coalesce(
        Subquery(
            queryset.filter(**{field: OuterRef("pk")})
            .order_by()
            .values(field)
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
        output_field=IntegerField(),
    )


def by_group(programme, *, now=None, countries_limit=15):
    """(by organisation type, by country — the first `countries_limit`), each a list of
    Group, most meetings first: one row per person taking part, read in 1 query."""
    now = now or timezone.now()
    requests = MeetingRequest.objects.filter(programme=programme)
    status = MeetingRequest.Status
    held = MeetingSeat.objects.filter(
        meeting__status=Meeting.Status.SCHEDULED,
        meeting__not_held_at__isnull=True,
        time__ends_at__lte=now,
    )
    counted = ("sent", "received", "accepted", "declined", "expired", "meetings", "held")
    rows = (
        Registration.objects.filter(edition_id=programme.edition_id, b2b_profile__isnull=False)
        .exclude(b2b_profile__status=Profile.Status.LEFT)
        .annotate(
            sent=_count(requests, "sender"),
            received=_count(requests, "recipient"),
            accepted=_count(requests.filter(status=status.ACCEPTED), "recipient"),
            declined=_count(requests.filter(status=status.DECLINED), "recipient"),
            expired=_count(requests.filter(status=status.EXPIRED), "recipient"),
            meetings=_count(MeetingSeat.objects.all(), "registration"),
            held=_count(held, "registration"),
        )
        .values_list("organisation_type", "country", *counted)
    )
    kinds = dict(Registration.OrganisationType.choices)
    types, places = {}, {}
    for kind, country, *figures in rows:
        for groups, key, label in ((types, kind, kinds.get), (places, country, countries.name)):
            group = groups.get(key)
            if group is None:  # the label once per group, not per person
                group = groups[key] = Group(str(label(key) or key))
            group.profiles += 1
            for name, value in zip(counted, figures, strict=True):
                setattr(group, name, getattr(group, name) + value)

    def order(groups):
        return sorted(groups.values(), key=lambda g: (-g.meetings, -g.profiles, g.label))

    return order(types), order(places)[:countries_limit]


def most_requested_themes(programme, limit=10):
    """[(theme, requests received by people with that theme)], most first (1 query)."""
    themes = (
        Theme.objects.annotate(
            n=Count(
                "profile__registration__b2b_received",
                filter=Q(profile__registration__b2b_received__programme=programme),
            )
        )
        .filter(n__gt=0)
        .order_by("-n", "position", "pk")[:limit]
    )
    return [(str(theme), theme.n) for theme in themes]


def b2b_figures(edition, now=None):
    """Everything the dashboard's B2B part shows, or None without a B2B programme."""
    programme = Programme.objects.filter(edition=edition).first()
    if programme is None:
        return None
    now = now or timezone.now()
    requests = request_counts(programme)
    meetings = meeting_counts(programme, now)
    meetings["to_place"] = requests["to_place"]
    types, places = by_group(programme, now=now)
    themes = most_requested_themes(programme)
    request_rows = [
        (_("Envoyées"), requests["sent"]),
        (_("En attente"), requests["pending"]),
        (_("Acceptées"), requests["accepted"]),
        (_("Déclinées"), requests["declined"]),
        (_("Expirées"), requests["expired"]),
        (_("Annulées"), requests["cancelled"]),
    ]
    meeting_rows = [
        (_("Placés"), meetings["placed"]),
        (_("Tenus"), meetings["held"]),
        (_("N'ont pas eu lieu"), meetings["not_held"]),
        (_("À venir"), meetings["to_come"]),
        (_("Acceptés, à placer"), meetings["to_place"]),
    ]
    return {
        "profiles": profile_counts(programme),
        "requests": requests,
        "request_rows": request_rows,
        "requests_chart": charts.horizontal_bars(request_rows),
        "meetings": meetings,
        "meeting_rows": meeting_rows,
        "meetings_chart": charts.horizontal_bars(meeting_rows),
        "types": types,
        "types_chart": charts.horizontal_bars([(g.label, g.meetings) for g in types]),
        "countries": places,
        "countries_chart": charts.horizontal_bars([(g.label, g.meetings) for g in places]),
        "themes": themes,
        "themes_chart": charts.horizontal_bars(themes),
    }
