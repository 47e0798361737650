"""Background work of B2B, run by `manage.py db_worker`."""

from datetime import timedelta

from django.core.cache import cache
from django.tasks import task
from django.utils import timezone

from . import services


@task()
def expire_requests():
    """End the pending requests past their expiry (each request queues this task for its
    expiry moment when it is sent)."""
    return services.requests_expire()


def schedule_digests():
    """Start the daily digest chain unless it is already queued (called when someone asks
    for a digest)."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.filter(
        task_path=send_digests.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    )
    if queued.exists():
        return False
    send_digests.using(run_after=timezone.now() + timedelta(days=1)).enqueue()
    return True


@task()
def send_digests():
    """The daily digests; tomorrow's run is queued first, so a failed run does not end the
    chain."""
    send_digests.using(run_after=timezone.now() + timedelta(days=1)).enqueue()
    return services.digests_send()


@task()
def forget_cards(keys):
    """Erased people's directory cards deleted from the shared cache once more
    (directory.forget_cards)."""
    cache.delete_many(keys)
