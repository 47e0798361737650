"""`make bench`, part 1: requests/s of the public pages against the machine's ceiling, in one run.

Serves the site with gunicorn (2 workers, DEBUG off) on a fresh SQLite database holding
the 2026 fixture, then drives each URL with wrk (keep-alive, 8 connections) and reports
each page as a share of a template-only view of the same project, measured just before and
after the page, in three rounds (the median is reported).
"""

import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from server import gunicorn

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "8765"))
DURATION = os.environ.get("BENCH_SECONDS", "3")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CEILING = "/__ceiling__/"
TARGET = 0.80


def run(args, env):
    subprocess.run(args, check=True, cwd=ROOT, env=env)


def wrk(url, headers=(), seconds=None):
    args = ["wrk", "-t2", "-c8", f"-d{seconds or DURATION}s", "--latency"]
    for header in headers:
        args += ["-H", header]
    out = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, int(errors.group(1)) if errors else 0


def etag_of(url):
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
        return response.headers["ETag"]


def main():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: `apt-get install wrk` (make bench does it as root)")
    work = Path(tempfile.mkdtemp(prefix="rencontres-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"sqlite:///{work}/bench.sqlite3",
        "CACHE_URL": f"file://{work}/cache",
        "VAR_DIR": str(work),
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    run([PY, "manage.py", "migrate", "-v0"], env)
    run([PY, "manage.py", "load_edition", "fixtures/edition_2026.json", "-v0"], env)
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    session_code = subprocess.run(
        [
            PY,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from events.models import Session; print(Session.objects.order_by('pk')[2].code)",
        ],
        check=True,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    ).stdout.strip()

    with gunicorn(env, PORT, probe=CEILING) as base:
        pages = [
            ("ceiling (template only)", CEILING),
            ("home", "/fr/"),
            ("programme", "/fr/programme/"),
            ("session", f"/fr/programme/{session_code}/"),
            ("programme.ics", "/fr/programme.ics"),
            ("schedule.xml", "/fr/schedule.xml"),
            ("schedule.json", "/fr/schedule.json"),
        ]
        for _, path in pages:  # warm the page cache and the workers
            wrk(base + path, seconds=2)
        etag = etag_of(base + "/fr/programme/")
        pages.append(("programme, 304", "/fr/programme/", [f"If-None-Match: {etag}"]))
        results = []
        for name, path, *headers in pages[1:]:
            # Each page between two ceiling runs, three rounds: the machine is noisy, so a
            # page is compared with the ceiling measured right around it.
            ratios, rates, errors = [], [], 0
            for _round in range(ROUNDS):
                before, _ = wrk(base + CEILING)
                rate, bad = wrk(base + path, headers=headers[0] if headers else ())
                after, _ = wrk(base + CEILING)
                ratios.append(rate / ((before + after) / 2))
                rates.append(rate)
                errors += bad
            results.append((name, statistics.median(rates), statistics.median(ratios), errors))
    shutil.rmtree(work, ignore_errors=True)

    print(
        f"\ngunicorn, 2 workers, DEBUG off, wrk 8 connections, {DURATION} s per run; each page "
        f"between two ceiling runs, median of {ROUNDS} rounds\n"
    )
    print(f"| {'page':<16} | {'req/s':>7} | {'share of ceiling':>16} | {'errors':>6} |")
    print(f"|{'-' * 18}|{'-' * 9}|{'-' * 18}|{'-' * 8}|")
    failures = []
    for name, rate, share, errors in results:
        print(f"| {name:<16} | {rate:>7.0f} | {share:>15.0%} | {errors:>6} |")
        if errors or share < TARGET:
            failures.append(name)
    if failures:
        print(f"\nBelow {TARGET:.0%} of the ceiling or with errors: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
