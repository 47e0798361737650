"""`make bench`, part 2: a burst of complete sign-ups against gunicorn on PostgreSQL.

gunicorn (2 workers) serves a fresh PostgreSQL database holding the 2026 edition, its
clock set to 12 May 2026 with faketime (registration open). wrk keeps 16 connections busy
posting complete sign-ups (both days, a workshop each, a CSRF cookie and token as a
browser has them) for 30 s.
Then the capacity invariant is checked in the database: no session and no edition holds
more confirmed people than its capacity, and no registration was lost.

The rate is reported as a share of the machine's ceiling (the template-only view of
bench/urls.py, 8 connections) measured just before and just after the burst on the same
server: an absolute rate does not travel between machines, a share does.
"""

import http.client
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from measure import manage, postgres_database, settle, shell, wrk  # noqa: E402
from server import gunicorn  # noqa: E402
from table import Row, print_table  # noqa: E402

PY = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "8766"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
SECONDS = float(os.environ.get("BENCH_BURST_SECONDS", "30"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")
THREADS = os.environ.get("BENCH_THREADS", "1")  # sync workers: threads only add GIL contention
FAKE_NOW = "@2026-05-12 10:00:00"
CEILING = "/__ceiling__/"
GOAL_SHARE = 0.05
GOAL_P95_MS = 250


def csrf_pair():
    """A CSRF cookie and its form token, as a browser gets them from the form page."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.request("GET", "/fr/inscription/")
    response = conn.getresponse()
    html = response.read().decode()
    if response.status != 200:
        raise SystemExit(f"The form page answered {response.status}: is registration open?")
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return token, cookie


def burst(bookable):
    """wrk drives the sign-ups (a C client, so it takes little of the 2 cores)."""
    token, cookie = csrf_pair()
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(4, CLIENTS)}",
            f"-c{CLIENTS}",
            f"-d{SECONDS:.0f}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "signup.lua"),
            f"http://127.0.0.1:{PORT}",
            "--",
            token,
            cookie,
            *[f"{slot}:{session}" for slot, session in bookable],
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) (\d+) (\d+)", out)
    requests, micros, p50, p95, bad_status, socket_errors = result.groups()
    return (
        int(requests),
        int(micros) / 1e6,
        float(p50),
        float(p95),
        int(bad_status) + int(socket_errors),
    )


def ceiling_rate():
    """Requests/s of the template-only view, as the other rows measure it."""
    return wrk(f"http://127.0.0.1:{PORT}{CEILING}", seconds=5)[0]


def rows():
    for tool in ("faketime", "wrk"):
        if shutil.which(tool):
            continue
        raise SystemExit(f"{tool} is missing: `apt-get install {tool}` (make bench does it)")
    # BENCH_DATABASE: another name, so that a part run alone never drops the database
    # of a bench running beside it.
    url = postgres_database(os.environ.get("BENCH_DATABASE", "rencontres_bench"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "EMAIL_URL": "console://",
        "SIGNUP_RATE_LIMIT": "1000000",
        "CONN_MAX_AGE": "60",
    }
    manage(env, "migrate", "-v0")
    manage(env, "load_edition", "fixtures/edition_2026.json", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    settle(env)
    bookable = [
        tuple(map(int, pair.split(":")))
        for pair in shell(
            env,
            "from events.models import Session; print(' '.join(f'{s.slot_id}:{s.pk}' for s in "
            "Session.objects.filter(type__slug='atelier')))",
        ).split()
    ]
    with gunicorn(
        env,
        PORT,
        workers=WORKERS,
        threads=THREADS,
        prefix=("faketime", "-f", FAKE_NOW),
        probe=CEILING,
    ):
        before = ceiling_rate()
        done, elapsed, p50, p95, errors = burst(bookable)
        after = ceiling_rate()

    invariant = shell(
        env,
        "from django.db.models import Count, Q\n"
        "from events.models import Edition, Session\n"
        "from registration.models import Registration\n"
        "e = Edition.objects.get(number=17)\n"
        "over = [s.pk for s in Session.objects.annotate(c=Count('bookings', "
        "filter=Q(bookings__status='confirmed'))) if s.effective_capacity is not None "
        "and s.c > s.effective_capacity]\n"
        "confirmed = Registration.objects.filter(status='confirmed').count()\n"
        "total = Registration.objects.count()\n"
        "print(f'{total} {confirmed} {e.capacity} {len(over)}')",
    )
    total, confirmed, capacity, oversold = map(int, invariant.split())
    rate = done / elapsed
    share = rate / ((before + after) / 2)
    # Sign-ups still in flight when wrk stops are saved but not counted as answered.
    lost = max(0, done - total)
    ok = (
        share >= GOAL_SHARE
        and p95 <= GOAL_P95_MS
        and not errors
        and not lost
        and confirmed <= capacity
        and not oversold
    )
    return [
        Row(
            name=f"sign-up burst ({CLIENTS} clients, PostgreSQL, {WORKERS} sync workers)",
            figure=(
                f"{rate:.0f}/s (ceiling {before:.0f}→{after:.0f} req/s), p50 {p50:.0f} ms, "
                f"p95 {p95:.0f} ms, {errors} errors, {total} saved, "
                f"{confirmed}/{capacity} confirmed, {oversold} oversold"
            ),
            share=share,
            goal=f"≥ {GOAL_SHARE:.0%} of the ceiling, p95 ≤ {GOAL_P95_MS} ms, 0 errors, "
            "none lost or oversold",
            ok=ok,
        )
    ]


def main():
    return print_table(rows())


if __name__ == "__main__":
    sys.exit(main())
