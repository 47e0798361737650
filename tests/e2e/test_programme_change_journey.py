"""Issue 15's journey: staff move a booked workshop in the admin of a real browser; the
attendee's email (a real SMTP server on loopback), personal page and .ics show the new
time. A second attendee, booked at the new time already, makes the admin ask first."""

import email
import email.policy
from datetime import timedelta

import icalendar
from django.test import Client
from playwright.sync_api import expect

from events.models import Session
from registration.models import AccessKey
from tests.e2e.test_staff import log_in
from tests.registration.conftest import MAY
from tests.smtp import start_smtp
from tests.staff.conftest import sign_up
from tests.worker import run_worker


def workshop(number):
    return Session.objects.get(title_fr=f"Atelier thématique {number} (intitulé à venir)")


def parse(raw):
    return email.message_from_bytes(raw.encode(), policy=email.policy.default)


def test_staff_move_a_booked_workshop_and_the_attendee_sees_it_everywhere(
    page, live_server, live_edition, smtp_port, django_user_model, time_machine, tmp_path
):
    time_machine.move_to(MAY, tick=True)
    inbox, controller = start_smtp(smtp_port)
    try:
        journey(page, live_server, live_edition, django_user_model, time_machine, tmp_path, inbox)
    finally:
        controller.stop()


def journey(page, live_server, live_edition, django_user_model, time_machine, tmp_path, inbox):
    ana = sign_up(live_edition, email="ana@example.org", sessions=[workshop(1)])
    ben = sign_up(live_edition, email="ben@example.org", sessions=[workshop(1), workshop(5)])
    run_worker()  # their confirmations
    confirmations = len(inbox.messages)
    assert confirmations == 2
    log_in(page, live_server, django_user_model)

    one = workshop(1)
    café = Session.objects.get(title_fr__startswith="Café des Rencontres 1")
    page.goto(f"{live_server.url}/admin/events/session/{one.pk}/change/")
    page.locator("#id_slot").select_option(str(workshop(5).slot_id))
    page.locator("#id_room").select_option(str(café.room_id))
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    # The admin asks before putting Ben in two sessions at once.
    expect(page.locator(".errorlist")).to_contain_text(
        "1 personne aurait deux sessions en même temps : Ben Test"
    )
    page.screenshot(path=tmp_path / "admin-asks.png", full_page=True)
    page.get_by_label("garder les deux réservations et les prévenir").check()
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("a été modifié")

    time_machine.shift(timedelta(minutes=6))  # the worker gathers a person's changes
    run_worker()
    messages = {parse(raw)["To"]: parse(raw) for raw in inbox.messages[confirmations:]}
    assert sorted(messages) == ["ana@example.org", "ben@example.org"]
    message = messages["ana@example.org"]
    assert message["Subject"].startswith("Changement de programme")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Avant : mercredi 8 juillet, 14:30–16:00" in text
    assert f"Désormais : jeudi 9 juillet, 15:30–17:00, {café.room.name}" in text
    (attachment,) = list(message.iter_attachments())
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    (event,) = [e for e in calendar.walk("VEVENT") if e["SUMMARY"] == one.title_fr]
    assert event.decoded("DTSTART").strftime("%d %H:%M") == "09 15:30"
    assert event["SEQUENCE"] == 1
    ben_text = messages["ben@example.org"].get_body(preferencelist=("plain",)).get_content()
    assert "vos deux places sont gardées" in ben_text

    token = AccessKey.issue(ana)
    page.goto(f"{live_server.url}/fr/inscription/espace/{token}/")
    # The agenda: the day as a heading, the session's new times under it.
    thursday = page.locator("h3.agenda-day:has-text('Jeudi 9 juillet') + ul.agenda")
    expect(thursday).to_contain_text("15h30–17h00")
    expect(thursday).to_contain_text(one.title_fr)
    page.screenshot(path=tmp_path / "personal-page.png", full_page=True)
    feed = Client().get(f"/fr/inscription/espace/{token}/agenda.ics")
    (event,) = [
        e
        for e in icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
        if e["SUMMARY"] == one.title_fr
    ]
    assert event.decoded("DTSTART").strftime("%d %H:%M") == "09 15:30"
    assert event["SEQUENCE"] == 1
    assert ben.bookings.count() == 2
