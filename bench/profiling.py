"""Where a page's time goes: cProfile over many requests of one page, in one process.

    .venv/bin/python bench/profiling.py [manage|change|meetings|programme-miss|signup|scan] \
        [requests] [lines] [stats file]

(meetings: the personal page of someone with 8 B2B meetings.)

The same data as the bench (bench/data.py) in a throw-away SQLite database, DEBUG off,
the bench's settings; requests go through Django's whole handler (middleware included)
with the clock in May 2026 (registration open; `scan`: 9 July 08:30 at the desk).
`signup` posts complete sign-ups as the burst does (CSRF checked); `scan` is a badge
scanned at the desk (answered with the card), as bench/desk.py times it. Prints the CPU
per request against the ceiling's (ceiling_cpu / page_cpu: about the share of the ceiling
the bench shows, the database server's own CPU aside), then the functions that cost the
most, by own time and by cumulative time. A tool to find what to cut, not a measurement: the
bench (make bench) measures.
"""

import contextlib
import cProfile
import io
import json
import os
import pstats
import secrets
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(work, build, *, database_url=None, **env):
    """Django set up on the bench's data in `work` (a SQLite database there, unless
    `database_url` names another), the data built on the first run only by `build()`,
    whose last printed line, when it prints, is the JSON of the links it made."""
    done = work / "links.json"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url or f"sqlite:///{work}/profile.sqlite3",
        CACHE_URL=f"file://{work}/cache",
        VAR_DIR=str(work),
        DEBUG="0",
        SECRET_KEY="profile-" + secrets.token_urlsafe(40),
        **env,
    )
    import django

    django.setup()
    from django.core.management import call_command

    if done.exists():
        return json.loads(done.read_text())
    call_command("migrate", verbosity=0)
    call_command("load_edition", str(ROOT / "fixtures" / "edition_2026.json"), verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        build()
    printed = out.getvalue().strip().splitlines()
    links = json.loads(printed[-1]) if printed and printed[-1].startswith("{") else {}
    done.write_text(json.dumps(links))
    return links


def build(data_set, people):
    """The builder of one of bench/data.py's data sets, for setup()."""

    def run():
        from bench import data

        if data_set == "programme":
            data.big_programme()
        elif data_set == "desk":
            data.desk_people(people=people, desks=1)
        else:
            data.personal_links()

    return run


class Pages:
    """GET of one page (the personal page, its change form, the programme on a miss)."""

    def __init__(self, client, path, before=lambda: None):
        self.client, self.path, self.before = client, path, before

    def __call__(self):
        self.before()
        return self.client.get(self.path).status_code == 200


class SignUps:
    """POST of a complete sign-up, as the burst's wrk script sends it (bench/signup.lua):
    a fresh address and form token each time, a workshop, the CSRF cookie and token."""

    def __init__(self, client):
        import re

        from events.models import Session

        self.client, self.number = client, 0
        html = client.get("/fr/inscription/").content.decode()
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        self.bookable = [
            (s.slot_id, s.pk) for s in Session.objects.filter(type__slug="atelier").order_by("pk")
        ]

    def __call__(self):
        import uuid

        self.number += 1
        slot, session = self.bookable[self.number % len(self.bookable)]
        data = {
            "csrfmiddlewaretoken": self.token,
            "form_token": str(uuid.uuid4()),
            "civility": "mme",
            "first_name": "Bench",
            "last_name": f"Client {self.number}",
            "email": f"c{self.number}-{uuid.uuid4().hex[:8]}@bench.example.org",
            "phone_0": "FR",
            "phone_1": "0612345678",
            "organisation": "Ville de test",
            "organisation_type": "collectivite",
            "position": "Chargée de mission",
            "country": "FR",
            "language": "fr",
            "days": ["2026-07-08", "2026-07-09"],
            "privacy": "on",
            f"slot_{slot}": str(session),
        }
        response = self.client.post(
            "/fr/inscription/",
            urlencode(data, doseq=True),  # as a browser posts this form (not multipart)
            content_type="application/x-www-form-urlencoded",
            HTTP_REFERER="http://127.0.0.1/fr/inscription/",
        )
        return response.status_code == 302


class Scans:
    """A badge scanned at the desk, as bench/desk.py times it: the POST of the code, which
    answers with the card; first arrivals, every fifth badge scanned again."""

    def __init__(self, client, data):
        from django.contrib.auth import get_user_model

        self.client, self.codes, self.number = client, list(data["codes"]), 0
        # The desk's staff member (bench/data.py), logged in afresh: the session stored
        # with the data was signed with another run's SECRET_KEY.
        client.force_login(get_user_model().objects.get(username="accueil0"))

    def __call__(self):
        self.number += 1
        code = self.codes[-1] if self.number % 5 == 0 else self.codes.pop()
        response = self.client.post(
            "/admin/outils/accueil/scan/",
            urlencode({"q": code}),
            content_type="application/x-www-form-urlencoded",
        )
        return response.status_code == 200 and b"desk__card--" in response.content


def main():
    page = sys.argv[1] if len(sys.argv) > 1 else "manage"
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    lines = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    data_set = {"programme-miss": "programme", "scan": "desk"}.get(page, "people")
    # Kept between runs (delete it after a migration): building the data takes a while.
    # One per checkout: two checkouts may be at different migrations.
    work = Path(tempfile.gettempdir(), f"rencontres-profile-{ROOT.name}-{data_set}")
    work.mkdir(exist_ok=True)
    links = setup(
        work,
        build(data_set, people=2 * requests + 100),
        SIGNUP_RATE_LIMIT="1000000",  # the sign-ups profiled come from one address
    )
    copy = None
    if page in ("signup", "scan"):
        # Writes: each run works on a copy of the data as built (the same seats taken, the
        # same badges not scanned yet), thrown away at the end.
        from django.db import connection

        copy = Path(tempfile.mkdtemp(prefix=f"rencontres-profile-{page}-")) / "db.sqlite3"
        connection.close()
        # SQLite's backup, not a copy of the file: in WAL mode (the settings') the last
        # transactions may still be in the -wal file beside it.
        with (
            contextlib.closing(sqlite3.connect(work / "profile.sqlite3")) as source,
            contextlib.closing(sqlite3.connect(copy)) as target,
        ):
            source.backup(target)
        connection.settings_dict["NAME"] = str(copy)

    import time_machine
    from django.test import Client

    from bench.data import MAY, PARIS
    from events.pagecache import invalidate_programme

    client = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=page != "scan")
    # The desk's morning, as bench/desk.py's servers see it; otherwise registration open.
    now = datetime(2026, 7, 9, 8, 30, tzinfo=PARIS) if page == "scan" else MAY
    with time_machine.travel(now, tick=True):
        if page == "programme-miss":
            target = Pages(client, "/fr/programme/", invalidate_programme)
        elif page == "signup":
            target = SignUps(client)
        elif page == "scan":
            target = Scans(client, links)
        else:
            person = links["meetings"] if page == "meetings" else links["8"]
            target = Pages(client, person + ("modifier/" if page == "change" else ""))
        ceiling = Pages(client, "/__ceiling__/")
        for _ in range(20):  # warm: templates compiled, caches filled
            for name, each in (("page", target), ("ceiling", ceiling)):
                if not each():
                    raise SystemExit(f"the {name} did not answer as expected")
        timed = {}
        for name, each in (("page", target), ("ceiling", ceiling)):
            started, cpu = time.perf_counter(), time.process_time()
            for _ in range(requests):
                each()
            timed[name] = (
                (time.perf_counter() - started) / requests,
                (time.process_time() - cpu) / requests,
            )
        (page_wall, page_cpu), (ceiling_wall, ceiling_cpu) = timed["page"], timed["ceiling"]
        print(
            f"{page}: {1000 * page_wall:.2f} ms a request in process without the profiler "
            f"({1000 * page_cpu:.2f} ms CPU); ceiling {1000 * ceiling_wall:.2f} ms "
            f"({1000 * ceiling_cpu:.2f} ms CPU): ceiling_cpu / page_cpu = "
            f"{ceiling_cpu / page_cpu:.1%}"
        )
        # CPU time, not wall time: a write waits on the disk (SQLite's fsync), which is no
        # part of what the server's CPU can serve.
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(requests):
            target()
        profiler.disable()
    stats = pstats.Stats(profiler)
    if len(sys.argv) > 4:  # a file for pstats (`python -m pstats FILE`: callers, callees)
        stats.dump_stats(sys.argv[4])
    total = stats.total_tt
    print(f"under cProfile: {1000 * total / requests:.2f} ms of CPU a request")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(lines)
        print(out.getvalue().split("\n", 4)[-1])
    if copy:
        shutil.rmtree(copy.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
