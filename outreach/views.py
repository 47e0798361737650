"""The attendee's answer to a reconfirmation, from the email's link: no login, the link's
secret is the key. GET shows what the button will do; only POST changes anything."""

import contextlib

from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from registration.services import RegistrationClosed, allows

from . import services
from .models import ReconfirmationKey


@require_http_methods(["GET", "POST"])
@never_cache
def reconfirm(request, token, coming):
    row = ReconfirmationKey.objects.find(token)
    if row is None:
        raise Http404("No such link")
    registration = row.registration
    closed = not allows(registration.edition, "cancel")
    if request.method == "POST" and not closed:
        # The event may end meanwhile (RegistrationClosed): the page then says so.
        with contextlib.suppress(RegistrationClosed):
            services.reconfirmation_answer(reconfirmation=row, coming=coming)
        return redirect(request.path)
    response = TemplateResponse(
        request,
        "outreach/reconfirm.html",
        {
            "edition": registration.edition,
            "row": row,
            "registration": registration,
            "coming": coming,
            "closed": closed,
        },
    )
    response["Referrer-Policy"] = "same-origin"  # the form posts with its Origin
    response["Cache-Control"] = "private, no-store"
    return response
