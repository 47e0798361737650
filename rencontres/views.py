"""Site-wide pages: home, editorial, practical information, privacy notice, legal notice,
accessibility statement, errors."""

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language

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


def admin_in_language(request):
    """`/en/admin/` (`/fr/admin/`): the admin in that language from now on, back on the
    admin page given by `?next=` (the admin's home otherwise).

    The admin and the staff tools live outside the language prefixes, at `/admin/`, where
    the language comes from the language cookie (then the browser's languages): this sets
    the cookie to the prefix's language. Every admin page links here for the other language
    (templates/admin/base_site.html). Only `/en/admin/` itself exists, not the admin's
    pages under a prefix: a missing admin page stays a 404 (the locale middleware would
    otherwise send it to a prefixed address that exists)."""
    admin_root = reverse("admin:index")
    target = request.GET.get("next", "")
    if not target.startswith(admin_root) or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = admin_root
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        get_language(),
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    response["Cache-Control"] = "no-store"
    return response
