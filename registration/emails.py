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
from collections.abc import Callable
from dataclasses import dataclass
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
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format

from events.ical import CalendarItem
from events.models import Room, Session

from .agenda import personal_calendar
from .models import AccessKey, OutgoingEmail, ProgrammeNotice, Registration, same_address

logger = logging.getLogger(__name__)

# The server refused the message itself: trying again will not help.
PERMANENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)

# The messages that carry a personal link (a key minted when each is sent): the sign-up
# confirmation (and staff's « renvoyer la confirmation »), « lien perdu », and a place given
# from the edition's waiting list (the badge is now available).
LINKED = frozenset({"registration_created", "access_link", "registration_promoted"})

# The messages that carry the person's updated agenda (.ics).
WITH_AGENDA = frozenset({"registration_created", "programme_changed"})

# Programme changes are told this long after the last one, gathered in one message.
NOTICE_DELAY = timedelta(minutes=5)

# How long a worker may take to send one message before another may take it over: far more
# than an SMTP conversation with a 10 s timeout on each step.
CLAIM = timedelta(minutes=15)

# What replaces a link's secret half in what is stored.
STORED_PLACEHOLDER = "…"


@dataclass(frozen=True)
class Kind:
    """A message another app puts in this outbox (outreach, meetings), which registration
    does not import: they register their kinds here when they load (AppConfig.ready).

    `templates`: the pair's path without .txt/.html. `linked`: it carries the personal
    page and badge links (a key minted at send time, like LINKED). `agenda`: the personal
    .ics goes with it. `label`: its name in the admin's list of messages.
    `context(email)`: what else its templates need, read by the worker
    when it renders; a secret it mints for a link goes in the returned dict's "secrets"
    (a list of `selector-secret` tokens), cut from what is stored like the personal link."""

    templates: str
    label: str = ""
    linked: bool = False
    agenda: bool = False
    context: Callable | None = None


KINDS: dict[str, Kind] = {}


def register_kind(name, **kind):
    KINDS[name] = Kind(**kind)


def kind_label(kind):
    """A message's kind as staff read it: registration's own, or another app's label."""
    if kind in OutgoingEmail.Kind.values:
        return OutgoingEmail.Kind(kind).label
    registered = KINDS.get(kind)
    return registered.label if registered and registered.label else kind


def queue(registration, kind, *, run_after=None, **context):
    """Other apps' door to the outbox, for a registered Kind: the message is rendered and
    sent by the worker, not before `run_after` (throttled sending)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of email: {kind}")
    return _later(registration, kind, run_after=run_after, **context)


def personal_url(token, language, page="manage"):
    with translation.override(language):
        return settings.SITE_URL + reverse(f"registration:{page}", kwargs={"token": token})


def lost_link_url(language):
    with translation.override(language):
        return settings.SITE_URL + reverse("registration:lost_link")


def _later(registration, template, *, run_after=None, **context):
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
    (deliver_email.using(run_after=run_after) if run_after else deliver_email).enqueue(email.pk)
    return email


def render(email, *, token=None):
    """Fill in subject, text and HTML from the message's template pair; `token` gives the
    personal page and badge links. Returns the other secrets the message carries (a
    registered Kind's), to be cut from what is stored."""
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
        context["bookings"] = list(registration.bookings.select_related("session__room"))
    if email.kind == "booking_promoted" and email.context.get("session_id"):
        context["session"] = (
            Session.objects.select_related("room").filter(pk=email.context["session_id"]).first()
        )
    kind = KINDS.get(email.kind)
    templates = kind.templates if kind else f"registration/email/{email.kind}"
    secrets = []
    with translation.override(language):
        context["event_dates"] = event_dates(registration.edition)
        if email.kind == "programme_changed":
            context["changes"] = change_lines(email.context.get("changes", []), language)
        if email.kind == "booking_promoted":
            context["session_title"] = promoted_title(context.get("session"), email, language)
        if kind and kind.context:
            extra = kind.context(email)
            secrets = extra.pop("secrets", [])
            context.update(extra)
        text = render_to_string(f"{templates}.txt", context)
        subject, _sep, body = text.strip().partition("\n")
        email.subject = subject.strip()
        email.body = body.strip() + "\n"
        context["subject"] = email.subject  # the HTML part's <title>
        email.html_body = render_to_string(f"{templates}.html", context)
    email.reply_to = registration.edition.contact_email
    return secrets


def _attachment(email):
    registration = email.registration
    # A programme change's sessions dropped from the agenda (other kinds' « changes », such
    # as moved B2B meetings, are theirs: the calendar has them as they are now).
    changes = email.context.get("changes", []) if email.kind == "programme_changed" else []
    dropped = [
        change["session_id"]
        for change in changes
        if change["session_id"]
        and {ProgrammeNotice.Kind.CANCELLED, ProgrammeNotice.Kind.WAITLISTED} & set(change["kinds"])
    ]
    sessions = list(Session.objects.select_related("type", "room").filter(pk__in=dropped))
    # Sessions deleted since: only what the notices stored is left of them.
    found = {s.pk for s in sessions}
    gone = [
        change
        for change in changes
        if change.get("guid")
        and change["session_id"] not in found
        and ProgrammeNotice.Kind.CANCELLED in change["kinds"]
    ]
    language = registration.language
    with translation.override(language):
        return personal_calendar(
            registration, dropped=sessions, gone=[_gone_item(c, language) for c in gone]
        )


def _gone_item(change, language):
    """A deleted session as the person's calendar knows it, written as cancelled."""
    room = Room.objects.filter(pk=change["old_room_id"]).first() if change["old_room_id"] else None
    return CalendarItem(
        uid=f"{change['guid']}@rencontres-aict",
        starts_at=parse_datetime(change["old_starts_at"]),
        ends_at=parse_datetime(change["old_ends_at"]),
        summary=(language == "en" and change["title_en"]) or change["title_fr"],
        location=_room_name(room, language),
        sequence=change["sequence"],
        status="CANCELLED",
    )


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
    kind = KINDS.get(email.kind)
    agenda = email.kind in WITH_AGENDA or (kind is not None and kind.agenda)
    if agenda and email.registration_id:
        message.attach(
            "rencontres-aict-agenda.ics",
            _attachment(email),
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
    token, error, secrets = None, None, []
    kind = KINDS.get(email.kind)
    try:
        if email.kind in LINKED or (kind is not None and kind.linked):
            token = AccessKey.issue(email.registration)
        secrets = render(email, token=token)
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
    for secret in secrets:
        stored = f"{secret.partition('-')[0]}-{STORED_PLACEHOLDER}"
        email.body = email.body.replace(secret, stored)
        email.html_body = email.html_body.replace(secret, stored)
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
        _later(
            booking.registration,
            "booking_promoted",
            # Read only if the session is deleted before the message goes (render).
            session_title=booking.session.title_fr,
            session_title_en=booking.session.title_en or "",
            session_id=booking.session_id,
        )


def promoted_title(session, email, language):
    """The session's title in the recipient's language: from the session as it is now, or
    the titles stored when the message was queued if it has been deleted since."""
    if session is not None:
        return getattr(session, f"title_{language}", "") or session.title_fr
    stored = email.context
    return (language == "en" and stored.get("session_title_en")) or stored.get("session_title", "")


def event_dates(edition):
    """« 8–9 juillet 2026 » (in the active language)."""
    first, last = edition.start_date, edition.end_date
    if first == last:
        return date_format(first, "j F Y")
    if (first.year, first.month) == (last.year, last.month):
        return f"{date_format(first, 'j')}–{date_format(last, 'j F Y')}"
    return f"{date_format(first, 'j F')} – {date_format(last, 'j F Y')}"


def programme_notices_later(registration, *, at):
    """A programme change touched this person: tell them at `at`, with whatever else
    changed for them until then (programme_notices_send)."""
    from .tasks import send_programme_notices

    send_programme_notices.using(run_after=at).enqueue(registration.pk)


def programme_notices_send(registration_id, now=None):
    """The worker's half: one message listing every programme change not told yet to this
    person, once NOTICE_DELAY has passed since the last one (a later edit has its own task
    scheduled, which sends them all). Returns the message queued, or None."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = Registration.objects.select_for_update().filter(pk=registration_id).first()
        if registration is None:
            return None
        pending = ProgrammeNotice.objects.filter(registration=registration, told_at=None)
        notices = list(pending.select_related("session__room").order_by("created_at", "pk"))
        if not notices or notices[-1].created_at + NOTICE_DELAY > now:
            return None
        changes = [] if registration.is_cancelled else summarise(notices)
        email = _later(registration, "programme_changed", changes=changes) if changes else None
        pending.filter(pk__in=[n.pk for n in notices]).update(told_at=now, email=email)
    return email


def summarise(notices):
    """One entry per session: where it was before the first change, and what happened to
    it. A session moved and moved back where it was is left out."""
    entries = {}
    for notice in notices:
        key = notice.session_id or f"gone:{notice.title_fr}"
        entry = entries.setdefault(
            key,
            {
                "session_id": notice.session_id,
                "title_fr": notice.title_fr,
                "title_en": notice.title_en,
                "old_starts_at": notice.old_starts_at.isoformat(),
                "old_ends_at": notice.old_ends_at.isoformat(),
                "old_room_id": notice.old_room_id,
                "guid": str(notice.guid) if notice.guid else "",
                "sequence": notice.sequence,
                "kinds": [],
            },
        )
        if notice.kind not in entry["kinds"]:
            entry["kinds"].append(notice.kind)
        entry["sequence"] = max(entry["sequence"], notice.sequence)
        if notice.session_id is None:
            entry["session_id"] = None
    sessions = {n.session_id: n.session for n in notices if n.session_id}
    kept = []
    for entry in entries.values():
        session = sessions.get(entry["session_id"])
        if entry["kinds"] == [ProgrammeNotice.Kind.MOVED] and session is not None:
            same = (
                parse_datetime(entry["old_starts_at"]) == session.starts_at
                and parse_datetime(entry["old_ends_at"]) == session.ends_at
                and entry["old_room_id"] == session.room_id
            )
            if same:
                continue
        kept.append(entry)
    return kept


def change_lines(changes, language):
    """The stored changes, ready for the template: old place, and the new one as the
    programme says now (time, room; the person's booking state)."""
    ids = [c["session_id"] for c in changes if c["session_id"]]
    sessions = Session.objects.select_related("room").in_bulk(ids)
    rooms = Room.objects.in_bulk([c["old_room_id"] for c in changes if c.get("old_room_id")])
    lines = []
    for change in changes:
        session = sessions.get(change["session_id"])
        kinds = set(change["kinds"])
        cancelled = ProgrammeNotice.Kind.CANCELLED in kinds or session is None
        title = (language == "en" and change["title_en"]) or change["title_fr"]
        if session is not None and not cancelled:
            title = getattr(session, f"title_{language}", "") or session.title_fr
        lines.append(
            {
                "title": title,
                "cancelled": cancelled,
                "waitlisted": ProgrammeNotice.Kind.WAITLISTED in kinds,
                "overlap": ProgrammeNotice.Kind.OVERLAP in kinds,
                "moved": ProgrammeNotice.Kind.MOVED in kinds,
                "old_starts_at": parse_datetime(change["old_starts_at"]),
                "old_ends_at": parse_datetime(change["old_ends_at"]),
                "old_room": _room_name(rooms.get(change.get("old_room_id")), language)
                # a message queued before rooms were stored by id
                or change.get("old_room", ""),
                "session": None if cancelled else session,
            }
        )
    return lines


def _room_name(room, language):
    if room is None:
        return ""
    return getattr(room, f"name_{language}", "") or room.name_fr


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
        Registration.objects.filter(same_address(address), edition_id=edition_id)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )
    if registration is not None:
        _later(registration, "access_link", duplicate_signup=duplicate_signup)
