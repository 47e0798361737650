"""Public programme pages and calendar files: parse the request, call a query, render."""

from datetime import date

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone

from rencontres.http import CalendarResponse

from . import cards, exports, ical, queries
from .pagecache import cached_page

# How often the venue's screens reload « Maintenant / ensuite » (a 304 when nothing changed).
NOW_REFRESH_SECONDS = 60


def parse_day(value, days):
    """The day among ``days`` that ``value`` names (2026-07-08), or None."""
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return day if day in days else None


def programme_filters(request):
    """The programme's filters in the query string, validated and canonical ({"jour":
    "2026-07-08", "type": "atelier"}), without a day outside the edition or a type the
    programme does not offer: the page ignores those, so it is the page without them,
    under the same cache key (no query on a cache hit: see queries.programme_choices)."""
    day, type_slug = request.GET.get("jour"), request.GET.get("type")
    if not day and not type_slug:
        return {}
    choices = queries.programme_choices()
    filters = {}
    if day := parse_day(day, choices.days):
        filters["jour"] = day.isoformat()
    if type_slug in choices.type_slugs:
        filters["type"] = type_slug
    return filters


@cached_page()
def pre_programme(request):
    edition = queries.current_edition()
    return TemplateResponse(
        request,
        "events/pre_programme.html",
        {"edition": edition, "days": queries.slots_by_day(edition)},
    )


@cached_page(query=programme_filters)
def programme(request):
    edition = queries.current_edition()
    filters = request.page_query
    day = date.fromisoformat(filters["jour"]) if "jour" in filters else None
    prog = queries.programme_page(edition, day=day, type_slug=filters.get("type"))
    html = cards.render_page(
        request,
        "events/programme.html",
        {"edition": edition, "programme": prog},
        key=(
            queries.edition_stamp(edition),
            prog.shape,
            request.path,
            tuple(sorted(filters.items())),
        ),
        days=prog.days,
    )
    return HttpResponse(html)


@cached_page()
def session_detail(request, code):
    edition = queries.current_edition()
    session = queries.session_detail(edition, code)
    return TemplateResponse(
        request, "events/session_detail.html", {"edition": edition, "session": session}
    )


def screen_mode(request):
    """?ecran=1: the variant for the venue's screens, which reloads itself every minute
    (a page that reloads under a reader is a barrier for everyone else: WCAG 2.2.1)."""
    return {"ecran": "1"} if request.GET.get("ecran") == "1" else {}


@cached_page(query=screen_mode)
def now_and_next(request):
    edition = queries.current_edition()
    now = timezone.now()
    response = TemplateResponse(
        request,
        "events/now.html",
        {
            "edition": edition,
            "now": now,
            "board": queries.now_and_next(edition, now),
            "screen": bool(request.page_query),
            "refresh_seconds": NOW_REFRESH_SECONDS,
        },
    )
    # Cached until a session starts or ends, the only moments the page changes.
    response.cache_until = response.context_data["board"].changes_at
    return response


@cached_page()
def partners(request):
    edition = queries.current_edition()
    return TemplateResponse(
        request,
        "events/partners.html",
        {"edition": edition, "partners": queries.partners_of(edition)},
    )


@cached_page()
def type_styles(request):
    """Colours of the session types, editable in admin, as a stylesheet (no inline style)."""
    content = render_to_string("events/type_styles.css", {"types": queries.session_types()})
    return HttpResponse(content, content_type="text/css; charset=utf-8")


@cached_page()
def programme_ics(request):
    edition = queries.current_edition()
    content = ical.edition_calendar(
        edition,
        queries.sessions_of(edition),
        name=edition.short_title,
        site_url=settings.SITE_URL,
        stamp=timezone.now(),
    )
    return CalendarResponse(content, filename=f"rencontres-aict-{edition.start_date:%Y}.ics")


@cached_page()
def session_ics(request, code):
    edition = queries.current_edition()
    session = queries.session_detail(edition, code)
    content = ical.edition_calendar(
        edition,
        [session],
        name=f"{edition.short_title} — {session.title}",
        site_url=settings.SITE_URL,
        stamp=timezone.now(),
    )
    return CalendarResponse(content, filename=f"session-{session.code.lower()}.ics")


def _schedule():
    edition = queries.current_edition()
    sessions = list(queries.with_speakers(queries.sessions_of(edition)))
    latest = max([edition.updated_at, *(s.updated_at for s in sessions)])
    return exports.schedule_data(
        edition, sessions, base_url=settings.SITE_URL, version=f"{latest:%Y-%m-%d %H:%M:%S}"
    )


@cached_page()
def schedule_json(request):
    return HttpResponse(
        exports.schedule_json(_schedule()), content_type="application/json; charset=utf-8"
    )


@cached_page()
def schedule_xml(request):
    return HttpResponse(
        exports.schedule_xml(_schedule(), url=settings.SITE_URL + request.path),
        content_type="application/xml; charset=utf-8",
    )


@cached_page()
def archives(request):
    return TemplateResponse(
        request,
        "events/archives.html",
        {"edition": queries.current_edition(), "archives": queries.archived_editions()},
    )


@cached_page()
def archive(request, number):
    """A past edition: its programme (sessions in full, no booking) and practical
    information, without registration."""
    past = queries.archived_edition(number)
    return TemplateResponse(
        request,
        "events/archive.html",
        {
            "edition": queries.current_edition(),
            "past": past,
            "programme": queries.programme(past),
            "access_options": queries.access_options_of(past.venue),
            "partners": queries.partners_of(past),
        },
    )
