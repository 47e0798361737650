"""Site-wide pages: home, editorial, practical information, privacy notice, legal notice,
accessibility statement, errors."""

from django.conf import settings
from django.http import Http404
from django.template.response import TemplateResponse

from events import queries
from events.pagecache import cached_page


@cached_page()
def home(request):
    edition = queries.current_edition()
    response = TemplateResponse(
        request,
        "rencontres/home.html",
        {
            "edition": edition,
            "registration_state": edition.registration_state(),
            "formats": queries.formats(),
            "partners": queries.partners_of(edition),
        },
    )
    # The registration button changes when registration opens or closes.
    response.cache_until = edition.next_state_change()
    return response


@cached_page()
def editorial(request):
    return TemplateResponse(
        request, "rencontres/editorial.html", {"edition": queries.current_edition()}
    )


@cached_page()
def practical(request):
    edition = queries.current_edition()
    return TemplateResponse(
        request,
        "rencontres/practical.html",
        {"edition": edition, "access_options": queries.access_options_of(edition.venue)},
    )


@cached_page()
def privacy(request):
    return TemplateResponse(
        request, "rencontres/privacy.html", {"edition": queries.current_edition()}
    )


@cached_page()
def legal_notice(request):
    return TemplateResponse(
        request, "rencontres/legal_notice.html", {"edition": queries.current_edition()}
    )


@cached_page()
def accessibility(request):
    return TemplateResponse(
        request,
        "rencontres/accessibility.html",
        {"edition": queries.current_edition(), "site_url": settings.SITE_URL},
    )


def not_found(request, exception):
    """The 404 page, in the site's design and language."""
    try:
        edition = queries.current_edition()
    except Http404:
        edition = None
    return TemplateResponse(request, "404.html", {"edition": edition}, status=404)
