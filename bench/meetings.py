"""`make bench`, B2B: the directory (600 listed profiles, one page shown) and the B2B page
with its one agenda (8 meetings), behind a personal link, as shares of the ceiling.

A fresh PostgreSQL database holds the 2026 edition and its B2B setup, 601 people taking
part (bench/meetings_data.py), under gunicorn (2 workers, DEBUG off) and faketime in May
2026 (the B2B window is open). Their query counts are fixed (tests/meetings/test_views.py);
this measures what they cost. Goal: 50 % of the ceiling.
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
from table import print_table

PORT = int(os.environ.get("BENCH_PORT", "8769"))
FAKE_NOW = "@2026-05-12 10:00:00"
GOAL = 0.50


def rows():
    for tool in ("wrk", "faketime"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: `apt-get install {tool}` (make bench does it)")
    work = Path(tempfile.mkdtemp(prefix="rencontres-bench-b2b-"))
    database = os.environ.get("BENCH_B2B_DATABASE", "rencontres_bench_b2b")
    env = site_env(work, DATABASE_URL=postgres_database(database), CONN_MAX_AGE="60")
    fresh_site(env)
    links = json.loads(shell(env, "from bench import meetings_data; meetings_data.b2b_links()"))
    settle(env)
    measured = []
    with gunicorn(env, PORT, prefix=("faketime", "-f", FAKE_NOW), probe=CEILING) as base:
        for path, marker in ((links["directory"], "600 personnes"), (links["agenda"], "Table")):
            status, _response, body = get(base + path)
            if status != 200 or marker not in body:
                raise SystemExit(f"{path[:40]}…: {status}, no « {marker} »")
            wrk(base + path, seconds=1)  # warm the workers
        measured.append(row("B2B directory, 600 profiles", base, links["directory"], GOAL))
        measured.append(row("B2B page (agenda), 8 meetings", base, links["agenda"], GOAL))
    shutil.rmtree(work, ignore_errors=True)
    return measured


def main():
    return print_table(rows(), ceiling_note=note())


if __name__ == "__main__":
    sys.exit(main())
