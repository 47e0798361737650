"""Background work of the outreach app, run by `manage.py db_worker`."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from events.models import Edition

from . import reminders, services

# The scheduler looks at least this often, so an edition's dates changed in admin are
# taken into account within the hour.
LOOK_EVERY = timedelta(hours=1)


def schedule_reminders():
    """Start the reminders' chain unless it is already queued (`make run` may call it
    often). Two chains would still send each reminder once."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.filter(
        task_path=send_reminders.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    )
    if queued.exists():
        return False
    send_reminders.enqueue()
    return True


@task()
def send_reminders():
    """Send the reminders that are due, then come back at the next one (within the hour).
    The next run is queued first: a run that fails does not end the chain."""
    now = timezone.now()
    editions = list(Edition.objects.filter(end_date__gte=now.date()))
    upcoming = reminders.next_due(editions, now)
    later = now + LOOK_EVERY
    send_reminders.using(run_after=min(upcoming, later) if upcoming else later).enqueue()
    return [batch.pk for batch in services.reminders_send_due(now=now)]


@task()
def remind_campaign(campaign_id):
    """A reconfirmation campaign's one reminder (queued when it opens)."""
    from .models import ReconfirmationCampaign

    campaign = ReconfirmationCampaign.objects.filter(pk=campaign_id).first()
    return services.campaign_remind(campaign=campaign) if campaign else None
