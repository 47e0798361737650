"""Every write of the outreach app: staff messages (drafts, sending), reminders."""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from events.models import Edition
from registration.models import Registration

from . import emails, reminders
from .models import ReminderBatch, StaffMessage
from .queries import message_recipients

logger = logging.getLogger(__name__)

# Messages to many people leave at this pace (the worker sends each when it is due), so
# that one message to a thousand people never trips the mail server's limits nor holds
# up the confirmations of sign-ups queued meanwhile.
EMAILS_PER_MINUTE = 60

MESSAGE_FIELDS = frozenset(
    {"audience", "session", "booked", "day", "subject_fr", "body_fr", "subject_en", "body_en"}
)


class AlreadySent(Exception):
    """This message has gone out already: it is kept as sent, never sent twice."""


class RecipientsChanged(Exception):
    """The recipients are no longer those the preview counted."""

    def __init__(self, count):
        super().__init__(count)
        self.count = count


def throttled(index, now):
    """When the index-th message of a batch may leave."""
    minutes = index // EMAILS_PER_MINUTE
    return now + timedelta(minutes=minutes) if minutes else None


def staff_message_save(*, message, data, user, edition=None):
    """Create (for `edition`) or change a draft, never a sent message. Returns it."""
    unknown = set(data) - MESSAGE_FIELDS
    if unknown:
        raise ValueError(f"not a field of a message: {sorted(unknown)}")
    with transaction.atomic():
        if message.pk is not None:
            locked = StaffMessage.objects.select_for_update().get(pk=message.pk)
            if locked.is_sent:
                raise AlreadySent(message.pk)
        else:
            message.edition = edition
            message.created_by = user
        for name, value in data.items():
            setattr(message, name, value)
        if message.audience != StaffMessage.Audience.SESSION:
            message.session = None
        if message.audience != StaffMessage.Audience.DAY:
            message.day = None
        message.save()
    return message


def staff_message_delete(*, message):
    """Delete a draft; a sent message stays, as the record of what people were told."""
    with transaction.atomic():
        locked = StaffMessage.objects.select_for_update().get(pk=message.pk)
        if locked.is_sent:
            raise AlreadySent(message.pk)
        locked.delete()


def staff_message_send(*, message, user, expected=None, now=None):
    """Send a draft to its recipients, once: one outbox row per person (in their language,
    rendered by the worker), paced by EMAILS_PER_MINUTE, in one transaction with the
    record of who sent it, when and to how many. `expected`: the count the preview showed;
    if the recipients changed since, nothing is sent (RecipientsChanged) and staff look
    again. Returns the number of recipients."""
    now = now or timezone.now()
    with transaction.atomic():
        message = StaffMessage.objects.select_for_update().get(pk=message.pk)
        if message.is_sent:
            raise AlreadySent(message.pk)
        people = list(message_recipients(message))
        if expected is not None and expected != len(people):
            raise RecipientsChanged(len(people))
        for index, registration in enumerate(people):
            emails.staff_message(registration, message, run_after=throttled(index, now))
        message.sent_at = now
        message.sent_by = user
        message.recipients = len(people)
        message.save(update_fields=["sent_at", "sent_by", "recipients"])
    logger.info(
        "Staff message %s sent by %s to %s people",
        message.pk,
        getattr(user, "pk", None),
        len(people),
    )
    return len(people)


def reminder_send(*, edition, kind, now=None):
    """Queue one reminder to every confirmed person of the edition, once: the batch row
    and the emails are written in one transaction, and the database allows one batch per
    edition and kind. A concurrent run waits on that row, then finds it taken: it sends
    nothing. Returns the batch, or None when it had been sent already."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            batch = ReminderBatch.objects.create(edition=edition, kind=kind, sent_at=now)
            people = Registration.objects.filter(
                edition=edition, status=Registration.Status.CONFIRMED
            ).order_by("created_at", "pk")
            count = 0
            for count, registration in enumerate(people.iterator(), start=1):
                emails.reminder(registration, batch, run_after=throttled(count - 1, now))
            batch.recipients = count
            batch.save(update_fields=["recipients"])
    except IntegrityError:
        return None
    logger.info("Reminder %s of edition %s sent to %s people", kind, edition.pk, count)
    return batch


def reminders_send_due(*, now=None):
    """Send the reminders whose time has come (the scheduler's work): each at most once,
    however often this runs. Returns the batches sent now."""
    now = now or timezone.now()
    sent = []
    for edition in Edition.objects.filter(end_date__gte=now.date()):
        done = set(ReminderBatch.objects.filter(edition=edition).values_list("kind", flat=True))
        for kind in reminders.due(edition, now):
            if kind not in done and (batch := reminder_send(edition=edition, kind=kind, now=now)):
                sent.append(batch)
    return sent
