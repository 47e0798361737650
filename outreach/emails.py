"""The outreach app's messages, sent through the registration outbox (registration/emails.py):
each is a row there, rendered and sent by the task worker in the person's language."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from registration import emails
from registration.queries import agenda_sessions

from . import reminders
from .models import Reconfirmation, ReconfirmationKey, ReminderBatch, StaffMessage


def _staff_message(email):
    message = StaffMessage.objects.get(pk=email.context["message"])
    subject, body = message.text_in(email.registration.language)
    return {"message_subject": subject, "message_body": body}


emails.register_kind(
    "staff_message",
    templates="outreach/email/staff_message",
    label=_("Message de l'équipe"),
    context=_staff_message,
)


def staff_message(registration, message, *, run_after=None):
    return emails.queue(registration, "staff_message", run_after=run_after, message=message.pk)


def _reminder(email):
    registration = email.registration
    kind = email.context["reminder"]
    return {
        "day_before": kind == ReminderBatch.Kind.DAY_BEFORE,
        "agenda": agenda_sessions(registration),
        "access_options": list(registration.edition.venue.access_options.all()),
        "sections": reminders.sections(registration, kind),
    }


# The personal page and badge links are minted when each reminder leaves; the agenda as
# it is then goes with it (.ics).
emails.register_kind(
    "reminder",
    templates="outreach/email/reminder",
    label=_("Rappel avant l'événement"),
    linked=True,
    agenda=True,
    context=_reminder,
)


def reminder(registration, batch, *, run_after=None):
    return emails.queue(registration, "reminder", run_after=run_after, reminder=batch.kind)


def _reconfirmation(email):
    """The question's two links, with a secret minted now (only its hash is kept)."""
    row = Reconfirmation.objects.select_related("campaign").get(pk=email.context["reconfirmation"])
    token = ReconfirmationKey.issue(row)
    return {
        "deadline": row.campaign.deadline,
        "reminder": email.context.get("reminder", False),
        "yes_url": settings.SITE_URL + reverse("outreach:reconfirm_yes", args=[token]),
        "no_url": settings.SITE_URL + reverse("outreach:reconfirm_no", args=[token]),
        "secrets": [token],
    }


emails.register_kind(
    "reconfirmation",
    templates="outreach/email/reconfirmation",
    label=_("Confirmation de venue"),
    context=_reconfirmation,
)


def reconfirmation(row, *, reminder=False, run_after=None):
    return emails.queue(
        row.registration,
        "reconfirmation",
        run_after=run_after,
        reconfirmation=row.pk,
        reminder=reminder,
    )
