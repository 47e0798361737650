"""The task worker, as the tests run it."""

import contextlib
from unittest import mock

from django.core.management import call_command


def run_worker(*, badges=True):
    """What `manage.py db_worker` does in production: run the queued tasks (emails, badges).

    The real command, except that it may not close the test's database connection (it
    does so between tasks, as a long-running process should).

    `badges=False`, for tests that look at no stored badge: the badge tasks the worker
    takes do nothing instead of rendering a PDF (about 150 ms of CPU per change of a
    confirmed registration). A badge downloaded afterwards is rendered on the spot, as
    before the worker's run; the stored badges are tested in test_stored_badges.py."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(
            mock.patch(
                "django_tasks_db.management.commands.db_worker.close_old_connections",
                return_value=None,
            )
        )
        if not badges:
            stack.enter_context(mock.patch("registration.badges.store_current", return_value=0))
        call_command("db_worker", batch=True, no_startup_delay=True, interval=0, verbosity=0)
