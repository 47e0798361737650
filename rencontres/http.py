"""HTTP helpers shared by the apps (a leaf module: it imports no app of the project)."""

import hashlib

from django.http import HttpResponse
from django.utils.http import parse_etags


def etag_of(content):
    """A strong ETag for these bytes."""
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def not_modified(request, etag):
    """Whether the client's If-None-Match already names this ETag."""
    if_none_match = request.headers.get("If-None-Match")
    return bool(if_none_match) and (
        etag in parse_etags(if_none_match) or if_none_match.strip() == "*"
    )


class CalendarResponse(HttpResponse):
    """An .ics file, downloaded under the given name."""

    def __init__(self, content, *, filename):
        super().__init__(content, content_type="text/calendar; charset=utf-8")
        self["Content-Disposition"] = f'attachment; filename="{filename}"'
