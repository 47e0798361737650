"""`make bench`, part 3: badges.

One badge downloaded over HTTP from gunicorn (1 worker), through its secret link:
rendered (the registration changed just before) and cached (unchanged), median of runs.
Then the staff sheet: 1,000 badges in one WeasyPrint document, four per A4 page, built by
the task's own function, timed once.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server import gunicorn  # noqa: E402

PY = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "8767"))
RUNS = int(os.environ.get("BENCH_BADGE_RUNS", "15"))
SHEET = int(os.environ.get("BENCH_SHEET_BADGES", "1000"))
NAMES = [
    ("Éloïse", "Lefèvre-Dürrenmatt"),
    ("小明", "王"),
    ("محمد", "العلي"),
    ("Сергей", "Собянин"),
    ("Nguyễn Thị", "Minh Khai"),
    ("Γιώργος", "Παπαδόπουλος"),
]


def setup_django(env):
    os.environ.update(env)
    import django

    django.setup()


def make_people(count):
    from django.utils import timezone

    from events.models import Edition
    from registration.models import AccessKey, AttendanceDay, Registration

    edition = Edition.objects.get(number=17)
    people = Registration.objects.bulk_create(
        Registration(
            edition=edition,
            first_name=NAMES[i % len(NAMES)][0],
            last_name=f"{NAMES[i % len(NAMES)][1]} {i}",
            email=f"bench{i}@example.org",
            organisation="Ville de Test",
            organisation_type="collectivite",
            country="FR",
            category=["participant", "speaker", "press", "partner", "organiser"][i % 5],
            privacy_consent_at=timezone.now(),
            form_token=uuid.uuid4(),
        )
        for i in range(count)
    )
    AttendanceDay.objects.bulk_create(
        AttendanceDay(registration=p, day=day) for p in people for day in edition.days
    )
    return edition, people, AccessKey.issue(people[0])


def timed_get(url):
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback)
        body = response.read()
    elapsed = time.perf_counter() - started
    if not body.startswith(b"%PDF"):
        raise SystemExit(f"not a PDF: {body[:100]!r}")
    return elapsed * 1000


def main():
    var = tempfile.mkdtemp(prefix="rencontres-bench-badges-")
    Path(var, "static").mkdir()  # no page here needs static files
    env = {
        **os.environ,
        "VAR_DIR": var,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "rencontres.settings",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    subprocess.run([PY, "manage.py", "migrate", "-v0"], check=True, cwd=ROOT, env=env)
    subprocess.run(
        [PY, "manage.py", "load_edition", "fixtures/edition_2026.json", "-v0"],
        check=True,
        cwd=ROOT,
        env=env,
    )
    setup_django(env)
    from django.urls import reverse
    from django.utils import translation

    from registration.models import Registration
    from staff import sheets

    edition, people, token = make_people(SHEET)
    with translation.override("fr"):
        path = reverse("registration:badge", kwargs={"token": token})
    first = people[0]

    with gunicorn(env, PORT, workers="1", probe=path) as base:
        url = base + path
        rendered, cached = [], []
        for _ in range(RUNS):
            Registration.objects.get(pk=first.pk).save()  # a change: the badge is rebuilt
            rendered.append(timed_get(url))
            cached.append(timed_get(url))
    rendered, cached = statistics.median(rendered), statistics.median(cached)
    print("\nBadges (budgets from the badge issue)")
    print(
        f"  one badge, rendered: median {rendered:6.1f} ms ({RUNS} runs), "
        f"{rendered / 150:.0%} of 150 ms"
    )
    print(
        f"  one badge, cached:   median {cached:6.1f} ms ({RUNS} runs), {cached / 60:.0%} of 60 ms"
    )
    print(f"  rendered / cached: {rendered / cached:.0f}x")

    from django.contrib.auth.models import User

    user = User.objects.create_user("bench")
    sheet = sheets.badge_sheet_request(
        edition=edition,
        registrations=Registration.objects.filter(edition=edition),
        description="bench",
        user=user,
    )
    started = time.perf_counter()
    state = sheets.build(sheet.pk)
    elapsed = time.perf_counter() - started
    sheet.refresh_from_db()
    size = sheet.pdf.size / 1e6
    print(
        f"  sheet of {sheet.badges} badges: {elapsed:5.1f} s, {elapsed / 40:.0%} of 40 s; "
        f"{sheet.pages} A4 pages, {size:.1f} MB ({state}); "
        f"{1000 * elapsed / sheet.badges:.0f} ms per badge vs {rendered:.0f} ms alone"
    )


if __name__ == "__main__":
    main()
