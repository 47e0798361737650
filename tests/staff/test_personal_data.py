"""GDPR: one person's data as JSON, erasing a person, and the purge after the event."""

import json
from datetime import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from registration.models import AccessKey, Booking, OutgoingEmail, Registration
from staff import privacy
from staff.models import ExportLog
from staff.privacy import retention_ends
from staff.tasks import purge_personal_data, schedule_purge
from tests.factories import PARIS
from tests.staff.conftest import grant, sign_up
from tests.worker import run_worker

CHANGE = "/admin/registration/registration/{}/change/"


def test_personal_data_as_json_needs_the_export_permission(client, staff_user, full_workshop):
    _session, (first, _second, _third) = full_workshop
    url = f"/admin/registration/registration/{first.pk}/donnees.json"
    client.force_login(grant(staff_user, "view_registration"))
    assert client.get(url).status_code == 302  # back to the admin, nothing given
    assert "donnees.json" not in client.get(CHANGE.format(first.pk)).content.decode()

    client.force_login(grant(staff_user, "view_registration", "export_registration"))
    assert "donnees.json" in client.get(CHANGE.format(first.pk)).content.decode()
    response = client.get(url)
    assert response["Content-Disposition"] == f'attachment; filename="inscription-{first.pk}.json"'
    data = json.loads(response.content)
    assert data["email"] == "p0@example.org"
    assert data["bookings"][0]["status"] == "Confirmée"
    assert data["emails"][0]["status"] == "À envoyer"
    assert ExportLog.objects.get().what == f"Données personnelles #{first.pk}"


def test_erase_frees_the_seat_tells_the_next_and_forgets_the_person(admin_client, full_workshop):
    session, (first, second, _third) = full_workshop
    url = f"/admin/registration/registration/{first.pk}/effacer/"
    page = admin_client.get(url)
    assert "définitif" in page.content.decode()
    assert Registration.objects.get(pk=first.pk).last_name == "Test"  # a GET changes nothing

    admin_client.post(url)
    first.refresh_from_db()
    assert first.status == "cancelled" and first.anonymised_at is not None
    assert (first.first_name, first.last_name, first.organisation) == ("", "—", "—")
    assert first.email == f"anonyme-{first.pk}@invalid.example"
    assert not AccessKey.objects.filter(registration=first).exists()
    assert not OutgoingEmail.objects.filter(registration=first).exists()
    # Statistics stay: country, type; the seat went to the next in line, who is told.
    assert (first.country.code, first.organisation_type) == ("FR", "collectivite")
    assert Booking.objects.get(session=session, status="confirmed").registration == second
    assert OutgoingEmail.objects.filter(registration=second, kind="booking_promoted").exists()
    run_worker()
    recipients = [m.to[0] for m in mail.outbox]
    assert "p1@example.org" in recipients
    assert "p0@example.org" not in recipients  # not even a cancellation: nothing is kept


def test_retention_is_counted_from_the_last_day(edition_2026, settings):
    assert retention_ends(edition_2026).isoformat() == "2027-07-09"
    settings.PERSONAL_DATA_RETENTION_MONTHS = 7
    assert retention_ends(edition_2026).isoformat() == "2027-02-09"


@pytest.mark.parametrize(
    ("moment", "anonymised"),
    [
        (datetime(2027, 7, 8, 23, 59, tzinfo=PARIS), False),
        (datetime(2027, 7, 9, 0, 1, tzinfo=PARIS), True),
    ],
)
def test_purge_twelve_months_after_the_event(full_workshop, time_machine, moment, anonymised):
    time_machine.move_to(moment, tick=False)
    call_command("purge_personal_data", verbosity=0)
    left = Registration.objects.filter(anonymised_at__isnull=True).count()
    assert left == (0 if anonymised else 3)
    assert OutgoingEmail.objects.exists() is not anonymised
    if anonymised:
        # Aggregates survive: who came, from where, to which sessions.
        assert Registration.objects.filter(status="confirmed").count() == 3
        assert Booking.objects.count() == 3
        assert set(Registration.objects.values_list("first_name", flat=True)) == {""}


def test_the_daily_task_purges_and_runs_again_next_day(full_workshop, time_machine):
    time_machine.move_to(datetime(2027, 8, 1, 3, 0, tzinfo=PARIS), tick=False)
    assert schedule_purge() is True
    assert schedule_purge() is False  # one chain only, however often it is started
    run_worker()
    assert not Registration.objects.filter(anonymised_at__isnull=True).exists()
    (next_run,) = DBTaskResult.objects.filter(
        task_path=purge_personal_data.module_path, status="READY"
    )
    assert next_run.run_after.astimezone(PARIS) == datetime(2027, 8, 2, 3, 0, tzinfo=PARIS)


def test_an_erased_address_may_register_again(edition_2026, full_workshop, admin_client):
    _session, (first, *_rest) = full_workshop
    admin_client.post(f"/admin/registration/registration/{first.pk}/effacer/")
    again = sign_up(edition_2026, email="p0@example.org")
    assert again.status == "confirmed"


def test_a_failed_purge_still_runs_again_next_day(full_workshop, time_machine, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(privacy, "registrations_purge", broken)
    time_machine.move_to(datetime(2027, 8, 1, 3, 0, tzinfo=PARIS), tick=False)
    schedule_purge()
    run_worker()

    runs = DBTaskResult.objects.filter(task_path=purge_personal_data.module_path)
    failed = runs.get(status="FAILED")  # the error is on the task's result, for staff
    assert failed.exception_class_path == "builtins.RuntimeError"
    assert "disque plein" in failed.traceback
    (next_run,) = runs.filter(status="READY")
    assert next_run.run_after.astimezone(PARIS) == datetime(2027, 8, 2, 3, 0, tzinfo=PARIS)

    # Mended by the next day: that run purges, and queues the one after.
    monkeypatch.undo()
    time_machine.move_to(datetime(2027, 8, 2, 3, 0, tzinfo=PARIS), tick=False)
    run_worker()
    assert not Registration.objects.filter(anonymised_at__isnull=True).exists()
    assert runs.get(pk=next_run.pk).status == "SUCCESSFUL"
    (after,) = runs.filter(status="READY")
    assert after.run_after.astimezone(PARIS) == datetime(2027, 8, 3, 3, 0, tzinfo=PARIS)
