"""Several app servers and task workers sharing PostgreSQL and Redis, as the README's
production section describes: real processes, a real redis-server, a real SMTP server.

Two gunicorn masters (each with its own memory, as on two hosts) and two `db_worker`s run
with production's settings (DEBUG off, a SECRET_KEY, CACHE_URL=redis://…) on the test
database this session created; the data the tests write is committed (transactional
tests) so those processes see it.
"""

import contextlib
import email
import http.client
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from events.models import Session
from registration import emails
from registration.models import OutgoingEmail, Registration
from staff import sheets
from staff.models import BadgeSheet
from staff.tasks import build_badge_sheet
from tests.factories import make_edition, make_programme, make_registration
from tests.processes import app_servers, task_workers
from tests.redis import RedisUnavailable, redis_server
from tests.smtp import free_port, start_smtp

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SIGNUP_LIMIT = 2


@pytest.fixture(scope="module")
def redis_url():
    """A redis-server of the tests' own; the test fails, saying why, if it cannot start."""
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(redis_server())
        except RedisUnavailable as error:
            pytest.fail(str(error), pytrace=False)
        yield url


@pytest.fixture
def shared_redis(redis_url):
    """Empty at the start of each test (what an earlier one cached is not this one's)."""
    client = redis.Redis.from_url(redis_url)
    try:
        client.flushall()
        yield client
    finally:
        client.close()


@pytest.fixture(scope="module")
def smtp_server():
    port = free_port()
    inbox, controller = start_smtp(port)
    try:
        yield port, inbox
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def production_env(django_db_setup, django_db_blocker, redis_url, smtp_server, tmp_path_factory):
    """The environment of every app server and worker: production's settings on this
    session's test database, one Redis, one SMTP server, one folder for private files."""
    with django_db_blocker.unblock():
        db = connection.settings_dict
    assert db["ENGINE"].endswith("postgresql"), "several servers need PostgreSQL"
    user, password, host = (quote(db[key] or "", safe="") for key in ("USER", "PASSWORD", "HOST"))
    port = f":{db['PORT']}" if db["PORT"] else ""
    database_url = f"postgres://{user}:{password}@{host or '127.0.0.1'}{port}/{db['NAME']}"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "RATELIMIT_CACHE_URL", "TRUSTED_PROXY_HOPS"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.server_settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        CONN_MAX_AGE="0",  # no connection left open when the test database is flushed
        CACHE_URL=redis_url,  # the rate limits default to it too
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_server[0]}",
        SIGNUP_RATE_LIMIT=str(SIGNUP_LIMIT),
        VAR_DIR=str(tmp_path_factory.mktemp("var")),
    )
    return env


@pytest.fixture(scope="module")
def servers(production_env):
    """Server A and server B: two gunicorn masters behind an imaginary load balancer."""
    with app_servers(production_env, ["server-a", "server-b"]) as urls:
        yield urls


# --- A small HTTP client: one visitor of one server ----------------------------------------


class Visitor:
    """Keeps its cookies, follows no redirect."""

    def __init__(self, base_url):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies = {}

    def request(self, method, path, form=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.text = response.read().decode()
        finally:
            conn.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _sep, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form):
        return self.request("POST", path, form)


class FormFields(HTMLParser):
    """The fields a browser would submit from the form with the given id, as it is."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields = []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append(
                (attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
            )
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = [attrs.get("name"), ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            self.fields.append((name, value.removeprefix("\n")))
            self._textarea = None


def form_fields(html, form_id):
    parser = FormFields(form_id)
    parser.feed(html)
    parser.close()
    assert parser.fields, f"no form #{form_id} in the page"
    return parser.fields


def csrf_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


# --- The tests ------------------------------------------------------------------------------


def test_both_cache_aliases_live_in_the_shared_redis(production_env, shared_redis):
    """With CACHE_URL=redis://…, the page cache and the rate-limit counters (which default
    to the same Redis, under their own prefix) are written to it by a real process."""
    code = (
        "from django.core.cache import caches\n"
        "caches['default'].set('probe', 'page', None)\n"
        "counters = caches['ratelimit']\n"
        "counters.add('probe', 0, 60)\n"
        "print(counters.incr('probe'), counters.incr('probe'))\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=settings.BASE_DIR,
        env=production_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split()[-2:] == ["1", "2"]
    assert shared_redis.get("ratelimit:1:probe") == b"2"
    assert shared_redis.exists(":1:probe")


def test_an_admin_edit_on_one_server_is_on_the_others_cached_pages_at_once(
    servers, shared_redis, edition_2026, django_user_model
):
    a, b = servers
    django_user_model.objects.create_superuser("chef", "chef@example.org", "Tr3s-secret!")
    session = Session.objects.get(title_fr="Conférence plénière thématique")
    with translation.override("fr"):
        page = session.get_absolute_url()
    programme = "/fr/programme/"
    reader = Visitor(b)
    for path in (page, programme):
        response = reader.get(path)
        assert response.status == 200, response.text[:500]
        assert "Conférence plénière thématique" in response.text

    # Cached, and shared: a change that tells no one (no signal) shows on neither server,
    # though server A never rendered the page (it comes from Redis, not from A's memory).
    Session.objects.filter(pk=session.pk).update(title_fr="Titre jamais annoncé")
    for server in (b, a):
        assert "Conférence plénière thématique" in Visitor(server).get(page).text
    assert "Titre jamais annoncé" not in reader.get(programme).text

    # The editor works on server A, through the admin, as in a browser.
    editor = Visitor(a)
    login = editor.get("/admin/login/?next=/admin/")
    response = editor.post(
        "/admin/login/?next=/admin/",
        {
            "csrfmiddlewaretoken": csrf_token(login.text),
            "username": "chef",
            "password": "Tr3s-secret!",
            "next": "/admin/",
        },
    )
    assert response.status == 302, response.text[:2000]
    change = f"/admin/events/session/{session.pk}/change/"
    form = editor.get(change)
    assert form.status == 200
    fields = [
        (name, "Conférence plénière : le nouvel ordre mondial" if name == "title_fr" else value)
        for name, value in form_fields(form.text, "session_form")
    ]
    assert ("title_fr", "Conférence plénière : le nouvel ordre mondial") in fields
    response = editor.post(change, [*fields, ("_save", "Enregistrer")])
    assert response.status == 302, re.findall(r'class="errorlist[^>]*>(.*?)</ul>', response.text)
    session.refresh_from_db()
    assert session.title_fr == "Conférence plénière : le nouvel ordre mondial"

    # Server B had both pages cached: the edit is on them at the next request.
    for path in (page, programme):
        html = reader.get(path).text
        assert "Conférence plénière : le nouvel ordre mondial" in html, path
        assert "Conférence plénière thématique" not in html, path


@pytest.fixture
def open_edition_now():
    """An edition whose registration is open today (whatever today is), with workshops."""
    now = timezone.now()
    start = timezone.localdate() + timedelta(days=60)
    edition = make_edition(
        start=start,
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=30),
    )
    with translation.override("fr"):
        make_programme(edition, sessions=2, per_slot=2)
    return edition


def sign_up_form(html, edition, number):
    return {
        "csrfmiddlewaretoken": csrf_token(html),
        "form_token": str(uuid.uuid4()),
        "civility": "mme",
        "first_name": "Awa",
        "last_name": f"Diallo {number}",
        "email": f"awa.{number}@example.org",
        "phone_0": "FR",
        "phone_1": "06 12 34 56 78",
        "organisation": "Ville de Dakar",
        "organisation_type": "collectivite",
        "position": "Adjointe au maire",
        "country": "SN",
        "language": "fr",
        "days": [edition.days[0].isoformat()],
        "privacy": "on",
        "website": "",
    }


def test_rate_limits_are_counted_together_by_all_servers(servers, shared_redis, open_edition_now):
    """SIGNUP_RATE_LIMIT=2 valid sign-ups per address: one through A, one through B, and
    the third is refused by whichever server it reaches."""
    a, b = servers
    visitors = {"A": Visitor(a), "B": Visitor(b)}
    pages = {}
    for name, visitor in visitors.items():
        response = visitor.get("/fr/inscription/")
        assert response.status == 200
        assert 'name="first_name"' in response.text, "registration is not open"
        pages[name] = response.text

    outcomes = []
    for number, name in enumerate(["A", "B", "A", "B"], start=1):
        response = visitors[name].post(
            "/fr/inscription/", sign_up_form(pages[name], open_edition_now, number)
        )
        outcomes.append((name, response.status))
    assert outcomes == [("A", 302), ("B", 302), ("A", 429), ("B", 429)]
    assert Registration.objects.count() == SIGNUP_LIMIT
    assert any(b"signup" in key for key in shared_redis.scan_iter()), "no counter in Redis"


def wait_for(condition, seconds, workers, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {w.name}\n{w.output()[-3000:]}" for w in workers)
            pytest.fail(f"{what} after {seconds} s\n{logs}")
        for worker in workers:
            if worker.popen.poll() is not None:
                pytest.fail(f"{worker.name} stopped:\n{worker.output()[-3000:]}")
        time.sleep(0.2)


def test_two_workers_send_each_email_once_and_build_each_sheet_once(
    production_env, smtp_server, shared_redis, edition_2026, admin_user
):
    _port, inbox = smtp_server
    inbox.messages.clear()
    people = [make_registration(edition_2026, language="fr") for _ in range(30)]
    sheet_people = Registration.objects.filter(pk__in=[p.pk for p in people[:4]])

    with task_workers(production_env, ["worker-a", "worker-b"]) as workers:
        # Everything queued at once, while both workers are polling.
        with transaction.atomic():
            for person in people:
                emails.confirmation_again(person)
            built = [
                sheets.badge_sheet_request(
                    edition=edition_2026,
                    registrations=sheet_people,
                    description=f"Planche {n}",
                    user=admin_user,
                )
                for n in range(2)
            ]
            for sheet in built:  # each sheet's task queued twice, as a retry would
                build_badge_sheet.enqueue(sheet.pk)

        def done():
            return (
                not OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING).exists()
                and not BadgeSheet.objects.filter(
                    status__in=[BadgeSheet.Status.PENDING, BadgeSheet.Status.RUNNING]
                ).exists()
                and len(inbox.messages) >= 30
            )

        wait_for(done, 90, workers, "the queue was not worked through")
        time.sleep(0.5)  # a message sent twice would arrive now

        results = list(DBTaskResult.objects.all())

    rows = OutgoingEmail.objects.all()
    assert [row.status for row in rows] == [OutgoingEmail.Status.SENT] * 30
    received = [email.message_from_string(message)["Message-ID"] for message in inbox.messages]
    assert len(received) == 30, "a message was sent more than once"
    assert sorted(received) == sorted(row.message_id for row in rows)

    for sheet in built:
        sheet.refresh_from_db()
        assert sheet.status == BadgeSheet.Status.READY, sheet.error
    private = production_env["VAR_DIR"] + "/private/badge-sheets"
    assert sorted(os.listdir(private)) == sorted(f"badges-{s.pk}.pdf" for s in built)

    # Each claim also queues a task for when it expires (in 15 minutes), which would take
    # a message over from a worker that died while sending: due later, not run here.
    ran = [r for r in results if r.status != "READY"]
    takeovers = [r for r in results if r.status == "READY"]
    assert len(ran) == 30 + 4
    assert len(takeovers) == 30
    assert all(r.run_after > timezone.now() for r in takeovers)
    assert {r.status for r in ran} == {"SUCCESSFUL"}, [r.traceback for r in ran]
    assert all(len(r.worker_ids) == 1 for r in ran)  # each task run by one worker
    assert {r.worker_ids[0] for r in ran} == {"worker-a", "worker-b"}  # both worked
