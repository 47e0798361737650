"""A page's requests/s as a share of the ceiling measured around it, on the same server in
the same run: what travels from one machine to the next (DESIGN §7).

The ceiling is /__ceiling__/ (bench/urls.py): a template, no database, no cache, through
the whole middleware stack. Each page runs between two ceiling runs, ROUNDS times; the
median share is reported (the machine is noisy, the ceiling right around a page is the
fairest yardstick).
"""

import http.client
import os
import re
import secrets
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from table import Row

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CEILING = "/__ceiling__/"
DURATION = os.environ.get("BENCH_SECONDS", "3")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = 8


def site_env(work, **extra):
    """Environment of a fresh site in `work`: SQLite database (unless `extra` names
    another), file cache, DEBUG off."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"sqlite:///{work}/bench.sqlite3",
        "CACHE_URL": f"file://{work}/cache",
        "VAR_DIR": str(work),
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "EMAIL_URL": "console://",
        **extra,
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def postgres_database(name):
    """A fresh database `name` on the tests' PostgreSQL server (started if needed, see
    tests/postgres.py): production runs on PostgreSQL, with persistent connections."""
    import psycopg

    sys.path.insert(0, str(ROOT))
    from tests.postgres import database_url

    base = database_url()
    with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return base.rsplit("/", 1)[0] + "/" + name


def settle(env):
    """VACUUM ANALYZE the freshly loaded PostgreSQL database, as pgbench does before it runs:
    what production's autovacuum does within a minute of a load (statistics, the visibility
    map its index-only scans use). Without it the first minutes measure a database no site
    runs on, and autovacuum may start in the middle of a measurement."""
    import psycopg

    with psycopg.connect(env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)) as conn:
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE)")


def manage(env, *args):
    subprocess.run([PY, "manage.py", *args], check=True, cwd=ROOT, env=env)


def shell(env, code):
    """Run `code` in `manage.py shell`; returns the last line it printed."""
    out = subprocess.run(
        [PY, "manage.py", "shell", "--no-imports", "-c", code],
        check=True,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().splitlines()[-1]


def fresh_site(env):
    """Migrate, load the 2026 edition, collect the static files."""
    manage(env, "migrate", "-v0")
    manage(env, "load_edition", "fixtures/edition_2026.json", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")


def wrk(url, headers=(), seconds=None):
    """(requests/s, non-2xx/3xx responses) of wrk on `url`, keep-alive."""
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds or DURATION}s", "--latency"]
    for header in headers:
        args += ["-H", header]
    out = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return rate, (int(errors.group(1)) if errors else 0) + (
        sum(map(int, socket.groups())) if socket else 0
    )


def get(url, headers=()):
    """(status, headers, body) of one GET, redirects not followed (wrk does not count a
    redirect as an error: a page must be checked to answer 200 before it is measured)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request(
        "GET",
        parts.path + (f"?{parts.query}" if parts.query else ""),
        headers=dict(h.split(": ", 1) for h in headers),
    )
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, response, body


def share_of_ceiling(base, path, headers=()):
    """Median requests/s, median share of the ceiling around it, errors, median ceiling."""
    ratios, rates, ceilings, errors = [], [], [], 0
    for _round in range(ROUNDS):
        before, _ = wrk(base + CEILING)
        rate, bad = wrk(base + path, headers=headers)
        after, _ = wrk(base + CEILING)
        ratios.append(rate / ((before + after) / 2))
        rates.append(rate)
        ceilings.append((before + after) / 2)
        errors += bad
    return statistics.median(rates), statistics.median(ratios), errors, statistics.median(ceilings)


def row(name, base, path, goal, headers=()):
    """The Row of `path` measured against the ceiling, with a goal as a share of it."""
    rate, share, errors, ceiling = share_of_ceiling(base, path, headers)
    return Row(
        name=name,
        figure=f"{rate:,.0f} req/s (ceiling {ceiling:,.0f}), {errors} errors",
        share=share,
        goal=f"≥ {goal:.0%} of the ceiling, 0 errors",
        ok=share >= goal and errors == 0,
    )


def note():
    return (
        f"Each page: wrk {CONNECTIONS} connections, {DURATION} s, between two runs of the "
        f"ceiling (a template-only view, same server), median of {ROUNDS} rounds. Shares of "
        "the ceiling travel between machines; requests/s do not."
    )
