"""Whether a task worker (`manage.py db_worker`) is running: its heartbeat.

Emails, stored badges and badge sheets wait for the worker; without one, a sheet would say
« en attente » for ever. So each worker process, for as long as it runs, writes the time into
the cache every BEAT seconds (a thread of its own, so a long task — a 1,000-badge sheet —
does not silence it): `db_worker` is this project's command (staff/management/commands),
the package's worker with a heartbeat around it. A worker is "seen" when the last beat is
younger than SILENT_AFTER; the dashboard, the badge sheet's page and
`manage.py check --database default` say so when it is not.

The beat lives in the cache of the rate-limit counters (`caches["ratelimit"]`): the store
shared by every app server and worker that floods of cached pages cannot cull (README,
« Rate limits »), so a busy day cannot make a running worker look dead.
"""

import threading
from datetime import datetime, timedelta

from django.core.cache import caches
from django.utils import timezone

KEY = "worker:last-beat"
BEAT = 15  # seconds between two beats of a running worker
SILENT_AFTER = timedelta(minutes=2)  # no beat for this long: no worker is running


def _store():
    return caches["ratelimit"]


def beat(now=None):
    _store().set(KEY, (now or timezone.now()).isoformat(), timeout=None)


def last_seen():
    """When a worker last beat, or None if none ever did (or the store was emptied)."""
    value = _store().get(KEY)
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def worker_running(now=None):
    seen = last_seen()
    return seen is not None and (now or timezone.now()) - seen <= SILENT_AFTER


class Beating:
    """`with Beating():` — beats now, then every BEAT seconds until the block ends."""

    def __init__(self, every=BEAT):
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-heartbeat", daemon=True)

    def _run(self):
        while not self._stop.wait(self.every):
            beat()

    def __enter__(self):
        beat()
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()
        return False
