"""Failed admin logins are throttled per client address and per username, before any
password is hashed."""

import pytest
from django.contrib.auth.signals import user_login_failed

LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        "agent", password="le-bon-mot-de-passe", is_staff=True
    )


@pytest.fixture
def attempts():
    """Each password check Django makes (and fails) sends user_login_failed."""
    seen = []

    def record(sender, credentials, **kwargs):
        seen.append(credentials["username"])

    user_login_failed.connect(record)
    yield seen
    user_login_failed.disconnect(record)


def log_in(client, username, password, address="203.0.113.5"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_a_username_is_locked_after_repeated_failures(client, staff, settings, attempts):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_username": (5, 900)}
    for n in range(5):
        assert log_in(client, "agent", f"faux-{n}", address=f"198.51.100.{n}").status_code == 200
    assert len(attempts) == 5
    # Even the right password, from yet another address: refused, with a clear message,
    # and without a password check (the guessing cannot go on).
    locked = log_in(client, "agent", "le-bon-mot-de-passe", address="198.51.100.99")
    assert locked.status_code == 200
    assert "Trop de tentatives de connexion échouées. Réessayez dans 15 minutes." in locked.text
    assert "_auth_user_id" not in client.session
    assert len(attempts) == 5
    # Another account is not locked by it.
    assert log_in(client, "autre", "x", address="198.51.100.98").status_code == 200
    assert len(attempts) == 6


def test_an_address_is_locked_after_repeated_failures(client, staff, settings, attempts):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_address": (3, 900)}
    for n in range(3):
        log_in(client, f"nom-{n}", "x")
    assert len(attempts) == 3
    locked = log_in(client, "agent", "le-bon-mot-de-passe")
    assert "Trop de tentatives de connexion échouées" in locked.text
    assert len(attempts) == 3
    # Another visitor still logs in.
    assert log_in(client, "agent", "le-bon-mot-de-passe", address="192.0.2.1").status_code == 302


def test_a_successful_login_is_not_counted(client, staff, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_username": (1, 900)}
    for _ in range(3):
        assert log_in(client, "agent", "le-bon-mot-de-passe").status_code == 302
        client.logout()


def test_the_message_is_translated(client, staff, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_username": (0, 900)}
    response = client.post(
        LOGIN,
        {"username": "agent", "password": "x"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Too many failed login attempts" in response.text
