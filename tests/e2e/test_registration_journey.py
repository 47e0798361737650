"""An attendee registers in May 2026, opens the link from the email, changes a booking and
cancels: in a real browser."""

import re

from django.core import mail
from playwright.sync_api import expect

from registration.models import Booking, Registration
from tests.e2e.steps import sign_up
from tests.registration.conftest import MAY, link_in, run_worker


def test_register_change_cancel(page, live_server, live_edition, time_machine):
    time_machine.move_to(MAY, tick=True)
    page.goto(f"{live_server.url}/fr/")
    page.get_by_role("link", name="Je m'inscris").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscription aux Rencontres")

    sign_up(page, first="Nguyễn Thị", last="Minh Khai", email="minh.khai@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Merci, votre demande d'inscription est enregistrée"
    )
    registration = Registration.objects.get(email="minh.khai@example.org")
    assert registration.bookings.get().status == Booking.Status.CONFIRMED

    run_worker()  # the task worker sends the confirmation
    (message,) = mail.outbox
    page.goto(live_server.url + link_in(message))
    expect(page.get_by_role("heading", level=1)).to_have_text("Madame Nguyễn Thị Minh Khai")
    expect(page.get_by_text("Place confirmée")).to_be_visible()

    page.get_by_role("link", name="Modifier mon inscription ou mes sessions").click()
    page.get_by_label(re.compile(r"Atelier thématique 2 \(intitulé à venir\)")).check()
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_text("Vos modifications sont enregistrées.")).to_be_visible()
    expect(page.get_by_role("link", name="Atelier thématique 2 (intitulé à venir)")).to_be_visible()

    page.get_by_role("link", name="Annuler mon inscription").click()
    page.get_by_role("button", name="Oui, annuler mon inscription").click()
    expect(page.get_by_text("Votre inscription est annulée.")).to_be_visible()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_form_errors_are_shown_and_keep_what_was_typed(
    page, live_server, live_edition, time_machine
):
    time_machine.move_to(MAY, tick=True)
    page.goto(f"{live_server.url}/en/registration/")
    page.get_by_label("Email address").fill("not-an-address")
    page.get_by_label("First name").fill("Ana")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert")).to_contain_text("The form could not be saved")
    expect(page.get_by_label("First name")).to_have_value("Ana")
    expect(page.locator("#id_email").locator("..")).to_contain_text("Enter a valid email address.")
    assert Registration.objects.count() == 0
