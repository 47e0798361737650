"""The outreach app's messages, sent through the registration outbox (registration/emails.py):
each is a row there, rendered and sent by the task worker in the person's language."""

from registration import emails

from .models import StaffMessage


def _staff_message(email):
    message = StaffMessage.objects.get(pk=email.context["message"])
    subject, body = message.text_in(email.registration.language)
    return {"message_subject": subject, "message_body": body}


emails.register_kind(
    "staff_message", templates="outreach/email/staff_message", context=_staff_message
)


def staff_message(registration, message, *, run_after=None):
    return emails.queue(registration, "staff_message", run_after=run_after, message=message.pk)
