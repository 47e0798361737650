"""Background work of the staff tools, run by `manage.py db_worker`."""

from django.tasks import task

from . import sheets


@task()
def build_badge_sheet(sheet_id):
    return sheets.build(sheet_id)
