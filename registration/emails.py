"""The one place that sends mail to attendees.

Each message is rendered in the attendee's language from a template of
templates/registration/email/ and sent once the transaction that caused it commits.
Sending happens in the request for now: a failure is logged and never shown to the user;
the outbox with retries (the email issue) will replace `_send`.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import AccessKey

logger = logging.getLogger(__name__)


def personal_url(token, language):
    with translation.override(language):
        return settings.SITE_URL + reverse("registration:manage", kwargs={"token": token})


def _message(registration, template, context):
    with translation.override(registration.language):
        text = render_to_string(
            f"registration/email/{template}.txt",
            {"registration": registration, "edition": registration.edition, **context},
        )
    subject, _sep, body = text.strip().partition("\n")
    return EmailMessage(
        subject=subject.strip(),
        body=body.strip() + "\n",
        to=[registration.email],
        reply_to=[registration.edition.contact_email],
    )


def _send(message):
    try:
        message.send()
    except Exception:  # the change is saved whatever happens to its email
        logger.exception("Email to %s not sent", message.to)


def _later(registration, template, **context):
    message = _message(registration, template, context)
    transaction.on_commit(lambda: _send(message))


def _link(registration):
    """A fresh link for a message sent outside a sign-up (the old ones keep working)."""
    return personal_url(AccessKey.issue(registration), registration.language)


def on_commit_registration_created(registration, token, bookings):
    _later(
        registration,
        "registration_created",
        url=personal_url(token, registration.language),
        bookings=bookings,
    )


def on_commit_registration_changed(registration, changes):
    _later(registration, "registration_changed", url=_link(registration))
    _promotions(changes)


def on_commit_registration_cancelled(registration, changes):
    _later(registration, "registration_cancelled")
    _promotions(changes)


def _promotions(changes):
    for registration in changes.promoted_registrations:
        _later(registration, "registration_promoted", url=_link(registration))
    for booking in changes.promoted_bookings:
        registration = booking.registration
        _later(registration, "booking_promoted", booking=booking, url=_link(registration))


def on_commit_access_link(registration, token, *, duplicate_signup=False):
    _later(
        registration,
        "access_link",
        url=personal_url(token, registration.language),
        duplicate_signup=duplicate_signup,
    )
