"""Every write of the outreach app: staff messages (drafts, sending), reminders."""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from events.models import Edition
from registration.models import Registration
from registration.services import RegistrationClosed, allows, registration_cancel

from . import emails, reminders
from .models import (
    Reconfirmation,
    ReconfirmationCampaign,
    ReminderBatch,
    StaffMessage,
)
from .queries import message_recipients, unanswered

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


# --- Reconfirmation ------------------------------------------------------------------------

# The one reminder of a campaign leaves this long before its deadline (or halfway to it, if
# the deadline is nearer).
REMIND_BEFORE = timedelta(days=2)


class TooEarly(Exception):
    """The deadline has not passed: nobody's seat may be released yet."""


def reminder_time(campaign, now):
    return campaign.deadline - min(REMIND_BEFORE, (campaign.deadline - now) / 2)


def campaign_open(*, edition, deadline, user, now=None):
    """Ask every confirmed person of the edition whether they still come, by `deadline`:
    one email each (paced), and the campaign's one reminder scheduled."""
    from .tasks import remind_campaign

    now = now or timezone.now()
    if deadline <= now:
        raise ValueError("the deadline has passed")
    with transaction.atomic():
        campaign = ReconfirmationCampaign.objects.create(
            edition=edition, deadline=deadline, opened_by=user, opened_at=now
        )
        people = Registration.objects.filter(
            edition=edition, status=Registration.Status.CONFIRMED
        ).order_by("created_at", "pk")
        rows = Reconfirmation.objects.bulk_create(
            Reconfirmation(campaign=campaign, registration=registration) for registration in people
        )
        for index, row in enumerate(rows):
            emails.reconfirmation(row, run_after=throttled(index, now))
        campaign.asked = len(rows)
        campaign.save(update_fields=["asked"])
        remind_campaign.using(run_after=reminder_time(campaign, now)).enqueue(campaign.pk)
    logger.info("Reconfirmation campaign %s opened: %s people asked", campaign.pk, len(rows))
    return campaign


def campaign_remind(*, campaign, now=None):
    """The campaign's one reminder, to those who have not answered, before the deadline.
    A conditional UPDATE claims it: run twice, or by two workers, it is sent once. Returns
    how many were reminded, or None if it had been sent (or the deadline has passed)."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = ReconfirmationCampaign.objects.filter(
            pk=campaign.pk, reminded_at__isnull=True, deadline__gt=now
        ).update(reminded_at=now)
        if not claimed:
            return None
        rows = unanswered(campaign)
        for index, row in enumerate(rows):
            emails.reconfirmation(row, reminder=True, run_after=throttled(index, now))
    return len(rows)


def reconfirmation_answer(*, reconfirmation, coming, now=None):
    """A person's answer, from their link (idempotent: a second click changes nothing).
    « Not coming » cancels their registration through the registration services: the seat
    goes to the waiting lists, with the usual emails (RegistrationClosed once the event is
    over). Returns the reconfirmation as it is now."""
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            Reconfirmation.objects.select_for_update(of=("self",))
            .select_related("registration__edition")
            .get(pk=reconfirmation.pk)
        )
        if row.registration.is_cancelled or row.released_at is not None:
            return row  # nothing left to answer for
        answer = Reconfirmation.Answer.COMING if coming else Reconfirmation.Answer.NOT_COMING
        if not coming:
            registration_cancel(registration=row.registration, now=now)
        if row.answer != answer:
            row.answer, row.answered_at = answer, now
            row.save(update_fields=["answer", "answered_at"])
    return row


def campaign_release(*, campaign, user, expected=None, now=None):
    """After the deadline: cancel the registrations of those who never answered (each
    through registration_cancel, which promotes the waiting lists and writes to the people
    concerned). `expected`: the count the preview showed (RecipientsChanged otherwise).
    Released once: a second run finds nobody left. Returns how many seats were released.
    RegistrationClosed once cancelling is over (the event has ended): nothing to give."""
    now = now or timezone.now()
    if not allows(campaign.edition, "cancel", now):
        raise RegistrationClosed("cancel")
    if now < campaign.deadline:
        raise TooEarly(campaign.deadline)
    rows = unanswered(campaign)
    if expected is not None and expected != len(rows):
        raise RecipientsChanged(len(rows))
    released = 0
    for row in rows:
        with transaction.atomic():
            locked = Reconfirmation.objects.select_for_update().get(pk=row.pk)
            if locked.answer or locked.released_at is not None:
                continue  # answered meanwhile, or released by another run
            registration_cancel(registration=row.registration, now=now)
            locked.released_at = now
            locked.save(update_fields=["released_at"])
            released += 1
    with transaction.atomic():
        campaign = ReconfirmationCampaign.objects.select_for_update().get(pk=campaign.pk)
        campaign.released += released
        campaign.released_at, campaign.released_by = now, user
        campaign.save(update_fields=["released", "released_at", "released_by"])
    logger.info("Reconfirmation campaign %s: %s seats released", campaign.pk, released)
    return released
