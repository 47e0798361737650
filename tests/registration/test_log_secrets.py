"""No log line carries a personal link's secret half: the handlers of settings.LOGGING keep
its selector only, whatever the logger (Django's CSRF and 404 warnings, the development
server, ours), in the message, its arguments and tracebacks."""

import io
import logging
import secrets

import pytest
from django.test import Client

from registration.models import Registration
from tests.registration.conftest import form_data, last_link, token_in


@pytest.fixture
def logged():
    """What the handlers of settings.LOGGING write, their filters and formats included (a
    function that returns it)."""
    names = ("console", "django.server")
    handlers = [h for h in map(logging.getHandlerByName, names) if h is not None]
    streams = [io.StringIO() for _handler in handlers]
    previous = [h.setStream(stream) for h, stream in zip(handlers, streams, strict=True)]
    yield lambda: "".join(stream.getvalue() for stream in streams)
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


def test_a_csrf_refusal_logs_the_selector_only(registered, logged):
    registration, link = registered
    selector, secret = token_in(link)
    response = Client(enforce_csrf_checks=True).post(link + "annuler/")
    assert response.status_code == 403
    output = logged()
    assert "Forbidden (CSRF cookie not set.)" in output
    assert f"/fr/inscription/espace/{selector}-[redacted]/annuler/" in output
    assert secret not in output
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_a_badge_not_found_logs_the_selector_only(client, open_edition, send, logged):
    """An unknown token, and a real one of a registration on the waiting list (no badge)."""
    open_edition.capacity = 0
    open_edition.save()
    send(client.post, "/fr/inscription/", form_data())
    waiting = token_in(last_link("awa.diallo@example.org"))
    unknown = (secrets.token_hex(8), secrets.token_urlsafe(32))
    for selector, secret in (waiting, unknown):
        path = f"/en/registration/space/{selector}-{secret}/badge.pdf"
        assert client.get(path).status_code == 404
    output = logged()
    for selector, secret in (waiting, unknown):
        assert f"Not Found: /en/registration/space/{selector}-[redacted]/badge.pdf" in output
        assert secret not in output


def test_every_logger_and_traceback_is_cut(logged):
    selector, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    url = f"https://example.org/fr/inscription/espace/{selector}-{secret}/"
    logging.getLogger("registration.somewhere").warning("Link %s", url)
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET /fr/inscription/espace/{selector}-{secret}/ HTTP/1.1", "200", "512"
    )
    try:
        raise ValueError(url)
    except ValueError:
        logging.getLogger("anything").exception("Failed")
    output = logged()
    assert output.count(f"/espace/{selector}-[redacted]/") == 3  # message, traceback, server
    assert secret not in output
