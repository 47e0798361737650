"""Attestations de présence: proof for an employer that someone came, in their language, from
their personal page after a check-in, or issued by staff from the admin.

The verification code printed on an attestation is 128 random bits (22 URL-safe characters)
rather than a signed value: it stays valid whatever happens to SECRET_KEY, it says nothing
about the person, it cannot be guessed (2^128 tries), and only its SHA-256 is kept, so the
database does not hold a working code. Each PDF drawn mints its own code (a new
Attestation row); the public page at its URL confirms the attestation showing the
person's name and the days attested, nothing else.
"""

import hashlib
import secrets
from datetime import date

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from registration.badges import qr_data_uri, render_pdf
from registration.models import Booking

from .models import Attestation, CheckIn

STYLESHEET = settings.BASE_DIR / "static" / "css" / "attestation.css"
CODE_BYTES = 16  # 128 bits
CODE_LENGTH = 22  # secrets.token_urlsafe(16)
CODE_CHARACTERS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class NoAttendance(Exception):
    """No arrival recorded for this person: nothing to attest."""


def _hash(code):
    return hashlib.sha256(code.encode()).hexdigest()


def days_attended(registration):
    return sorted(CheckIn.objects.filter(registration=registration).values_list("day", flat=True))


def attestation_issue(*, registration, by=None, now=None):
    """A new attestation of the days `registration` checked in: (Attestation, code). Raises
    NoAttendance when no arrival was recorded (a cancelled registration has none to show
    either: cancelling comes before the event)."""
    days = days_attended(registration)
    if not days or registration.status != registration.Status.CONFIRMED:
        raise NoAttendance(registration.pk)
    code = secrets.token_urlsafe(CODE_BYTES)
    attestation = Attestation.objects.create(
        registration=registration,
        code_hash=_hash(code),
        days=[day.isoformat() for day in days],
        issued_at=now or timezone.now(),
        issued_by=by,
    )
    return attestation, code


def attestation_find(code):
    """The attestation a verification code belongs to, or None (any text: no error)."""
    if len(code) != CODE_LENGTH or not set(code) <= CODE_CHARACTERS:
        return None
    return (  # an erased person's attestations confirm nothing any more
        Attestation.objects.filter(code_hash=_hash(code), registration__anonymised_at__isnull=True)
        .select_related("registration__edition")
        .first()
    )


def attested_days(attestation):
    return [date.fromisoformat(day) for day in attestation.days]


def sessions_attended(registration, days):
    """The sessions this person held a confirmed seat in on the days they came."""
    return [
        booking.session
        for booking in Booking.objects.filter(
            registration=registration, status=Booking.Status.CONFIRMED
        )
        .select_related("session__room")
        .order_by("session__starts_at")
        if timezone.localdate(booking.session.starts_at) in days
    ]


def verification_url(code, language):
    with translation.override(language):
        return settings.SITE_URL + reverse("attendance:verify", kwargs={"code": code})


def attestation_html(attestation, code):
    registration = attestation.registration
    days = attested_days(attestation)
    language = registration.language or "fr"
    url = verification_url(code, language)
    with translation.override(language):
        return render_to_string(
            "staff/attestation.html",
            {
                "attestation": attestation,
                "registration": registration,
                "edition": registration.edition,
                "days": days,
                "sessions": sessions_attended(registration, days),
                "code": code,
                "url": url,
                "qr": qr_data_uri(url),
                "language": language,
            },
        )


def attestations_pdf(issued):
    """One PDF of the attestations in `issued` ((Attestation, code) pairs), a page each."""
    pages = [attestation_html(attestation, code) for attestation, code in issued]
    if len(pages) == 1:
        html = pages[0]
    else:  # one document: the pages' bodies one after the other
        bodies = [page.split("<body>", 1)[1].rsplit("</body>", 1)[0] for page in pages]
        html = pages[0].split("<body>", 1)[0] + "<body>" + "".join(bodies) + "</body></html>"
    return render_pdf(html, stylesheets=(STYLESHEET,))


def attestations_response(issued, *, filename="attestation-de-presence.pdf"):
    response = HttpResponse(attestations_pdf(issued), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
