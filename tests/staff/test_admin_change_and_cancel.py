"""Staff change someone's days and sessions, or cancel them, from admin (a phone call):
through the services the person's own page uses, with the same emails, until the event
ends — after registration has closed too."""

from datetime import datetime, timedelta

from registration.models import Booking, OutgoingEmail, Registration
from tests.admin_forms import form_values
from tests.factories import PARIS
from tests.registration.conftest import workshop

CHANGE = "/admin/registration/registration/{}/change/"
BOOKINGS = "/admin/registration/registration/{}/sessions/"
CANCEL = "/admin/registration/registration/{}/annuler/"
CLOSED = datetime(2026, 7, 7, 9, 0, tzinfo=PARIS)  # registration closed, the event to come


def kinds(registration):
    return sorted(
        OutgoingEmail.objects.filter(registration=registration).values_list("kind", flat=True)
    )


def test_staff_move_someone_to_another_workshop_after_the_close(
    admin_client, edition_2026, full_workshop, time_machine
):
    session, (seated, first_in_line, _second) = full_workshop
    time_machine.move_to(CLOSED, tick=False)
    page = admin_client.get(CHANGE.format(seated.pk)).text
    assert BOOKINGS.format(seated.pk) in page and CANCEL.format(seated.pk) in page

    data = form_values(admin_client, BOOKINGS.format(seated.pk))
    assert data[f"slot_{session.slot_id}"] == [str(session.pk)]  # the form shows the booking
    other = workshop(2)
    assert other.slot_id == session.slot_id
    data[f"slot_{session.slot_id}"] = [str(other.pk)]
    response = admin_client.post(BOOKINGS.format(seated.pk), data)
    assert response.status_code == 302, response.text

    assert Booking.objects.get(registration=seated).session == other
    # The seat given up went to the first in line, who is told; the person is told too.
    assert Booking.objects.get(registration=first_in_line).status == "confirmed"
    assert kinds(seated) == ["registration_changed", "registration_created"]
    assert kinds(first_in_line) == ["booking_promoted", "registration_created"]


def test_staff_cancel_someone(admin_client, edition_2026, full_workshop, time_machine):
    _session, (seated, first_in_line, _second) = full_workshop
    time_machine.move_to(CLOSED, tick=False)
    confirm = admin_client.get(CANCEL.format(seated.pk))
    assert confirm.status_code == 200 and "Oui, annuler son inscription" in confirm.text
    assert Registration.objects.get(pk=seated.pk).status == "confirmed"  # GET changes nothing

    assert admin_client.post(CANCEL.format(seated.pk)).status_code == 302
    assert Registration.objects.get(pk=seated.pk).status == "cancelled"
    assert Booking.objects.get(registration=first_in_line).status == "confirmed"
    assert kinds(seated) == ["registration_cancelled", "registration_created"]
    assert kinds(first_in_line) == ["booking_promoted", "registration_created"]

    # Cancelled: no more links to change or cancel, and nothing happens twice.
    assert BOOKINGS.format(seated.pk) not in admin_client.get(CHANGE.format(seated.pk)).text
    assert admin_client.post(CANCEL.format(seated.pk)).status_code == 302
    assert admin_client.get(BOOKINGS.format(seated.pk)).status_code == 302
    assert kinds(seated) == ["registration_cancelled", "registration_created"]


def test_not_after_the_event(admin_client, edition_2026, full_workshop, time_machine):
    session, (seated, _first, _second) = full_workshop
    time_machine.move_to(edition_2026.ends_at + timedelta(minutes=1), tick=False)
    admin_client.post(CANCEL.format(seated.pk))
    data = form_values(admin_client, BOOKINGS.format(seated.pk))
    data[f"slot_{session.slot_id}"] = [""]
    response = admin_client.post(BOOKINGS.format(seated.pk), data)
    assert "L&#x27;événement est terminé" in response.text
    assert Registration.objects.get(pk=seated.pk).status == "confirmed"
    assert Booking.objects.filter(registration=seated).exists()


def test_staff_without_change_permission_cannot(
    client, django_user_model, edition_2026, full_workshop
):
    _session, (seated, _first, _second) = full_workshop
    agent = django_user_model.objects.create_user("agent", password="x", is_staff=True)
    client.force_login(agent)
    assert client.post(CANCEL.format(seated.pk)).status_code == 302
    assert Registration.objects.get(pk=seated.pk).status == "confirmed"
