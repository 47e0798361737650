"""Background work of B2B, run by `manage.py db_worker`."""

from django.tasks import task

from . import services


@task()
def expire_requests():
    """End the pending requests past their expiry (each request queues this task for its
    expiry moment when it is sent)."""
    return services.requests_expire()
