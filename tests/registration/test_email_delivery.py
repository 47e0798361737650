"""Emails go through the outbox and a real SMTP conversation (aiosmtpd on loopback):
none lost while the server is down, none sent twice, none slowing a sign-up, and no
transaction held while a server takes its time."""

import asyncio
import smtplib
import socket
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db import connection, transaction
from django.utils import timezone

from registration import emails
from registration.models import AccessKey, OutgoingEmail, Registration
from rencontres.settings import parse_email_url
from tests.registration.conftest import form_data
from tests.smtp import Inbox, free_port, start_smtp
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
    """The server accepts connections and never answers: the sign-up does not talk to it
    (no SMTP in the request), and the worker gives up on that try at the configured
    timeout (2 s here) instead of waiting for ever, then retries later."""
    listener = socket.create_server(("127.0.0.1", smtp_port))  # the kernel accepts, nobody talks
    listener.setblocking(False)
    try:
        assert client.post("/fr/inscription/", form_data()).status_code == 302
        with pytest.raises(BlockingIOError):
            listener.accept()  # nothing knocked during the request
        email = OutgoingEmail.objects.get()
        assert (email.status, email.attempts) == (OutgoingEmail.Status.PENDING, 0)
        run_worker()  # returns: the socket timeout ended the wait
        knock, _address = listener.accept()  # the worker did connect
        knock.close()
    finally:
        listener.close()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.PENDING, 1)
    # smtplib's words for its socket timeout: without one, the worker would wait for ever.
    assert email.last_error == repr(
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed: timed out")
    )
    assert email.retry_at is not None


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
    assert (email.attempts, email.retry_at) == (1, None)  # refused: never tried again
    assert "550" in email.last_error
    assert not AccessKey.objects.exists()  # the link it carried was never delivered


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


def test_retries_follow_the_backoff_then_give_up(client, open_edition, smtp_port, time_machine):
    """Server down (nothing listens): tries after 1, 5, 15, 60 and 240 minutes, none
    earlier, then the message is given up. The link of a failed try dies with it."""
    assert client.post("/fr/inscription/", form_data()).status_code == 302
    time_machine.move_to(timezone.now(), tick=False)
    email = OutgoingEmail.objects.get()
    for attempt, minutes in enumerate((1, 5, 15, 60, 240), start=1):
        run_worker()
        email.refresh_from_db()
        assert (email.status, email.attempts) == (OutgoingEmail.Status.PENDING, attempt)
        assert email.retry_at == timezone.now() + timedelta(minutes=minutes)
        assert not AccessKey.objects.exists()
        time_machine.shift(timedelta(minutes=minutes) - timedelta(seconds=1))
        run_worker()  # not due yet (nor taken early by the claim's own task)
        email.refresh_from_db()
        assert email.attempts == attempt
        time_machine.shift(timedelta(seconds=1))
    run_worker()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.FAILED, 6)
    assert email.claimed_until is None and email.retry_at is None


def test_a_claim_sends_once_and_a_dead_workers_claim_is_taken_over(
    client, open_edition, smtp_port, time_machine
):
    """A worker claims a message, then dies before sending it: nobody else sends it while
    the claim lasts; once it has expired, the claim's own task takes it over, once."""
    time_machine.move_to(timezone.now(), tick=True)
    assert client.post("/fr/inscription/", form_data()).status_code == 302
    email = OutgoingEmail.objects.get()
    assert emails.claim(email.pk) is not None  # the worker that is about to die
    assert emails.claim(email.pk) is None  # one claim at a time
    inbox, controller = start_smtp(smtp_port)
    try:
        run_worker()  # the sign-up's task: claimed by another, so left alone
        email.refresh_from_db()
        assert (email.status, inbox.messages) == (OutgoingEmail.Status.SENDING, [])
        time_machine.shift(emails.CLAIM + timedelta(seconds=1))
        run_worker()
        run_worker()
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.SENT, 2)
    assert email.claimed_until is None


class SlowInbox(Inbox):
    """An SMTP server that takes its time over DATA: up to 8 s, or until told to go on."""

    def __init__(self):
        super().__init__()
        self.in_data = threading.Event()
        self.go_on = threading.Event()
        self.returned = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.in_data.set()
        await asyncio.get_running_loop().run_in_executor(None, self.go_on.wait, 8)
        self.messages.append(envelope.content.decode())
        self.returned.set()
        return "250 Message accepted"


@pytest.mark.sqlite  # SQLite's own single writer (the development default)
def test_a_slow_smtp_server_never_blocks_a_sign_up(
    client, transactional_db, open_edition, settings
):
    """On SQLite, where one transaction blocks every writer: while a worker thread is in
    the middle of a slow SMTP conversation, a sign-up completes (the worker holds no
    transaction while the server talks). Ordering, not durations: the sign-up must be done
    before the server's DATA handler returns."""
    port = free_port()
    settings.MAILERS = {"default": parse_email_url(f"smtp://127.0.0.1:{port}?timeout=10")}
    assert client.post("/fr/inscription/", form_data()).status_code == 302
    email = OutgoingEmail.objects.get()
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    outcome = []

    def worker():
        try:
            outcome.append(emails.deliver(email.pk))
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=worker)
    try:
        thread.start()
        assert inbox.in_data.wait(30), "the worker never reached DATA"
        response = client.post("/fr/inscription/", form_data(email="b@example.org"))
        signed_up_during_smtp = not inbox.returned.is_set()
    finally:
        inbox.go_on.set()
        thread.join(30)
        controller.stop()
    assert response.status_code == 302
    assert signed_up_during_smtp
    assert Registration.objects.filter(email="b@example.org").exists()
    assert outcome == [OutgoingEmail.Status.SENT] and len(inbox.messages) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.SENT, 1)
