"""The one place that sends mail to attendees.

Each message is written to the outbox (OutgoingEmail) in the same transaction as the change
that causes it, with a task to send it, and rendered by the worker in the attendee's
language from a template of templates/registration/email/: if the change rolls
back, so does its message; if it commits, the message is never lost. The task worker
(`manage.py db_worker`) sends it; a temporary failure (server down, timeout) is retried
after 1, 5, 15, 60 and 240 minutes, a refused address is marked failed at once. A row is
sent at most once (locked, then marked sent) with a stable Message-ID; staff see each
message's state in admin and can send it again.
"""

import logging
import smtplib
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .agenda import personal_calendar
from .models import AccessKey, OutgoingEmail

logger = logging.getLogger(__name__)

# The server refused the message itself: trying again will not help.
PERMANENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def personal_url(token, language, page="manage"):
    with translation.override(language):
        return settings.SITE_URL + reverse(f"registration:{page}", kwargs={"token": token})


def _later(registration, template, **context):
    """Put a message in the outbox, with the task that sends it. It is rendered by the
    worker (in the attendee's language), so a sign-up pays only for two inserts."""
    from .tasks import deliver_email

    email = OutgoingEmail.objects.create(
        registration=registration,
        kind=template,
        to=registration.email,
        context=context,
        message_id=make_msgid(domain=DNS_NAME.get_fqdn()),
    )
    deliver_email.enqueue(email.pk)
    return email


def render(email):
    """Fill in subject, text and HTML from the message's template pair, once."""
    registration = email.registration
    context = {"registration": registration, "edition": registration.edition, **email.context}
    if email.kind == "registration_created":
        context["bookings"] = list(registration.bookings.select_related("session"))
    with translation.override(registration.language):
        text = render_to_string(f"registration/email/{email.kind}.txt", context)
        subject, _sep, body = text.strip().partition("\n")
        email.subject = subject.strip()
        email.body = body.strip() + "\n"
        context["subject"] = email.subject  # the HTML part's <title>
        email.html_body = render_to_string(f"registration/email/{email.kind}.html", context)
    email.reply_to = registration.edition.contact_email


def _attachment(registration):
    with translation.override(registration.language):
        return personal_calendar(registration)


def build_message(email):
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        to=[email.to],
        reply_to=[email.reply_to] if email.reply_to else [],
        headers={"Message-ID": email.message_id},
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    if email.kind == "registration_created" and email.registration_id:
        message.attach(
            "rencontres-aict-agenda.ics",
            _attachment(email.registration),
            "text/calendar; method=PUBLISH; charset=utf-8",
        )
    return message


def deliver(email_id, *, now=None):
    """Send one outbox message (the task's work). Returns its state afterwards."""
    from .tasks import deliver_email

    now = now or timezone.now()
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutgoingEmail.Status.PENDING)
            .first()
        )
        if email is None:  # sent already, given up, or being sent by another worker
            return None
        if not email.body:
            render(email)
        message = build_message(email)
        email.attempts += 1
        try:
            message.send()
        except PERMANENT as error:
            email.status = OutgoingEmail.Status.FAILED
            email.last_error = repr(error)[:2000]
            logger.warning("Email %s refused: %s", email.pk, error)
        except (OSError, smtplib.SMTPException) as error:
            email.last_error = repr(error)[:2000]
            delays = settings.EMAIL_RETRY_MINUTES
            if email.attempts > len(delays):
                email.status = OutgoingEmail.Status.FAILED
                logger.error("Email %s given up after %s tries", email.pk, email.attempts)
            else:
                retry_at = now + timedelta(minutes=delays[email.attempts - 1])
                deliver_email.using(run_after=retry_at).enqueue(email.pk)
                logger.info("Email %s: %s; retry at %s", email.pk, error, retry_at)
        else:
            email.status = OutgoingEmail.Status.SENT
            email.sent_at = now
            email.last_error = ""
        email.save()
        return email.status


def resend(email):
    """Staff: send a message again (a new outbox row, so the first one's history stays)."""
    from .tasks import deliver_email

    copy = OutgoingEmail.objects.create(
        registration=email.registration,
        kind=email.kind,
        to=email.to,
        context=email.context,
        reply_to=email.reply_to,
        subject=email.subject,
        body=email.body,
        html_body=email.html_body,
        message_id=make_msgid(domain=DNS_NAME.get_fqdn()),
    )
    deliver_email.enqueue(copy.pk)
    return copy


def _link(registration):
    """A fresh link for a message sent outside a sign-up (the old ones keep working)."""
    return personal_url(AccessKey.issue(registration), registration.language)


def _links(registration, token=None):
    """The personal page and badge links of a message (a new key unless one is given)."""
    token = token or AccessKey.issue(registration)
    return {
        "url": personal_url(token, registration.language),
        "badge_url": personal_url(token, registration.language, "badge"),
    }


def registration_created(registration, token):
    _later(registration, "registration_created", **_links(registration, token))


def confirmation_again(registration):
    """Staff: the confirmation once more, with a new personal link (only hashes are kept)."""
    return _later(registration, "registration_created", **_links(registration))


def registration_changed(registration, changes):
    _later(registration, "registration_changed", url=_link(registration))
    promotions(changes)


def registration_cancelled(registration, changes):
    _later(registration, "registration_cancelled")
    promotions(changes)


def promotions(changes):
    """Tell those who got a place or a seat from the waiting list."""
    for registration in changes.promoted_registrations:
        _later(registration, "registration_promoted", **_links(registration))
    for booking in changes.promoted_bookings:
        registration = booking.registration
        _later(
            registration,
            "booking_promoted",
            session_title=booking.session.title,
            url=_link(registration),
        )


def access_link(registration, token, *, duplicate_signup=False):
    _later(
        registration,
        "access_link",
        url=personal_url(token, registration.language),
        duplicate_signup=duplicate_signup,
    )
