"""Signing up: the form, its window in time, its errors, duplicates and robots."""

from datetime import datetime

import pytest
from django.core import mail

from registration.models import Booking, Registration
from tests.registration.conftest import PARIS, form_data, last_link, workshop

pytestmark = pytest.mark.sqlite  # the sign-up's hand-written locking SQL

URL = "/fr/inscription/"


def test_form_shows_every_part(client, open_edition):
    html = client.get(URL).text
    for label in [
        "Civilité",
        "Prénom",
        "Adresse électronique",
        "Téléphone",
        "Type d&#x27;organisation",
        "Réseau / association de collectivités",
        "Pays",
        "Sénégal",
        "Je suis élu·e",
        "Mercredi 8 juillet 2026",
        "Jeudi 9 juillet 2026",
        "Je participerai au cocktail déjeuner du jeudi 9 juillet.",
        "Régime alimentaire (facultatif)",
        "Atelier thématique 1 (intitulé à venir) — Salon Iéna",
        "Café des Rencontres 1 (thème à venir) — Salon Trocadéro",
        "/fr/donnees-personnelles/",
    ]:
        assert label in html, label
    assert 'name="photo_consent"' in html and 'name="photo_consent" checked' not in html
    assert "Rencontres B2B" not in html  # not bookable


def test_sign_up_books_and_sends_the_link(client, open_edition, send):
    response = send(client.post, URL, form_data())
    assert response.status_code == 302
    assert response["Location"] == "/fr/inscription/merci/"
    registration = Registration.objects.get()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.phone.as_e164 == "+33612345678"
    assert registration.country.code == "SN"
    assert [d.day.isoformat() for d in registration.days.all()] == ["2026-07-08"]
    (booking,) = registration.bookings.all()
    assert booking.session == workshop(1) and booking.status == Booking.Status.CONFIRMED

    (message,) = mail.outbox
    assert message.to == ["awa.diallo@example.org"]
    assert message.subject.startswith("Confirmation de votre inscription")
    assert (
        "Atelier thématique 1 (intitulé à venir) — mercredi 8 juillet, 14:30–16:00, "
        f"{workshop(1).room.name} — confirmée" in message.body
    )
    page = client.get(last_link("awa.diallo@example.org"))
    assert page.status_code == 200
    assert "Awa Diallo" in page.text and "Place confirmée" in page.text

    thanks = client.get(response["Location"])
    assert "Un courriel vient de partir" in thanks.text


def test_english_sign_up_gets_english_email_and_errors(client, open_edition, send):
    response = client.post("/en/registration/", form_data(last_name="", language="en"))
    assert "This field is required." in response.text
    send(client.post, "/en/registration/", form_data(language="en"))
    assert mail.outbox[0].subject.startswith("Confirmation of your registration")
    assert "/en/registration/space/" in mail.outbox[0].body


def test_international_phone_and_single_word_name(client, open_edition):
    data = form_data(first_name="", last_name="Suharto", phone_0="ID", phone_1="812-3456-7890")
    assert client.post(URL, data).status_code == 302
    registration = Registration.objects.get()
    assert registration.full_name == "Suharto"
    assert registration.phone.as_e164 == "+6281234567890"


def test_a_whole_international_number_wins_over_the_prefix(client, open_edition):
    """What a browser fills in for autocomplete="tel": the number with its own prefix."""
    data = form_data(phone_0="FR", phone_1="+221 77 123 45 67")
    assert client.post(URL, data).status_code == 302
    assert Registration.objects.get().phone.as_e164 == "+221771234567"


@pytest.mark.parametrize(
    "name", ["Nguyễn Thị Minh Khai", "محمد بن سلمان", "王小明", "Άννα Παπαδοπούλου", "Сергей"]
)
def test_names_in_any_script(client, open_edition, name):
    assert client.post(URL, form_data(last_name=name)).status_code == 302
    assert Registration.objects.get().last_name == name


def test_not_open_at_23_59_on_14_april(client, edition_2026, time_machine):
    time_machine.move_to(datetime(2026, 4, 14, 23, 59, tzinfo=PARIS), tick=False)
    page = client.get(URL)
    assert "Les inscriptions en ligne ouvriront le 15 avril 2026." in page.text
    assert 'name="last_name"' not in page.text
    response = client.post(URL, form_data())
    assert response.status_code == 403  # enforced on POST, not only hidden
    assert Registration.objects.count() == 0


def test_open_at_midnight_on_15_april(client, edition_2026, time_machine):
    time_machine.move_to(datetime(2026, 4, 15, 0, 0, tzinfo=PARIS), tick=False)
    assert 'name="last_name"' in client.get(URL).text
    assert client.post(URL, form_data()).status_code == 302
    assert Registration.objects.count() == 1


def test_closed_after_closing_time(client, edition_2026, time_machine):
    time_machine.move_to(edition_2026.registration_closes_at, tick=False)
    assert "Les inscriptions en ligne sont closes" in client.get(URL).text
    assert client.post(URL, form_data()).status_code == 403
    assert Registration.objects.count() == 0


def test_errors_are_next_to_their_field(client, open_edition):
    data = form_data(last_name="", email="pas-une-adresse", privacy=None, days=None)
    response = client.post(URL, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["last_name"] == ["Ce champ est obligatoire."]
    assert form.errors["email"] == ["Saisissez une adresse de courriel valide."]
    assert form.errors["privacy"] == ["Votre accord est nécessaire pour vous inscrire."]
    assert form.errors["days"] == ["Choisissez au moins un jour."]
    assert 'id="error-summary"' in response.text
    assert Registration.objects.count() == 0


@pytest.mark.parametrize("field", ["first_name", "last_name", "organisation", "position"])
def test_line_breaks_never_reach_a_header(client, open_edition, field):
    response = client.post(URL, form_data(**{field: "Diallo\r\nBcc: victim@example.org"}))
    assert response.context["form"].errors[field] == ["Ce champ tient sur une seule ligne."]
    assert Registration.objects.count() == 0


def test_session_only_on_a_day_attended(client, open_edition):
    data = form_data()
    thursday = workshop(3)
    data[f"slot_{thursday.slot_id}"] = str(thursday.pk)
    response = client.post(URL, data)
    assert response.context["form"].errors[f"slot_{thursday.slot_id}"] == [
        "Cette session a lieu le jeudi 9 juillet : cochez ce jour ou choisissez « aucune »."
    ]
    assert client.post(URL, {**data, "days": ["2026-07-08", "2026-07-09"]}).status_code == 302


def test_lunch_only_on_its_day(client, open_edition):
    response = client.post(URL, form_data(lunch="on"))
    assert "lunch" in response.context["form"].errors


def test_a_session_from_another_slot_is_refused(client, open_edition):
    data = form_data()
    data[f"slot_{workshop(1).slot_id}"] = str(workshop(3).pk)  # not a choice of that slot
    assert "Sélectionnez un choix valide" in client.post(URL, data).text
    assert Registration.objects.count() == 0


def test_same_address_twice_sends_the_existing_link(client, open_edition, send):
    send(client.post, URL, form_data())
    first_link = last_link("awa.diallo@example.org")
    response = send(client.post, URL, form_data(email="AWA.Diallo@Example.org", last_name="X"))
    assert response.status_code == 302
    assert response["Location"] == "/fr/inscription/merci/"  # the same answer as a new sign-up
    assert Registration.objects.count() == 1
    assert Registration.objects.get().last_name == "Diallo"
    reminder = mail.outbox[-1]
    assert reminder.to == ["AWA.Diallo@Example.org"] or reminder.to == ["awa.diallo@example.org"]
    assert "déjà inscrite" in reminder.body
    assert client.get(last_link("awa.diallo@example.org")).status_code == 200
    assert client.get(first_link).status_code == 200  # the first link still works


def test_resubmitted_form_creates_one_registration(client, open_edition):
    data = form_data()
    assert client.post(URL, data).status_code == 302
    again = client.post(URL, data)
    assert again.status_code == 302 and again["Location"] == "/fr/inscription/merci/"
    assert Registration.objects.count() == 1


def test_honeypot_pretends_and_saves_nothing(client, open_edition):
    response = client.post(URL, form_data(website="http://spam.example"))
    assert response.status_code == 302
    assert Registration.objects.count() == 0
    assert mail.outbox == []


def test_full_session_waitlists_with_a_position(client, open_edition, send):
    session = workshop(1)
    session.capacity = 1
    session.save()
    send(client.post, URL, form_data())
    assert "complet : inscription en liste d&#x27;attente" in client.get(URL).text
    send(client.post, URL, form_data(email="b@example.org"))
    send(client.post, URL, form_data(email="c@example.org"))
    statuses = list(Booking.objects.order_by("pk").values_list("registration__email", "status"))
    assert statuses == [
        ("awa.diallo@example.org", "confirmed"),
        ("b@example.org", "waitlisted"),
        ("c@example.org", "waitlisted"),
    ]
    assert "attente : position 2" in client.get(last_link("c@example.org")).text


def test_full_edition_puts_registrations_on_its_waiting_list(client, open_edition, send):
    open_edition.capacity = 1
    open_edition.save()
    send(client.post, URL, form_data())
    page = client.get(URL)
    assert "Les Rencontres affichent complet" in page.text
    send(client.post, URL, form_data(email="b@example.org"))
    late = Registration.objects.get(email="b@example.org")
    assert late.status == Registration.Status.WAITLISTED
    assert late.bookings.get().status == Booking.Status.WAITLISTED  # no seat taken
    assert "attente des Rencontres : position 1" in client.get(last_link("b@example.org")).text


def test_rate_limit_answers_429(client, open_edition, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": (2, 3600)}
    assert client.post(URL, form_data()).status_code == 302
    assert client.post(URL, form_data(email="b@example.org")).status_code == 302
    response = client.post(URL, form_data(email="c@example.org"))
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "Trop de demandes depuis votre connexion" in response.text
    assert Registration.objects.count() == 2
    other = client.post(URL, form_data(email="d@example.org"), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302  # another address is not affected
