"""Addresses no page can answer, refused before any view (400, with a message saying why)
instead of ending in a server error deep inside a query."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

# The admin's date hierarchy (…__year, …__month, …__day): Django steps to the next year,
# month or day without bounds checks, then converts to UTC, so a year 1 or 9999, or a
# twenty-digit month, ends in OverflowError. The ranges where neither overflows:
DATE_PARTS = {"__year": (2, 9998), "__month": (1, 12), "__day": (1, 31)}


def nul_in(request):
    """A NUL character in the path or the query string: no address of the site has one,
    and PostgreSQL refuses it in any query (a view or an admin list filter passing it on
    would be a server error)."""
    return "\x00" in request.path or any(
        "\x00" in name or any("\x00" in value for value in values)
        for name, values in request.GET.lists()
    )


def impossible_date_part(request):
    """The first date-hierarchy parameter of an admin address that is a number out of
    range, as (name, value); numbers only: Django's admin answers other text itself.
    The parameters are looked at first: most requests have none, and reversing the
    admin's address costs more than the rest of this check (some 30 µs a request)."""
    parts = [
        (name, values, bounds)
        for name, values in request.GET.lists()
        for suffix, bounds in DATE_PARTS.items()
        if name.endswith(suffix)
    ]
    if not parts or not request.path.startswith(reverse("admin:index")):
        return None
    for name, values, bounds in parts:
        for value in values:
            try:
                number = int(value)
            except ValueError:
                continue
            if not bounds[0] <= number <= bounds[1]:
                return name, value
    return None


class UnusableAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if nul_in(request):
            return bad_request(_("Adresse invalide : elle contient un caractère nul."))
        if found := impossible_date_part(request):
            name, value = found
            return bad_request(
                _("Adresse invalide : %(name)s=%(value)s n'est pas une date possible.")
                % {"name": Truncator(name).chars(40), "value": Truncator(value).chars(40)}
            )
        return self.get_response(request)


def bad_request(message):
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def body_limit(request):
    """The largest request body this address accepts: the admin's, whose forms carry the
    staff's uploads (a programme PDF), or everyone else's."""
    if request.path.startswith(reverse("admin:index")):
        return settings.ADMIN_REQUEST_BODY_MAX_BYTES
    return settings.REQUEST_BODY_MAX_BYTES


class RequestSizeMiddleware:
    """A request announcing a body larger than its address accepts is answered 413 before
    any of it is read. Django caps the fields of a form (DATA_UPLOAD_MAX_MEMORY_SIZE) but
    streams the files of a multipart body, of any size, to disk, and the CSRF check reads
    a POST's body before refusing it: without this, anyone could fill the disk. A body
    without a length is not read at all (Django reads CONTENT_LENGTH bytes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return bad_request(_("Adresse invalide : longueur du contenu illisible."))
        if length > settings.REQUEST_BODY_MAX_BYTES and length > (limit := body_limit(request)):
            return HttpResponse(
                _("Requête trop volumineuse : %(limit)s au plus.")
                % {"limit": filesizeformat(limit)},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
