"""`manage.py db_worker`: django-tasks-db's worker, beating a heartbeat while it runs
(staff/heartbeat.py), so that staff are told when no worker is running.

This app comes before django_tasks_db in INSTALLED_APPS, so this command is the one run."""

from django_tasks_db.management.commands import db_worker

from staff.heartbeat import Beating


class Command(db_worker.Command):
    help = db_worker.Command.help

    def handle(self, *args, **options):
        with Beating():
            return super().handle(*args, **options)
