"""Limits count what costs (valid sign-ups, emails, changes), per real visitor, in a store
that page traffic cannot evict."""

from django.core import mail
from django.core.cache import caches

from registration.models import AccessKey, OutgoingEmail, Registration
from tests.registration.conftest import change_data, form_data
from tests.worker import run_worker

URL = "/fr/inscription/"


def test_behind_the_proxy_each_visitor_has_their_own_allowance(client, open_edition, settings):
    """Opening day behind one reverse proxy: every request comes from its address. The
    limit applies to each visitor, not to the proxy (it locked everyone out before)."""
    settings.TRUSTED_PROXY_HOPS = 1
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": (1, 3600)}
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(5):
        response = client.post(
            URL,
            form_data(email=f"p{n}@example.org"),
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
            **proxy,
        )
        assert response.status_code == 302, n
    again = client.post(
        URL, form_data(email="p9@example.org"), HTTP_X_FORWARDED_FOR="198.51.100.0", **proxy
    )
    assert again.status_code == 429  # the first visitor used their allowance
    assert Registration.objects.count() == 5


def test_a_forged_header_buys_no_attempt_without_a_trusted_proxy(client, open_edition, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": (1, 3600)}
    assert client.post(URL, form_data(email="a@example.org")).status_code == 302
    forged = client.post(
        URL, form_data(email="b@example.org"), HTTP_X_FORWARDED_FOR="198.51.100.77"
    )
    assert forged.status_code == 429


def test_only_valid_sign_ups_count(client, open_edition, settings):
    """Typing mistakes, robots caught by the honeypot and reloads cost nothing."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": (1, 3600)}
    for _ in range(40):
        invalid = client.post(URL, form_data(email="pas-une-adresse"))
        assert invalid.status_code == 200
    robot = client.post(URL, form_data(email="r@example.org", website="http://spam.example"))
    assert robot.status_code == 302
    assert client.post(URL, form_data()).status_code == 302
    assert Registration.objects.count() == 1


def test_a_town_hall_registers_forty_staff_from_one_address(client, open_edition):
    """With the real limits: a whole office behind one address gets through."""
    for n in range(40):
        response = client.post(URL, form_data(email=f"agent{n}@mairie.example"))
        assert response.status_code == 302, n
    assert Registration.objects.count() == 40


def test_counters_survive_a_flood_of_cached_pages(client, open_edition, settings):
    """Page-cache entries (the file cache culls a third of them past 300) live apart from
    the counters: filling the page cache resets no limit."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": (1, 3600)}
    assert client.post(URL, form_data(email="a@example.org")).status_code == 302
    pages = caches["default"]
    for n in range(1200):
        pages.set(f"page:flood:{n}", b"x" * 10, timeout=3600)
    assert client.post(URL, form_data(email="b@example.org")).status_code == 429


def test_lost_link_counts_per_visitor_and_per_address_asked(client, registered, settings):
    """Each request may send an email: 429 past the visitor's allowance; past the allowance
    of the address asked for, the same answer and no email (no mailbox flooded)."""
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "lost_link": (10, 3600),
        "lost_link_address": (2, 3600),
    }
    url = "/fr/inscription/lien-perdu/"
    for n in range(4):
        response = client.post(url, {"email": "awa.diallo@example.org"}, REMOTE_ADDR=f"10.0.0.{n}")
        assert response.status_code == 302
    mail.outbox.clear()
    run_worker()
    assert len(mail.outbox) == 2


def test_changes_by_one_person_are_limited(client, registered, settings):
    """20 changes made 21 emails (and 21 keys): past the allowance the form answers 429
    and nothing more is written or sent."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "change": (3, 3600)}
    registration, link = registered
    emails_before = OutgoingEmail.objects.count()
    keys_before = AccessKey.objects.count()
    for n in range(3):
        response = client.post(link + "modifier/", change_data(position=f"Poste {n}"))
        assert response.status_code == 302
    refused = client.post(link + "modifier/", change_data(position="Encore"))
    assert refused.status_code == 429
    registration.refresh_from_db()
    assert registration.position == "Poste 2"
    assert OutgoingEmail.objects.count() - emails_before == 3
    assert AccessKey.objects.count() - keys_before <= 3
    assert Registration.objects.count() == 1
