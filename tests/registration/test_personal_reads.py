"""The attendee's pages read in one statement and are kept once rendered (pagememo): the
reads answer what the ORM answers, and a kept page is always the page rendered now."""

import re

import pytest
import time_machine
from django import forms
from django.db.models import Count
from django.utils import translation
from django_countries.widgets import LazySelect

from events.models import Session
from registration import pagememo, queries, services
from registration.forms import LongSelect, RegistrationChangeForm
from registration.models import AccessKey, Booking, Registration
from tests.registration.conftest import MAY
from tests.registration.people import bookable, more_slots, sign_up

pytestmark = pytest.mark.sqlite  # hand-written SQL, one text per engine

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def token_of(path):
    return path.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture
def queue(open_edition):
    """A one-seat workshop: `first` holds the seat, `second` then `third` wait for it; each
    has 8 bookings. The edition has a place for three people: `late` waits for one."""
    more_slots(open_edition)
    slots = bookable(open_edition)
    tight = slots[0][0]
    tight.capacity = 1
    tight.save()
    others = [sessions[-1] for sessions in slots[1:]]
    open_edition.capacity = 3
    open_edition.save()
    people = {
        name: sign_up(open_edition, name, [tight, *others])
        for name in ("First", "Second", "Third", "Late")
    }
    return tight, people


def test_one_statement_reads_what_the_orm_reads(queue, django_assert_num_queries):
    tight, people = queue
    queries.registration_for_link(token_of(people["First"][1]))  # the edition, cached
    for registration, path in people.values():
        with django_assert_num_queries(1):
            read = queries.registration_for_link(token_of(path))
        found = AccessKey.objects.find(token_of(path))
        fields = [f.attname for f in Registration._meta.concrete_fields]
        assert [getattr(read, f) for f in fields] == [getattr(found, f) for f in fields]
        assert read.edition == found.edition and read.edition.venue == found.edition.venue
        assert read.days_read == tuple(registration.days.values_list("day", flat=True))
        orm = queries.bookings_with_positions(registration)
        assert read.bookings_read == tuple(
            sorted(
                queries.BookingRow(b.pk, b.session_id, b.slot_id, b.status, b.ahead) for b in orm
            )
        )
        assert read.waitlist_read == queries.waitlist_position(registration)
    # A real queue on the one-seat workshop: 0, 1 and 2 people ahead.
    aheads = [
        [
            b.ahead
            for b in read.bookings_read
            if b.session_id == tight.pk and b.status == "waitlisted"
        ]
        for read in (queries.registration_for_link(token_of(p)) for _r, p in people.values())
    ]
    assert aheads == [[], [0], [1], [2]]
    assert queries.registration_for_link(token_of(people["Late"][1])).waitlist_read == 1


def test_seats_taken_counts_what_the_orm_counts(queue, open_edition):
    orm = dict(
        Booking.objects.filter(session__slot__edition=open_edition, status="confirmed")
        .values_list("session")
        .annotate(n=Count("pk"))
        .order_by()
    )
    assert queries.seats_taken(open_edition) == orm and sum(orm.values()) > 8
    # The change form reads them with the link, in its one statement.
    _tight, people = queue
    read = queries.registration_for_link(token_of(people["Third"][1]), seats=True)
    assert read.seats_read == orm
    assert (
        read.bookings_read
        == queries.registration_for_link(token_of(people["Third"][1])).bookings_read
    )


def test_only_a_live_key_with_its_secret_opens(queue):
    _tight, people = queue
    token = token_of(people["First"][1])
    selector, secret = token.split("-", 1)
    for wrong in (
        f"{selector}-{secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}",
        selector,
        f"-{secret}",
        f"{'0' * 16}-{secret}",
        f"{token_of(people['Second'][1]).split('-')[0]}-{secret}",
        "",
        None,
    ):
        assert queries.registration_for_link(wrong) is None, wrong
    key = AccessKey.objects.get(selector=selector)
    with time_machine.travel(key.expires_at, tick=False):
        assert queries.registration_for_link(token) is None  # expired at that very moment
        assert AccessKey.objects.find(token) is None


def test_a_kept_page_is_served_without_rendering_and_its_form_posts(client, queue):
    _tight, people = queue
    path = people["Second"][1]
    first = client.get(path)
    again = client.get(path)
    assert first.templates and not again.templates  # the second one was kept
    assert again["Cache-Control"] == "no-store" and again["Referrer-Policy"] == "no-referrer"
    assert again.content == first.content
    form = client.get(path + "modifier/")
    kept = client.get(path + "modifier/")
    assert form.templates and not kept.templates
    tokens = CSRF.findall(form.text) + CSRF.findall(kept.text)
    assert len(tokens) == 2 and tokens[0] != tokens[1]  # each display its own CSRF token
    assert CSRF.sub("", kept.text) == CSRF.sub("", form.text)
    # The kept page's token is a real one: the form posts with it (a strict client).
    client.handler.enforce_csrf_checks = True
    registration = people["Second"][0]
    data = {"csrfmiddlewaretoken": tokens[1], **_change_data(registration)}
    data["organisation"] = "Région Occitanie"
    response = client.post(path + "modifier/", data)
    assert response.status_code == 302, response.content[:500]
    registration.refresh_from_db()
    assert registration.organisation == "Région Occitanie"


def test_a_kept_form_gives_a_new_visitor_a_working_token(client, queue):
    """A kept change form opened without a CSRF cookie (another browser) sets one, and its
    token, masked afresh on each display, unmasks to that cookie's secret: the form posts."""
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token
    from django.test import Client

    _tight, people = queue
    registration, path = people["Third"]
    assert client.get(path + "modifier/").templates  # rendered and kept
    visitor = Client(enforce_csrf_checks=True)
    first, second = visitor.get(path + "modifier/"), visitor.get(path + "modifier/")
    assert not first.templates and not second.templates  # both served kept
    secret = visitor.cookies["csrftoken"].value
    tokens = [CSRF.search(r.text).group(1) for r in (first, second)]
    assert tokens[0] != tokens[1] and len(tokens[0]) == 64
    assert [_unmask_cipher_token(t) for t in tokens] == [secret, secret]
    drawn = "".join(pagememo._random_chars(32) for _ in range(200))
    assert set(drawn) == set(CSRF_ALLOWED_CHARS)  # every character drawn, none other
    data = {"csrfmiddlewaretoken": tokens[0], **_change_data(registration)}
    data["organisation"] = "Ville de Rabat"
    assert visitor.post(path + "modifier/", data).status_code == 302
    registration.refresh_from_db()
    assert registration.organisation == "Ville de Rabat"


def _change_data(registration):
    data = {
        "civility": registration.civility,
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "phone_0": "SN",
        "phone_1": "77 123 45 67",
        "organisation": registration.organisation,
        "organisation_type": registration.organisation_type,
        "position": registration.position,
        "country": registration.country.code,
        "is_elected": "on",
        "language": registration.language,
        "lunch": "on",
        "photo_consent": "on",
        "days": [d.isoformat() for d in registration.days.values_list("day", flat=True)],
        "dietary_needs": "",
        "accessibility_needs": "",
    }
    for booking in registration.bookings.all():
        data[f"slot_{booking.slot_id}"] = str(booking.session_id)
    return data


def test_kept_pages_hold_no_secret(client, queue):
    _tight, people = queue
    pagememo.pages.clear()
    path = people["Third"][1]
    shown = [client.get(path), client.get(path + "modifier/")]
    token = token_of(path)
    secrets = [token, token.split("-", 1)[1], *CSRF.findall(shown[1].text)]
    assert token in shown[0].text and all(s in shown[1].text for s in secrets)
    assert len(pagememo.pages.entries) == 2
    for page in pagememo.pages.entries.values():
        assert b"<html" in page.stored  # the page itself is searched
        assert not any(s.encode() in page.stored for s in secrets)


def test_made_up_parameters_add_no_kept_page(client, queue):
    """The personal page and its change form read no parameter: a link with any query
    string added is the same page, kept once, so nobody with a link can fill the store with
    copies and push everyone else's pages out."""
    _tight, people = queue
    pagememo.pages.clear()
    path = people["Third"][1]
    for page in (path, path + "modifier/"):
        assert client.get(page).templates  # rendered, then kept
        for number in range(5):
            again = client.get(page, {"x": number, "utm_source": "mail"})
            assert again.status_code == 200 and not again.templates  # the kept page
    assert len(pagememo.pages.entries) == 2


def test_what_others_do_shows_at_once(client, queue):
    """Nothing in Third's own row changes, yet its page follows the queue ahead of it."""
    tight, people = queue
    third = people["Third"][1]
    assert "Liste d'attente : position 2" in client.get(third).text
    assert not client.get(third).templates  # kept
    services.registration_cancel(registration=people["Second"][0], now=MAY)
    assert "Liste d'attente : position 1" in client.get(third).text
    services.registration_cancel(registration=people["First"][0], now=MAY)
    page = client.get(third).text  # the seat went to Third
    assert "Liste d'attente : position" not in page and page.count("Place confirmée") == 8
    # Late took First's place in the edition: confirmed, its page says so at once.
    assert "Inscription confirmée" in client.get(people["Late"][1]).text
    assert Session.objects.get(pk=tight.pk).bookings.filter(status="confirmed").count() == 1


def test_a_programme_change_shows_at_once(client, queue):
    tight, people = queue
    path = people["First"][1]
    assert tight.title in client.get(path).text
    assert tight.title in client.get(path + "modifier/").text
    tight.title = "Atelier renommé par l’équipe"
    tight.save()  # as the admin saves it: a new programme version
    assert "Atelier renommé par l’équipe" in client.get(path).text
    assert "Atelier renommé par l’équipe" in client.get(path + "modifier/").text


def test_a_personal_page_reads_the_programme_version_once(client, queue, monkeypatch):
    """The edition, the sessions and the memo key share one read of the shared cache's
    programme version per request (each read is a round trip to Redis in production)."""
    from events import pagecache

    reads = []
    get = pagecache.cache.get

    def counted(key, *args, **kwargs):
        if key == pagecache.VERSION_KEY:
            reads.append(key)
        return get(key, *args, **kwargs)

    monkeypatch.setattr(pagecache.cache, "get", counted)
    page = queue[1]["First"][1]
    for path in (page, page + "modifier/", page + "annuler/"):
        for _ in range(2):  # rendered, then kept (pagememo)
            reads.clear()
            assert client.get(path).status_code == 200
            assert len(reads) == 1, path


def test_seats_left_show_at_once_on_the_change_form(client, queue, open_edition):
    _tight, people = queue
    spare = bookable(open_edition)[0][1]  # the other workshop of the one-seat slot
    spare.capacity = 6
    spare.save()
    open_edition.capacity = 600  # Someone below is confirmed, and so takes a seat
    open_edition.save()
    path = people["Late"][1] + "modifier/"
    assert "dernières places" not in client.get(path).text
    sign_up(open_edition, "Someone", [spare])  # 5 seats left: the label changes
    assert f"{spare.title} — {spare.room} — dernières places" in client.get(path).text


def test_closing_registration_hides_the_change_button(client, queue, open_edition):
    _tight, people = queue
    path = people["First"][1]
    assert "Modifier mon inscription ou mes sessions" in client.get(path).text
    with time_machine.travel(open_edition.registration_closes_at, tick=False):
        page = client.get(path).text
    assert "Modifier mon inscription ou mes sessions" not in page
    assert "Annuler mon inscription" in page


def test_a_message_shows_once(client, queue):
    _tight, people = queue
    registration, path = people["First"]
    client.get(path)  # kept without a message
    response = client.post(path + "modifier/", _change_data(registration))
    assert response.status_code == 302
    assert "Vos modifications sont enregistrées." in client.get(path).text
    assert "Vos modifications sont enregistrées." not in client.get(path).text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_long_lists_render_as_django_renders_them(open_edition, language):
    """The country and phone-prefix lists: the same HTML as Django's own Select."""
    registration, _path = sign_up(open_edition, "Listes", [])
    with translation.override(language):
        form = RegistrationChangeForm(
            instance=registration,
            edition=open_edition,
            bookable=queries.bookable_slots(open_edition),
        )
        fast = [str(form["country"]), str(form["phone"])]
        assert 'value="SN" selected' in fast[0] and 'value="SN" selected' in fast[1]
        LongSelect.rendered.clear()
        assert [str(form["country"]), str(form["phone"])] == fast  # rendered again: same
        # Back to the widgets the fields had: django-countries' and Django's own Select.
        form.fields["country"].widget.__class__ = LazySelect
        form.fields["phone"].widget.widgets[0].__class__ = forms.Select
        assert [str(form["country"]), str(form["phone"])] == fast


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_link_statement_is_the_connection_health_check(client, open_edition, monkeypatch):
    """With persistent connections and CONN_HEALTH_CHECKS, Django sends `SELECT 1` before a
    request's first query: a round trip more than the page's one statement. The statement
    is the check: no `SELECT 1` on a live connection, and on one the server dropped (a
    restart) the page is read on a new connection, not a server error."""
    import psycopg
    from django.db import close_old_connections, connection

    from tests.postgres import database_url

    _registration, path = sign_up(open_edition, "Santé", [])
    assert client.get(path).status_code == 200  # the connection is open
    # Kept between requests, checked before each one's first query: as in production
    # (CONN_MAX_AGE, CONN_HEALTH_CHECKS), not as in the tests' settings.
    connection.health_check_enabled, connection.close_at = True, None
    checks = []
    is_usable = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or is_usable())

    close_old_connections()  # what each request starts with (request_started)
    assert connection.connection is not None and not connection.health_check_done
    assert client.get(path).status_code == 200
    assert checks == [] and connection.health_check_done  # checked by the statement itself

    pid = connection.connection.info.backend_pid
    server = database_url().rsplit("/", 1)[0] + "/postgres"  # the same server
    with psycopg.connect(server, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    close_old_connections()
    assert connection.connection is not None and not connection.health_check_done
    response = client.get(path)
    assert response.status_code == 200 and "Santé" in response.content.decode()
    assert checks == [1]  # the failed statement's one check: the connection was dead
    assert connection.connection.info.backend_pid != pid


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("setting", [True, False])
def test_the_link_statement_is_prepared_unless_told_not_to(client, open_edition, settings, setting):
    """Prepared once per connection, unless PREPARED_STATEMENTS is off (behind a pooler in
    transaction mode): the page reads the same either way."""
    from django.db import connection

    settings.PREPARED_STATEMENTS = setting
    _registration, path = sign_up(open_edition, "Santé", [])
    connection.close()  # a new connection: nothing prepared on it yet
    for _ in range(2):
        response = client.get(path)
        assert response.status_code == 200 and "Santé" in response.content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert (cursor.fetchone()[0] > 0) is setting
