"""Where a page's time goes: cProfile over many requests of one page, in one process.

    .venv/bin/python bench/profiling.py [manage|change|meetings|programme-miss] [requests] [lines]

(meetings: the personal page of someone with 8 B2B meetings.)

The same data as the bench (bench/data.py) in a throw-away SQLite database, DEBUG off,
the bench's settings; requests go through Django's whole handler (middleware included)
with the clock in May 2026 (registration open). Prints the functions that cost the most,
by own time and by cumulative time. A tool to find what to cut, not a measurement: the
bench (make bench) measures.
"""

import contextlib
import cProfile
import io
import json
import os
import pstats
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(work, *, big):
    """Django set up on the bench's data in `work`, built there on the first run only."""
    done = work / "links.json"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=f"sqlite:///{work}/profile.sqlite3",
        CACHE_URL=f"file://{work}/cache",
        VAR_DIR=str(work),
        DEBUG="0",
        SECRET_KEY="profile-" + secrets.token_urlsafe(40),
    )
    import django

    django.setup()
    from django.core.management import call_command

    if done.exists():
        return json.loads(done.read_text())
    call_command("migrate", verbosity=0)
    call_command("load_edition", str(ROOT / "fixtures" / "edition_2026.json"), verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    from bench import data

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        data.big_programme() if big else data.personal_links()
    links = {} if big else json.loads(out.getvalue())
    done.write_text(json.dumps(links))
    return links


def main():
    page = sys.argv[1] if len(sys.argv) > 1 else "manage"
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    lines = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    big = page == "programme-miss"
    # Kept between runs (delete it after a migration): building the data takes a while.
    work = Path(tempfile.gettempdir(), f"rencontres-profile-{'programme' if big else 'people'}")
    work.mkdir(exist_ok=True)
    links = setup(work, big=big)

    import time_machine
    from django.test import Client

    from bench.data import MAY
    from events.pagecache import invalidate_programme

    client = Client(HTTP_HOST="127.0.0.1")
    if page == "programme-miss":
        path, before = "/fr/programme/", invalidate_programme
    else:
        person = links["meetings"] if page == "meetings" else links["8"]
        path, before = person + ("modifier/" if page == "change" else ""), lambda: None
    with time_machine.travel(MAY, tick=True):
        for _ in range(20):  # warm: templates compiled, caches filled
            before()
            for url in (path, "/__ceiling__/"):
                if client.get(url).status_code != 200:
                    raise SystemExit(f"{url} did not answer 200")
        timed = {}
        for name, url, each in (("page", path, before), ("ceiling", "/__ceiling__/", None)):
            started = time.perf_counter()
            for _ in range(requests):
                if each:
                    each()
                client.get(url)
            timed[name] = (time.perf_counter() - started) / requests
        print(
            f"{page} {path}: {1000 * timed['page']:.2f} ms a request in process without the "
            f"profiler; ceiling {1000 * timed['ceiling']:.2f} ms "
            f"(the page at {timed['ceiling'] / timed['page']:.0%} of the ceiling)"
        )
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            before()
            client.get(path)
        profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    print(f"under cProfile: {1000 * total / requests:.2f} ms a request")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(lines)
        print(out.getvalue().split("\n", 4)[-1])


if __name__ == "__main__":
    main()
