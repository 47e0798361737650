"""The one place that sends mail to attendees.

Each message is written to the outbox (OutgoingEmail) in the same transaction as the change
that causes it, with a task to send it: if the change rolls back, so does its message; if it
commits, the message is never lost. The task worker (`manage.py db_worker`) renders it in
the attendee's language from a template of templates/registration/email/ and sends it; a
temporary failure (server down, timeout) is retried after 1, 5, 15, 60 and 240 minutes, a
refused address is marked failed at once.

No secret is ever stored: a message that carries a personal link (LINKED) gets a fresh key
from the worker right before it is sent, and the outbox keeps the message with that link cut
after its selector (`…/espace/<selector>-…/`). Messages that only inform (a change, a
cancellation, a seat freed) carry no link: they point to « lien perdu ».

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

from . import hooks
from .agenda import personal_calendar
from .models import AccessKey, OutgoingEmail, Registration

logger = logging.getLogger(__name__)

# The server refused the message itself: trying again will not help.
PERMANENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)

# The messages that carry a personal link (a key minted when each is sent): the sign-up
# confirmation (and staff's « renvoyer la confirmation »), « lien perdu », and a place given
# from the edition's waiting list (the badge is now available).
LINKED = frozenset({"registration_created", "access_link", "registration_promoted"})

# How long a worker may take to send one message before another may take it over: far more
# than an SMTP conversation with a 10 s timeout on each step.
CLAIM = timedelta(minutes=15)

# What replaces a link's secret half in what is stored.
STORED_PLACEHOLDER = "…"


def personal_url(token, language, page="manage"):
    with translation.override(language):
        return settings.SITE_URL + reverse(f"registration:{page}", kwargs={"token": token})


def lost_link_url(language):
    with translation.override(language):
        return settings.SITE_URL + reverse("registration:lost_link")


def _later(registration, template, **context):
    """Put a message in the outbox, with the task that sends it. It is rendered by the
    worker (in the attendee's language), so a sign-up pays only for two inserts. The
    context is stored and shown to staff: never put a secret in it."""
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


def outbox_add(registration, kind, **context):
    """Put a message of another app in the outbox (its kind names its templates, e.g.
    "meetings/email/request_received": .txt and .html). Same rules as _later."""
    return _later(registration, kind, **context)


def _template(kind):
    return kind if "/" in kind else f"registration/email/{kind}"


def render(email, *, token=None):
    """Fill in subject, text and HTML from the message's template pair; `token` gives the
    personal page and badge links."""
    registration = email.registration
    language = registration.language
    context = {
        "registration": registration,
        "edition": registration.edition,
        "lost_link_url": lost_link_url(language),
        **email.context,
    }
    if token:
        context["token"] = token  # for other pages' links; cut from what is stored
        context["site_url"] = settings.SITE_URL
        context["url"] = personal_url(token, language)
        context["badge_url"] = personal_url(token, language, "badge")
    if email.kind == "registration_created":
        context["bookings"] = list(registration.bookings.select_related("session"))
    with translation.override(language):
        text = render_to_string(f"{_template(email.kind)}.txt", context)
        subject, _sep, body = text.strip().partition("\n")
        email.subject = subject.strip()
        email.body = body.strip() + "\n"
        context["subject"] = email.subject  # the HTML part's <title>
        email.html_body = render_to_string(f"{_template(email.kind)}.html", context)
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
    calendar = email.kind == "registration_created" or email.kind in hooks.calendar_emails
    if calendar and email.registration_id:
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
    token, error = None, None
    try:
        if email.kind in LINKED or email.kind in hooks.linked_emails:
            token = AccessKey.issue(email.registration)
        render(email, token=token)
        build_message(email).send()
    except Exception as exc:  # recorded below: retried, or given up
        error = exc
        if not isinstance(exc, OSError | smtplib.SMTPException):
            logger.exception("Email %s could not be built", email.pk)
    if token:
        selector = token.partition("-")[0]
        stored = f"{selector}-{STORED_PLACEHOLDER}"
        email.body = email.body.replace(token, stored)
        email.html_body = email.html_body.replace(token, stored)
        if error is not None:
            # The link never reached the person: it must not outlive this try.
            AccessKey.objects.filter(selector=selector).delete()
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
    """Staff: send a message again (a new outbox row, so the first one's history stays).
    It is rendered anew by the worker, with a fresh link if it carries one. None for a
    message whose registration is gone."""
    if email.registration is None:
        return None
    return _later(email.registration, email.kind, **email.context)


def registration_created(registration):
    _later(registration, "registration_created")


def confirmation_again(registration):
    """Staff: the confirmation once more, with a new personal link (minted when sent)."""
    return _later(registration, "registration_created")


def registration_changed(registration, changes):
    _later(registration, "registration_changed")
    promotions(changes)


def registration_cancelled(registration, changes):
    _later(registration, "registration_cancelled")
    promotions(changes)


def promotions(changes):
    """Tell those who got a place or a seat from the waiting list."""
    for registration in changes.promoted_registrations:
        _later(registration, "registration_promoted")
    for booking in changes.promoted_bookings:
        _later(booking.registration, "booking_promoted", session_title=booking.session.title)


def access_link(edition, address, *, duplicate_signup=False):
    """« Lien perdu », or a sign-up with an address already registered: queue the look-up.
    The request that calls this does the same work whether or not the address is
    registered; the worker finds out (access_link_lookup)."""
    from .tasks import send_access_link

    send_access_link.enqueue(edition.pk, address, duplicate_signup)


def access_link_lookup(edition_id, address, *, duplicate_signup=False):
    """The worker's half of access_link: a message with a fresh link if the address has a
    live registration of the edition, nothing otherwise."""
    registration = (
        Registration.objects.filter(edition_id=edition_id, email__iexact=address)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )
    if registration is not None:
        _later(registration, "access_link", duplicate_signup=duplicate_signup)
