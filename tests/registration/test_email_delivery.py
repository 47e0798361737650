"""Emails go through the outbox and a real SMTP conversation (aiosmtpd on loopback):
none lost while the server is down, none sent twice, none slowing a sign-up."""

import socket
import threading
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.utils import timezone

from registration.models import OutgoingEmail, Registration
from tests.registration.conftest import form_data
from tests.smtp import Inbox, start_smtp
from tests.worker import run_worker


def test_a_real_smtp_conversation(client, open_edition, smtp_port):
    inbox, controller = start_smtp(smtp_port)
    try:
        client.post("/fr/inscription/", form_data())
        run_worker()
    finally:
        controller.stop()
    (message,) = inbox.messages
    assert "Subject: Confirmation de votre inscription" in message
    assert "Reply-To: coop-dec@cites-unies-france.org" in message
    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.SENT
    assert f"Message-ID: {email.message_id}" in message


def test_server_down_loses_nothing_and_sends_once(client, open_edition, smtp_port, time_machine):
    time_machine.move_to(timezone.now(), tick=True)
    statuses = [
        client.post(
            "/fr/inscription/", form_data(email=f"p{n}@example.org"), REMOTE_ADDR=f"10.0.0.{n}"
        ).status_code
        for n in range(50)
    ]
    assert statuses == [302] * 50  # no error shown to anyone
    assert Registration.objects.count() == 50
    run_worker()  # the server refuses connections: every try fails
    assert OutgoingEmail.objects.filter(status="pending", attempts=1).count() == 50

    inbox, controller = start_smtp(smtp_port)
    try:
        run_worker()  # retries are not due yet
        assert inbox.messages == []
        time_machine.shift(timedelta(minutes=2))
        run_worker()
        run_worker()  # nothing left to send: nothing sent twice
    finally:
        controller.stop()
    assert len(inbox.messages) == 50
    recipients = sorted(m.split("To: ", 1)[1].split("\n", 1)[0].strip() for m in inbox.messages)
    assert recipients == sorted(f"p{n}@example.org" for n in range(50))
    assert OutgoingEmail.objects.filter(status="sent").count() == 50


def test_a_silent_server_never_slows_a_sign_up(client, open_edition, smtp_port):
    """The server accepts connections and never answers: the sign-up does not wait for it
    (no SMTP in the request), and the worker gives up on that try within the timeout."""
    listener = socket.create_server(("127.0.0.1", smtp_port))
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        assert client.post("/fr/inscription/", form_data()).status_code == 302
        assert time.monotonic() - started < 1.5
        started = time.monotonic()
        run_worker()
        assert time.monotonic() - started < 10  # the 2 s timeout, not forever
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()
    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.PENDING and email.attempts == 1
    assert "timed out" in email.last_error.lower()


def test_a_refused_address_is_marked_failed(client, open_edition, smtp_port):
    class Refusing(Inbox):
        async def handle_RCPT(self, server, session, envelope, address, options):
            return "550 No such user"

    controller = Controller(Refusing(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        client.post("/fr/inscription/", form_data())
        run_worker()
    finally:
        controller.stop()
    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.FAILED
    assert "550" in email.last_error


def test_the_email_belongs_to_the_transaction_of_its_change(registered):
    """No change, no email: the outbox row rolls back with the transaction around it."""
    from registration import emails

    registration, _link = registered
    before = OutgoingEmail.objects.count()

    def failing_change():
        with transaction.atomic():
            emails._later(registration, "registration_changed", url="http://x")
            raise RuntimeError("the change fails")

    with pytest.raises(RuntimeError):
        failing_change()
    assert OutgoingEmail.objects.count() == before


def test_staff_see_emails_and_send_one_again(client, registered):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("staff", "s@example.org", "pw-tests-only"))
    email = OutgoingEmail.objects.get()
    listing = client.get("/admin/registration/outgoingemail/")
    assert "Confirmation de votre inscription" in listing.text and "Envoyé" in listing.text
    response = client.post(
        "/admin/registration/outgoingemail/",
        {"action": "send_again", "_selected_action": [email.pk]},
    )
    assert response.status_code == 302
    run_worker()
    copies = OutgoingEmail.objects.exclude(pk=email.pk)
    assert copies.get().status == OutgoingEmail.Status.SENT
    assert copies.get().message_id != email.message_id


def test_confirmation_has_html_and_the_agenda_attached(registered):
    import icalendar
    from django.core import mail

    (message,) = mail.outbox
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Votre inscription aux Rencontres est confirmée." in html
    assert "<script" not in html and "http" in html  # a link, no script, no remote image
    assert "<img" not in html
    (attachment,) = message.attachments
    assert attachment.filename == "rencontres-aict-agenda.ics"
    assert attachment.mimetype.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(attachment.content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [
        "Ouverture officielle des Rencontres",
        "Atelier thématique 1 (intitulé à venir)",
        "Conférence plénière thématique",
    ]


def test_english_attendees_get_english_emails(client, open_edition, send):
    from django.core import mail

    send(client.post, "/en/registration/", form_data(language="en"))
    (message,) = mail.outbox
    assert message.subject.startswith("Confirmation of your registration")
    assert "Your registration for the Rencontres is confirmed." in message.alternatives[0][0]
