"""`manage.py check --database default` (and `migrate`, which passes its database): warns
when tasks have been waiting for over a minute and no worker has been seen (heartbeat.py)."""

from datetime import timedelta

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError
from django.utils import timezone

from . import heartbeat

WAITING = timedelta(minutes=1)


@register(Tags.database)  # run only when a database is named: it reads the task queue
def worker_seen(app_configs=None, databases=None, **kwargs):
    if not databases or heartbeat.worker_running():
        return []
    from django_tasks_db.models import DBTaskResult

    before = timezone.now() - WAITING
    try:
        waiting = sum(
            DBTaskResult.objects.using(alias).ready().filter(enqueued_at__lt=before).count()
            for alias in databases
        )
    except DatabaseError:  # not migrated yet: nothing can be waiting
        return []
    if not waiting:
        return []
    seen = heartbeat.last_seen()
    return [
        Warning(
            f"{waiting} task(s) waiting for over a minute and no task worker seen "
            + (f"since {seen:%Y-%m-%d %H:%M:%S} UTC" if seen else "at all")
            + ": emails are not sent and badge sheets are not built.",
            hint="Start `manage.py db_worker` (README, « Production »).",
            id="staff.W001",
        )
    ]
