"""The figures of the staff dashboard (one or two queries each)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone
from django_countries import countries

from registration.models import AttendanceDay, Registration

from . import charts, heartbeat
from .b2b_figures import b2b_figures
from .models import CheckIn
from .queries import session_fill


def registrations_per_day(edition, today):
    live = Registration.objects.filter(edition=edition).exclude(
        status=Registration.Status.CANCELLED
    )
    counts = dict(
        live.annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    start = timezone.localdate(edition.registration_opens_at)
    end = min(today, edition.end_date)
    if counts:  # staff may add people before the opening or after the event
        start, end = min(start, min(counts)), max(end, max(counts))
    days, day = [], start
    while day <= end:
        days.append((day, counts.get(day, 0)))
        day += timedelta(days=1)
    return days


def _by(edition, field, choices=None, limit=None):
    rows = (
        Registration.objects.filter(edition=edition)
        .exclude(status=Registration.Status.CANCELLED)
        .values_list(field)
        .annotate(n=Count("pk"))
        .order_by("-n", field)
    )
    if limit:
        rows = rows[:limit]
    labels = dict(choices or [])
    return [(str(labels.get(value, value)), n) for value, n in rows]


def by_country(edition, limit=15):
    return [(countries.name(code) or code, n) for code, n in _by(edition, "country", limit=limit)]


def elected_share(edition):
    live = Registration.objects.filter(edition=edition).exclude(
        status=Registration.Status.CANCELLED
    )
    figures = live.aggregate(total=Count("pk"), elected=Count("pk", filter=Q(is_elected=True)))
    total, elected = figures["total"], figures["elected"]
    return {
        "total": total,
        "elected": elected,
        "percent": round(100 * elected / total) if total else 0,
    }


@dataclass(frozen=True)
class EventDay:
    """One day of the event: who is expected (confirmed and registered for that day), how
    many of them take the lunch, and how many have come in so far."""

    day: date
    expected: int
    lunch: int
    arrived: int

    @property
    def percent(self):
        return round(100 * self.arrived / self.expected) if self.expected else 0


def event_days(edition):
    """[EventDay] for each day of the edition (2 queries, whatever the number of people)."""
    expected = {
        row["day"]: row
        for row in AttendanceDay.objects.filter(
            registration__edition=edition, registration__status=Registration.Status.CONFIRMED
        )
        .values("day")
        .annotate(n=Count("pk"), lunch=Count("pk", filter=Q(registration__lunch=True)))
        .order_by()
    }
    arrived = dict(
        CheckIn.objects.filter(registration__edition=edition)
        .values_list("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        EventDay(
            day,
            expected.get(day, {}).get("n", 0),
            expected.get(day, {}).get("lunch", 0),
            arrived.get(day, 0),
        )
        for day in edition.days
    ]


def checkins_per_hour(edition):
    """{day: [(hour label, arrivals)]} for the event days (hours 7 to 19)."""
    rows = (
        CheckIn.objects.filter(registration__edition=edition)
        .annotate(hour=ExtractHour("at", tzinfo=timezone.get_current_timezone()))
        .values_list("day", "hour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = {(day, hour): n for day, hour, n in rows}
    return {
        day: [(f"{hour}h", found.get((day, hour), 0)) for hour in range(7, 20)]
        for day in edition.days
    }


def dashboard(edition, today=None):
    today = today or timezone.localdate()
    per_day = registrations_per_day(edition, today)
    organisation_types = _by(edition, "organisation_type", Registration.OrganisationType.choices)
    by_countries = by_country(edition)
    fill = [f for f in session_fill(edition) if f.capacity]
    per_hour = checkins_per_hour(edition)
    return {
        "worker_running": heartbeat.worker_running(),
        "worker_last_seen": heartbeat.last_seen(),
        "event_days": event_days(edition),
        "per_day": per_day,
        "per_day_chart": charts.cumulative_line(per_day),
        "total": sum(n for _d, n in per_day),
        "organisation_types": organisation_types,
        "organisation_types_chart": charts.horizontal_bars(organisation_types),
        "countries": by_countries,
        "countries_chart": charts.horizontal_bars(by_countries),
        "elected": elected_share(edition),
        "fill": fill,
        "fill_chart": charts.horizontal_bars(
            [(str(f.session.title), f.percent, f"{f.confirmed}/{f.capacity}") for f in fill],
            maximum=100,
        ),
        "per_hour": [(day, rows, charts.columns(rows)) for day, rows in per_hour.items()],
        "b2b": b2b_figures(edition),
    }
