"""Background work of the staff tools, run by `manage.py db_worker`."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from . import privacy, sheets


@task()
def build_badge_sheet(sheet_id):
    return sheets.build(sheet_id)


def schedule_purge():
    """Start the daily chain unless it is already queued (so `make run` may call it often)."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.filter(
        task_path=purge_personal_data.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    )
    if queued.exists():
        return False
    purge_personal_data.enqueue()
    return True


@task()
def purge_personal_data():
    """Anonymise what is past its retention period, every day (the chain is started by
    `manage.py purge_personal_data --schedule`, which `make run` calls).

    Tomorrow's run is queued first: a run that fails (its result FAILED, its error in the
    worker's log) does not end the chain."""
    purge_personal_data.using(run_after=timezone.now() + timedelta(days=1)).enqueue()
    return privacy.registrations_purge()
