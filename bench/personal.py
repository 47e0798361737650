"""`make bench`, the attendee's own pages, which no cache may serve: the personal page
behind its secret link (no-store) and its change form (GET), for a registration with 1
booking and one with 8 (one of them waitlisted), and the personal page (its one agenda) of
someone with 8 B2B meetings, as shares of the ceiling.

A fresh PostgreSQL database (production's engine, persistent connections) holds the 2026
edition with four more bookable slots and 300 other people (bench/data.py): sign-ups through
the services, links minted by AccessKey.issue in a `manage.py shell -c` step, as the task
worker mints them. gunicorn (2 workers, DEBUG off) runs under faketime in May 2026,
registration open (the change form exists only then).

wrk asks for the same page again and again: each request reads the registration afresh
(one statement) and gets the page kept for what it read (registration/pagememo.py). The
"first view" rows send `X-Bench-Cold`, on which bench/middleware.py empties the kept pages
first: every request is then rendered, as the first view after any change is. The "one
query" row is the floor of any page that reads the database: the ceiling plus one
`SELECT 1` (and the connection's health check).
Goals: personal page 50 % of the ceiling (with 8 meetings too), change form 30 %.
"""

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from measure import (
    CEILING,
    fresh_site,
    get,
    note,
    postgres_database,
    row,
    settle,
    shell,
    site_env,
    wrk,
)
from server import gunicorn
from table import Row, print_table

PORT = int(os.environ.get("BENCH_PORT", "8768"))
FAKE_NOW = "@2026-05-12 10:00:00"
PAGE_GOAL = 0.50
FORM_GOAL = 0.30
COLD = ["X-Bench-Cold: 1"]


def check(base, path, marker):
    """The page answers 200, no-store, with `marker` in it (not a redirect, not a 404)."""
    status, response, body = get(base + path)
    if status != 200 or response.headers["Cache-Control"] != "no-store" or marker not in body:
        raise SystemExit(f"{path[:40]}…: {status} {response.headers['Cache-Control']!r}")


def reference(measured):
    """A row measured for comparison only: no goal of its own."""
    return Row(measured.name, measured.figure, measured.share, "— (for reference)", True)


def rows():
    for tool in ("wrk", "faketime"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: `apt-get install {tool}` (make bench does it)")
    work = Path(tempfile.mkdtemp(prefix="rencontres-bench-personal-"))
    env = site_env(
        work, DATABASE_URL=postgres_database("rencontres_bench_personal"), CONN_MAX_AGE="60"
    )
    fresh_site(env)
    links = json.loads(shell(env, "from bench import data; data.personal_links()"))
    settle(env)
    page, form = "Mon agenda", "Enregistrer les modifications"
    measured = []
    with gunicorn(env, PORT, prefix=("faketime", "-f", FAKE_NOW), probe=CEILING) as base:
        for bookings in ("1", "8"):
            check(base, links[bookings], page)
            check(base, links[bookings] + "modifier/", form)
        check(base, links["meetings"], "Rendez-vous B2B avec")
        for path in (CEILING, "/__one_query__/", links["1"], links["8"] + "modifier/"):
            wrk(base + path, seconds=1)  # warm the workers
        measured.append(reference(row("ceiling + one query (floor)", base, "/__one_query__/", 0)))
        for bookings in ("1", "8"):
            name = f"{bookings} booking{'s' if bookings == '8' else ''}"
            path = links[bookings]
            measured.append(row(f"personal page, {name}", base, path, PAGE_GOAL))
            measured.append(row(f"change form (GET), {name}", base, path + "modifier/", FORM_GOAL))
        measured.append(row("personal page, 8 B2B meetings", base, links["meetings"], PAGE_GOAL))
        measured.append(
            reference(row("personal page, 8 bookings, first view", base, links["8"], 0, COLD))
        )
        measured.append(
            reference(
                row("change form, 8 bookings, first view", base, links["8"] + "modifier/", 0, COLD)
            )
        )
    shutil.rmtree(work, ignore_errors=True)
    return measured


def main():
    return print_table(rows(), ceiling_note=note())


if __name__ == "__main__":
    sys.exit(main())
