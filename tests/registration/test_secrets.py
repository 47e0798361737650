"""Personal links stay secret: minted by the worker when a message is sent, stored nowhere
in clear (outbox, admin), few and expiring; « lien perdu » gives nothing away (the logs:
test_log_secrets.py)."""

import io
import re
import secrets
from datetime import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from registration.models import AccessKey, OutgoingEmail, Registration
from staff.privacy import retention_ends
from tests.factories import PARIS
from tests.registration.conftest import (
    change_data,
    form_data,
    last_link,
    token_in,
    workshop,
)
from tests.worker import run_worker

EMAILS = "/admin/registration/outgoingemail/"
LOST_LINK = "/fr/inscription/lien-perdu/"


@pytest.fixture
def no_rate_limits(settings):
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, (1000, 3600))


# --- 1. No readable secret in the outbox or the admin --------------------------------------


def test_staff_who_may_view_emails_never_see_a_secret(client, registered, django_user_model):
    """A staff account with only « view email » opens the list and the confirmation: the
    link's secret half is in neither page, nor anywhere in the database."""
    _registration, link = registered
    selector, secret = token_in(link)
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_outgoingemail"))
    client.force_login(viewer)
    email = OutgoingEmail.objects.get()
    listing = client.get(EMAILS)
    page = client.get(f"{EMAILS}{email.pk}/change/")
    assert listing.status_code == page.status_code == 200
    assert "Confirmation de votre inscription" in listing.text
    assert secret not in listing.text
    assert secret not in page.text
    database = io.StringIO()
    call_command("dumpdata", stdout=database)
    assert secret not in database.getvalue()
    assert f"/fr/inscription/espace/{selector}-…/" in page.text  # which link was sent


def test_send_again_mints_a_fresh_link(client, admin_client, registered, send):
    _registration, first = registered
    email = OutgoingEmail.objects.get()
    send(admin_client.post, EMAILS, {"action": "send_again", "_selected_action": [email.pk]})
    again = last_link("awa.diallo@example.org")
    assert again != first
    assert client.get(again).status_code == client.get(first).status_code == 200
    copy = OutgoingEmail.objects.exclude(pk=email.pk).get()
    assert copy.status == OutgoingEmail.Status.SENT
    stored = copy.subject + copy.body + copy.html_body + str(copy.context)
    assert token_in(again)[1] not in stored
    assert token_in(first)[1] not in stored


@pytest.mark.sqlite  # a data migration, run on both engines
def test_the_migration_cuts_the_secrets_already_stored(transactional_db, edition_2026):
    """Rows written before links were minted at send time: context links removed, the
    secret half of every link in text and HTML masked, keys given their expiry."""
    old = [("registration", "0003_registration_anonymised_at")]
    executor = MigrationExecutor(connection)
    # Every app's latest state: apps built on registration (meetings, outreach, staff) are
    # unapplied with it, and later tests need their tables back.
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(old)
    apps = executor.loader.project_state(old).apps
    registration = apps.get_model("registration", "Registration").objects.create(
        edition_id=edition_2026.pk,
        last_name="Diallo",
        email="awa.diallo@example.org",
        organisation="Ville de Dakar",
        organisation_type="collectivite",
        country="SN",
        privacy_consent_at=datetime(2026, 5, 12, tzinfo=PARIS),
        form_token="6f1c2f0e-8d1a-4c57-9c2a-1f5a3a7f0b11",
        checkin_code="ABCDEFGHJK",
    )
    apps.get_model("registration", "AccessKey").objects.create(
        registration=registration, selector="0123456789abcdef", verifier_hash="0" * 64
    )
    secret = secrets.token_urlsafe(32)
    url = f"http://127.0.0.1:8000/fr/inscription/espace/0123456789abcdef-{secret}/"
    english = f"http://127.0.0.1:8000/en/registration/space/0123456789abcdef-{secret}/"
    apps.get_model("registration", "OutgoingEmail").objects.create(
        registration=registration,
        kind="registration_created",
        to="awa.diallo@example.org",
        context={"url": url, "badge_url": url + "badge.pdf", "session_title": "Atelier 1"},
        subject="Confirmation",
        body=f"Votre espace :\n{url}\n\nVotre badge :\n{url}badge.pdf\n",
        html_body=f'<a href="{english}">{english}</a>',
        message_id="<1@example.org>",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    email = OutgoingEmail.objects.get()
    assert email.context == {"session_title": "Atelier 1"}
    assert secret not in email.body + email.html_body
    assert "/fr/inscription/espace/0123456789abcdef-…/badge.pdf" in email.body
    assert "/en/registration/space/0123456789abcdef-…/" in email.html_body
    key = AccessKey.objects.get()
    assert key.expires_at == datetime(2027, 7, 9, tzinfo=PARIS)


# --- 2. Few keys, and they expire -----------------------------------------------------------


def test_twenty_changes_mint_no_key(client, registered, send, no_rate_limits):
    """Messages that only inform carry no link: they point to « lien perdu »."""
    _registration, link = registered
    assert AccessKey.objects.count() == 1
    mail.outbox.clear()
    for n in range(20):
        response = send(client.post, link + "modifier/", change_data(organisation=f"Ville {n}"))
        assert response.status_code == 302
    assert AccessKey.objects.count() == 1
    assert len(mail.outbox) == 20
    for message in mail.outbox:
        html = message.alternatives[0][0]
        assert "/espace/" not in message.body and "/espace/" not in html
        assert "http://127.0.0.1:8000/fr/inscription/lien-perdu/" in message.body
        assert 'href="http://127.0.0.1:8000/fr/inscription/lien-perdu/"' in html
    assert client.get(link).status_code == 200  # the confirmation's link still works


def test_a_freed_seat_is_told_without_a_new_link(client, open_edition, send):
    """Seat freed in a session: an informational message, in English for an English
    speaker, with the English « lien perdu » address."""
    session = workshop(1)
    session.capacity = 1
    session.save()
    send(client.post, "/fr/inscription/", form_data())
    send(client.post, "/en/registration/", form_data(email="b@example.org", language="en"))
    link = last_link("awa.diallo@example.org")
    keys = AccessKey.objects.count()
    mail.outbox.clear()
    send(client.post, link + "annuler/")
    (promoted,) = [m for m in mail.outbox if m.to == ["b@example.org"]]
    assert "Thematic workshop 1" in promoted.body  # the session in her language
    assert "http://127.0.0.1:8000/en/registration/lost-link/" in promoted.body
    assert "/space/" not in promoted.body
    assert AccessKey.objects.count() == keys


def test_at_most_five_links_work_and_the_oldest_goes_first(
    client, registered, send, no_rate_limits
):
    _registration, first = registered
    links = [first]
    for _ in range(6):
        send(client.post, LOST_LINK, {"email": "awa.diallo@example.org"})
        links.append(last_link("awa.diallo@example.org"))
    assert len(set(links)) == 7
    assert AccessKey.objects.count() == 5
    assert [client.get(link).status_code for link in links] == [404, 404] + [200] * 5


def test_links_expire_with_the_personal_data(client, registered, time_machine):
    registration, link = registered
    key = AccessKey.objects.get()
    assert key.expires_at == datetime(2027, 7, 9, tzinfo=PARIS)
    assert key.expires_at.astimezone(PARIS).date() == retention_ends(registration.edition)
    time_machine.move_to(datetime(2027, 7, 8, 23, 59, tzinfo=PARIS))
    assert client.get(link).status_code == 200
    time_machine.move_to(datetime(2027, 7, 9, 0, 1, tzinfo=PARIS))
    assert client.get(link).status_code == 404  # before the purge has even run


# --- 3. « Lien perdu » does the same work for any address -----------------------------------

# Values and savepoint names: what differs between two runs of the same statements.
LITERALS = re.compile(r"'(?:[^']|'')*'|\"s\d+_x\d+\"|\b\d+(?:\.\d+)?\b")


def statements(client, address):
    with CaptureQueriesContext(connection) as captured:
        assert client.post(LOST_LINK, {"email": address}).status_code == 302
    return [LITERALS.sub("?", query["sql"]) for query in captured.captured_queries]


def test_lost_link_does_the_same_work_for_any_address(client, registered, no_rate_limits):
    statements(client, "warm-up@example.org")  # caches filled the same for both
    mail.outbox.clear()
    keys, emails = AccessKey.objects.count(), OutgoingEmail.objects.count()
    known = statements(client, "Awa.Diallo@example.org")
    unknown = statements(client, "nobody@example.org")
    assert known == unknown
    task_table = DBTaskResult._meta.db_table
    assert any(sql.startswith(f'INSERT INTO "{task_table}"') for sql in known)  # the task
    assert not any("registration_" in sql for sql in known)  # not even a look-up
    assert (AccessKey.objects.count(), OutgoingEmail.objects.count()) == (keys, emails)
    run_worker()
    (message,) = mail.outbox
    assert message.to == ["awa.diallo@example.org"]
    assert client.get(last_link("awa.diallo@example.org")).status_code == 200


def test_a_second_sign_up_is_looked_up_by_the_worker(client, registered):
    """The same address signs up again: the request queues the look-up, the worker sends
    the existing registration a fresh link."""
    mail.outbox.clear()
    keys, emails = AccessKey.objects.count(), OutgoingEmail.objects.count()
    response = client.post("/fr/inscription/", form_data(last_name="Autre"))
    assert response.status_code == 302 and response["Location"] == "/fr/inscription/merci/"
    assert (AccessKey.objects.count(), OutgoingEmail.objects.count()) == (keys, emails)
    run_worker()
    (message,) = mail.outbox
    assert "déjà inscrite" in message.body
    assert client.get(last_link("awa.diallo@example.org")).status_code == 200
    assert Registration.objects.get().last_name == "Diallo"
