"""Background work, run by `manage.py db_worker` (django-tasks-db)."""

from django.tasks import task

from . import emails


@task()
def deliver_email(email_id):
    """Send one message of the outbox (retries are scheduled by emails.deliver)."""
    return emails.deliver(email_id)
