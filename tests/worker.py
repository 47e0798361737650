"""The task worker, as the tests run it."""

from unittest import mock

from django.core.management import call_command


def run_worker():
    """What `manage.py db_worker` does in production: run the queued tasks (emails).

    The real command, except that it may not close the test's database connection (it
    does so between tasks, as a long-running process should)."""
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", return_value=None
    ):
        call_command("db_worker", batch=True, no_startup_delay=True, interval=0, verbosity=0)
