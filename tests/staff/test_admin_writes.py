"""Every admin write goes through the services: adding someone by hand, correcting their
details, no « delete » that frees a seat behind the waiting list's back, no day removed
under its bookings."""

import uuid

import pytest
from django.contrib.admin.models import LogEntry

from registration.models import AttendanceDay, Booking, OutgoingEmail, Registration
from tests.admin_forms import form_values
from tests.registration.conftest import MAY, workshop
from tests.staff.conftest import grant, sign_up

ADD = "/admin/registration/registration/add/"
CHANGE = "/admin/registration/registration/{}/change/"


def change_form_data(client, registration):
    return form_values(client, CHANGE.format(registration.pk))


def add_data(**overrides):
    data = {
        "form_token": str(uuid.uuid4()),
        "civility": "m",
        "first_name": "Kofi",
        "last_name": "Mensah",
        "email": "kofi@example.org",
        "phone_0": "FR",
        "phone_1": "",
        "organisation": "Ville d'Accra",
        "organisation_type": "collectivite",
        "position": "Maire",
        "country": "GH",
        "language": "en",
        "days": ["2026-07-08"],
        "privacy": "on",
        "category": "speaker",
        f"slot_{workshop(1).slot_id}": str(workshop(1).pk),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def in_may(time_machine):
    time_machine.move_to(MAY, tick=True)


def test_staff_register_someone_by_hand(admin_client, edition_2026, in_may):
    """The admin's « add » was a 500 (no consent date); it is now the sign-up under the
    same rules, with the badge category, and the person gets their confirmation."""
    assert admin_client.get(ADD).status_code == 200
    response = admin_client.post(ADD, add_data())
    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == CHANGE.format(registration.pk)
    assert (registration.category, registration.status) == ("speaker", "confirmed")
    assert registration.privacy_consent_at is not None
    assert registration.bookings.get().session == workshop(1)
    assert OutgoingEmail.objects.filter(registration=registration).count() == 1
    assert LogEntry.objects.get().object_id == str(registration.pk)


def test_staff_register_after_the_close_but_not_after_the_event(
    admin_client, edition_2026, time_machine
):
    time_machine.move_to(edition_2026.registration_closes_at, tick=False)
    assert admin_client.post(ADD, add_data()).status_code == 302
    time_machine.move_to(edition_2026.ends_at.replace(hour=23, minute=59, second=59), tick=False)
    time_machine.shift(2)
    response = admin_client.post(ADD, add_data(email="other@example.org"))
    assert response.status_code == 200
    assert "L&#x27;événement est terminé" in response.text
    assert Registration.objects.count() == 1


def test_staff_registering_a_registered_address_get_a_clear_error(
    admin_client, edition_2026, in_may
):
    existing = sign_up(edition_2026, email="kofi@example.org")
    response = admin_client.post(ADD, add_data(email="KOFI@example.org"))
    assert response.status_code == 200
    assert f"Cette adresse a déjà une inscription : n° {existing.pk}" in response.text
    assert Registration.objects.count() == 1


def test_staff_missing_consent_and_bad_input_are_errors_not_500s(
    admin_client, edition_2026, in_may
):
    response = admin_client.post(ADD, add_data(privacy=None, email="pas une adresse", days=None))
    assert response.status_code == 200
    assert "Son accord est nécessaire" in response.text
    assert not Registration.objects.exists()


def test_a_full_session_puts_the_hand_registered_person_on_its_waiting_list(
    admin_client, edition_2026, in_may
):
    session = workshop(1)
    session.capacity = 1
    session.save()
    sign_up(edition_2026, email="first@example.org", sessions=[session])
    admin_client.post(ADD, add_data())
    booking = Booking.objects.get(registration__email="kofi@example.org")
    assert booking.status == Booking.Status.WAITLISTED


def test_correcting_details_goes_through_the_service(admin_client, edition_2026):
    person = sign_up(edition_2026, email="a@example.org")
    data = change_form_data(admin_client, person)
    data.update(position="Maire adjointe", category="press")
    response = admin_client.post(CHANGE.format(person.pk), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.position, person.category) == ("Maire adjointe", "press")


def test_another_persons_address_is_a_form_error_not_a_500(admin_client, edition_2026):
    first = sign_up(edition_2026, email="a@example.org")
    second = sign_up(edition_2026, email="b@example.org")
    data = change_form_data(admin_client, second)
    data["email"] = "A@example.org"
    response = admin_client.post(CHANGE.format(second.pk), data)
    assert response.status_code == 200
    assert f"inscription n° {first.pk}" in response.text
    second.refresh_from_db()
    assert second.email == "b@example.org"


def test_delete_is_replaced_by_erasure(admin_client, edition_2026, in_may):
    """« Delete » freed a seat without promoting the waiting list and orphaned emails."""
    session = workshop(1)
    session.capacity = 1
    session.save()
    first, second = (
        sign_up(edition_2026, email=f"p{n}@example.org", sessions=[session]) for n in range(2)
    )
    delete = admin_client.post(
        f"/admin/registration/registration/{first.pk}/delete/", {"post": "yes"}
    )
    assert delete.status_code == 403
    bulk = admin_client.post(
        "/admin/registration/registration/",
        {"action": "delete_selected", "_selected_action": [first.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert Registration.objects.filter(pk=first.pk).exists()
    assert "delete_selected" not in admin_client.get("/admin/registration/registration/").text
    admin_client.post(f"/admin/registration/registration/{first.pk}/effacer/")
    assert Booking.objects.get(registration=second).status == Booking.Status.CONFIRMED


def test_erasure_needs_the_delete_permission(client, staff_user, edition_2026):
    person = sign_up(edition_2026, email="a@example.org")
    client.force_login(grant(staff_user, "view_registration", "change_registration"))
    client.post(f"/admin/registration/registration/{person.pk}/effacer/")
    person.refresh_from_db()
    assert person.anonymised_at is None
    client.force_login(grant(staff_user, "delete_registration"))
    client.post(f"/admin/registration/registration/{person.pk}/effacer/")
    person.refresh_from_db()
    assert person.anonymised_at is not None


def test_days_cannot_be_removed_under_their_bookings(admin_client, edition_2026):
    person = sign_up(edition_2026, email="a@example.org", sessions=[workshop(1)])
    data = change_form_data(admin_client, person)
    day = AttendanceDay.objects.get(registration=person)
    # What the inline's delete box would have posted:
    data.update({"days-TOTAL_FORMS": "1", "days-0-id": str(day.pk), "days-0-DELETE": "on"})
    admin_client.post(CHANGE.format(person.pk), data)
    assert AttendanceDay.objects.filter(pk=day.pk).exists()
    assert Booking.objects.get(registration=person).status == Booking.Status.CONFIRMED
