"""Attestations de présence: the attendee's own PDF (by their secret link, once an arrival
was recorded) and the public page that confirms a verification code."""

from django.http import Http404
from django.template.response import TemplateResponse

from events.queries import current_edition
from registration.views import personal

from .. import attestations


@personal(cache_control="private, no-store")
def personal_attestation(request, registration, token):
    try:
        issued = attestations.attestation_issue(registration=registration)
    except attestations.NoAttendance:
        raise Http404("No arrival recorded") from None
    return attestations.attestations_response([issued])


def verify(request, code):
    """Valid: the person's name and the days attested, nothing else. Anything else: 404."""
    attestation = attestations.attestation_find(code[:100])
    context = {"edition": current_edition(), "attestation": attestation}
    if attestation is not None:
        context["name"] = attestation.registration.full_name
        context["days"] = attestations.attested_days(attestation)
    response = TemplateResponse(
        request,
        "staff/attestation_verify.html",
        context,
        status=200 if attestation else 404,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response
