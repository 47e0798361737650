"""Where the B2B pages' time goes, as CPU per request in one process (the machine may be
busy: CPU time, unlike requests/s, does not depend on what else runs).

    .venv/bin/python bench/meetings_profile.py [directory|home] [requests] [lines]

The bench's data (bench/meetings_data.py: 600 listed profiles, a person with 8 meetings)
on PostgreSQL, the database named by PROFILE_DATABASE_URL (built on the first run, kept
after: drop it after a migration), DEBUG off, the bench's settings; requests through
Django's whole handler with the clock in May 2026. Prints the page's and the ceiling's CPU
per request, their ratio (about the share of the ceiling `make bench` shows, less
PostgreSQL's own CPU), the queries per request, then the top of cProfile. A tool to find
what to cut; bench/meetings.py measures.
"""

import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import profiling  # noqa: E402

DEFAULT_URL = "postgres://rencontres_test:rencontres_test@127.0.0.1:5432/rencontres_profile_b2b"


def setup():
    url = os.environ.get("PROFILE_DATABASE_URL", DEFAULT_URL)
    work = Path(tempfile.gettempdir(), f"rencontres-profile-b2b-{url.rsplit('/', 1)[-1]}")
    work.mkdir(exist_ok=True)
    if not (work / "links.json").exists():  # built on the first run: a fresh database
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")

    def build():
        from bench import meetings_data

        meetings_data.b2b_links()

    return profiling.setup(work, build, database_url=url, CONN_MAX_AGE="60")


def cpu_per_request(client, url, count):
    started = time.process_time()
    for _ in range(count):
        client.get(url)
    return (time.process_time() - started) / count


def main():
    page = sys.argv[1] if len(sys.argv) > 1 else "directory"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    lines = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    links = setup()

    import time_machine
    from django.db import connection
    from django.test import Client

    from bench.data import MAY

    path = links["agenda" if page == "home" else "directory"]
    client = Client(HTTP_HOST="127.0.0.1")
    with time_machine.travel(MAY, tick=True):
        for _ in range(20):  # warm: templates compiled, caches filled
            for url in (path, "/__ceiling__/"):
                if client.get(url).status_code != 200:
                    raise SystemExit(f"{url} did not answer 200")
        statements = []
        with connection.execute_wrapper(
            lambda run, sql, *a: statements.append(sql) or run(sql, *a)
        ):
            client.get(path)
        timed = {
            "page": cpu_per_request(client, path, count),
            "ceiling": cpu_per_request(client, "/__ceiling__/", count),
        }
        print(
            f"{page}: {1000 * timed['page']:.2f} ms CPU a request, ceiling "
            f"{1000 * timed['ceiling']:.2f} ms: ceiling/page {timed['ceiling'] / timed['page']:.0%}"
            f"; {len(statements)} queries"
        )
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(count):
            client.get(path)
        profiler.disable()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(lines)
        print(out.getvalue().split("\n", 4)[-1])


if __name__ == "__main__":
    main()
