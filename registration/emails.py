"""The one place that sends mail to attendees.

Each message is written to the outbox (OutgoingEmail) in the same transaction as the change
that causes it, with a task to send it, and rendered by the worker in the attendee's
language from a template of templates/registration/email/: if the change rolls
back, so does its message; if it commits, the message is never lost. The task worker
(`manage.py db_worker`) sends it; a temporary failure (server down, timeout) is retried
after 1, 5, 15, 60 and 240 minutes, a refused address is marked failed at once. A row is
sent at most once per claim, with a stable Message-ID; staff see each message's state in
admin and can send it again.

Sending holds no transaction: the worker claims the row (an atomic conditional UPDATE to
"sending", until a claim expiry, past which a dead worker's claim is taken over), commits,
talks to the SMTP server, then records the outcome in a short transaction.
"""

import logging
import smtplib
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .agenda import personal_calendar
from .models import AccessKey, OutgoingEmail

logger = logging.getLogger(__name__)

# The server refused the message itself: trying again will not help.
PERMANENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)

# How long a worker may take to send one message before another may take it over: far more
# than an SMTP conversation with a 10 s timeout on each step.
CLAIM = timedelta(minutes=15)


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


def claim(email_id, now=None):
    """Take a message for sending: one atomic conditional UPDATE, so that one worker only
    gets it per claim. With it, a task that runs when the claim expires: if this worker dies
    while sending, that task takes the message over. Returns the claim's expiry, or None
    (sent already, given up, not due yet, or claimed by another worker)."""
    from .tasks import deliver_email

    now = now or timezone.now()
    until = now + CLAIM
    due = Q(status=OutgoingEmail.Status.PENDING) & (Q(retry_at__isnull=True) | Q(retry_at__lte=now))
    abandoned = Q(status=OutgoingEmail.Status.SENDING, claimed_until__lte=now)
    with transaction.atomic():
        claimed = (
            OutgoingEmail.objects.filter(due | abandoned, pk=email_id).update(
                status=OutgoingEmail.Status.SENDING,
                claimed_until=until,
                attempts=F("attempts") + 1,
            )
            == 1
        )
        if claimed:
            deliver_email.using(run_after=until).enqueue(email_id)
    return until if claimed else None


def deliver(email_id):
    """Send one outbox message (the task's work). Returns its state afterwards, or None
    when there was nothing to do. No transaction is open while the SMTP server talks."""
    claimed_until = claim(email_id)
    if claimed_until is None:
        return None
    email = OutgoingEmail.objects.select_related("registration__edition").get(pk=email_id)
    error = None
    try:
        if not email.body:
            render(email)
        build_message(email).send()
    except Exception as exc:  # recorded below: retried, or given up
        error = exc
        if not isinstance(exc, OSError | smtplib.SMTPException):
            logger.exception("Email %s could not be built", email.pk)
    return _record(email, claimed_until, error)


def _record(email, claimed_until, error):
    """Write what happened to a claimed message, in one short transaction."""
    from .tasks import deliver_email

    now = timezone.now()
    fields = {
        "subject": email.subject,
        "body": email.body,
        "html_body": email.html_body,
        "reply_to": email.reply_to,
        "claimed_until": None,
        "retry_at": None,
    }
    if error is None:
        fields.update(status=OutgoingEmail.Status.SENT, sent_at=now, last_error="")
    else:
        fields.update(status=OutgoingEmail.Status.FAILED, last_error=repr(error)[:2000])
        delays = settings.EMAIL_RETRY_MINUTES
        if isinstance(error, PERMANENT):
            logger.warning("Email %s refused: %s", email.pk, error)
        elif email.attempts > len(delays):
            logger.error("Email %s given up after %s tries", email.pk, email.attempts)
        else:
            fields.update(
                status=OutgoingEmail.Status.PENDING,
                retry_at=now + timedelta(minutes=delays[email.attempts - 1]),
            )
            logger.info("Email %s: %s; retry at %s", email.pk, error, fields["retry_at"])
    with transaction.atomic():
        recorded = OutgoingEmail.objects.filter(
            pk=email.pk, status=OutgoingEmail.Status.SENDING, claimed_until=claimed_until
        ).update(**fields)
        if recorded and fields["retry_at"]:
            deliver_email.using(run_after=fields["retry_at"]).enqueue(email.pk)
    if not recorded:
        logger.warning("Email %s: claim expired while sending, taken over", email.pk)
    return fields["status"]


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
