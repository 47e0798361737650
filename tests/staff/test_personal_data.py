"""GDPR: one person's data as JSON, erasing a person, and the purge after the event."""

import json
from datetime import datetime

import pytest
from django.contrib.admin.models import CHANGE as CHANGED
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from registration.models import AccessKey, Booking, OutgoingEmail, Registration
from staff import exports, privacy, sheets
from staff.models import BadgeSheet, ExportLog
from staff.privacy import registration_erase, retention_ends
from staff.tasks import purge_personal_data, schedule_purge
from tests.factories import PARIS, make_registration
from tests.registration.conftest import MAY
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


def test_erase_frees_the_seat_tells_the_next_and_forgets_the_person(
    admin_client, full_workshop, time_machine
):
    time_machine.move_to(MAY, tick=True)  # before the event: the seat goes to the next
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


# --- Erasure reaches everywhere the person appears ---------------------------------------
LIST = "/admin/registration/registration/"
EXPORT = {"action": "export_csv", "select_across": "1", "_selected_action": [1], "index": "0"}


def history_of(obj):
    from django.contrib.contenttypes.models import ContentType

    return LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )


@pytest.fixture
def sheet_storage(monkeypatch, tmp_path):
    """Where badge sheets go, for this test only (the field's storage is made at import)."""
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path)
    monkeypatch.setattr(BadgeSheet._meta.get_field("pdf"), "storage", storage)
    return storage


def printed_names(storage, name):
    from pypdf import PdfReader

    with storage.open(name) as file:
        return " ".join(page.extract_text() for page in PdfReader(file).pages)


def test_erase_deletes_the_badge_sheets_that_print_the_person(
    edition_2026, admin_user, sheet_storage, django_capture_on_commit_callbacks
):
    her = make_registration(edition_2026, first_name="Hélène", last_name="Lefèvre")
    other = make_registration(edition_2026, first_name="Ana", last_name="Souza")

    def sheet(people, description):
        pks = [person.pk for person in people]
        return sheets.badge_sheet_request(
            edition=edition_2026,
            registrations=Registration.objects.filter(pk__in=pks),
            description=description,
            user=admin_user,
        )

    with_her = sheet([her, other], "2 inscriptions choisies (—)")
    # A search for her name found the others of her town hall (she is not on it).
    without_her = sheet([other], "1 inscription choisie (q=LEFEVRE)")
    not_built = sheet([her, other], "2 inscriptions choisies (jour=2026-07-09)")
    for built in (with_her, without_her):
        assert sheets.build(built.pk) == BadgeSheet.Status.READY
        built.refresh_from_db()
    storage = sheet_storage
    assert "Lefèvre" in printed_names(storage, with_her.pdf.name)
    assert "Souza" in printed_names(storage, without_her.pdf.name)

    with django_capture_on_commit_callbacks(execute=True):
        registration_erase(registration=her)

    assert not storage.exists(with_her.pdf.name)  # the PDF that printed her is gone
    assert not BadgeSheet.objects.filter(pk__in=[with_her.pk, not_built.pk]).exists()
    without_her.refresh_from_db()  # the others' sheet stays, without her name
    assert storage.exists(without_her.pdf.name)
    assert without_her.description == "(effacé)"


def test_erase_rewrites_the_admin_history_about_the_person(admin_client, admin_user, full_workshop):
    _session, (first, second, _third) = full_workshop
    email = first.emails.get()
    for obj in (first, second, email):
        LogEntry.objects.log_actions(
            admin_user.pk,
            [obj],
            CHANGED,
            change_message=[{"changed": {"fields": ["Fonction", "Téléphone"]}}],
            single_object=True,
        )
    assert history_of(first).object_repr == "P0 Test (Ville test)"
    assert "p0@example.org" in history_of(email).object_repr

    admin_client.post(f"{LIST}{first.pk}/effacer/")

    entry = history_of(first)
    assert (entry.object_repr, entry.change_message) == (f"Inscription n° {first.pk} (effacée)", "")
    assert (entry.user, entry.action_flag) == (admin_user, CHANGED)  # who did something, when
    entry = history_of(email)
    assert (entry.object_repr, entry.change_message) == (f"Courriel n° {email.pk} (effacé)", "")
    assert history_of(second).object_repr == "P1 Test (Ville test)"  # only that person
    assert "Fonction" in history_of(second).change_message


def test_erase_redacts_the_exports_that_searched_for_the_person(
    admin_client, admin_user, edition_2026
):
    her = make_registration(
        edition_2026,
        first_name="Hélène",
        last_name="Lefèvre",
        email="helene.lefevre@sevres.fr",
        organisation="Mairie de Sèvres",
    )
    make_registration(edition_2026, first_name="Ana", last_name="Souza", country="BR")
    # Searches typed in the registration list, then exported.
    for search in ("?q=Lefèvre", "?country__exact=BR", "?q=ville+de+lyon"):
        assert admin_client.post(LIST + search, EXPORT).status_code == 200
    # The same person typed otherwise: case, accents, address, organisation, full name.
    for filters in (
        "q=LEFEVRE",
        "q=Helene.Lefevre@SEVRES.fr",
        "q=mairie de sevres, status__exact=confirmed",
        "q=Hélène  Lefèvre",
    ):
        exports.log_export(user=admin_user, what="Inscriptions", filters=filters, rows=1)
    exports.log_export(user=admin_user, what="Session « La Mairie de Sèvres reçoit »", rows=4)
    logs_before = ExportLog.objects.count()

    admin_client.post(f"{LIST}{her.pk}/effacer/")

    logs = list(ExportLog.objects.order_by("pk").values_list("what", "filters", "rows"))
    assert len(logs) == logs_before  # who exported how much, and when, stays
    assert logs == [
        ("Inscriptions", "(effacé)", 1),
        ("Inscriptions", "country__exact=BR", 1),
        ("Inscriptions", "q=ville de lyon", 1),  # not her organisation: kept
        ("Inscriptions", "(effacé)", 1),
        ("Inscriptions", "(effacé)", 1),
        ("Inscriptions", "(effacé)", 1),
        ("Inscriptions", "(effacé)", 1),
        ("(effacé)", "", 4),
    ]


def test_purge_blanks_export_filters_as_old_as_the_retention(
    edition_2026, admin_user, time_machine
):
    made = [
        (datetime(2026, 7, 1, 10, 0, tzinfo=PARIS), "q=Dupont"),
        (datetime(2026, 7, 9, 23, 30, tzinfo=PARIS), "country__exact=BR"),
        (datetime(2026, 7, 9, 12, 0, tzinfo=PARIS), "—"),
        (datetime(2026, 7, 10, 0, 30, tzinfo=PARIS), "q=Martin"),
    ]
    for moment, filters in made:
        time_machine.move_to(moment, tick=False)
        exports.log_export(user=admin_user, what="Inscriptions", filters=filters, rows=2)

    def filters_now():
        return list(ExportLog.objects.order_by("pk").values_list("filters", flat=True))

    # Each log keeps its filters twelve months, day for day, like the data it names.
    expected = [
        (datetime(2027, 6, 30, 23, 59), ["q=Dupont", "country__exact=BR", "—", "q=Martin"]),
        (datetime(2027, 7, 1, 0, 1), ["(effacé)", "country__exact=BR", "—", "q=Martin"]),
        (datetime(2027, 7, 9, 0, 1), ["(effacé)", "(effacé)", "—", "q=Martin"]),
    ]
    for moment, filters in expected:
        time_machine.move_to(moment.replace(tzinfo=PARIS), tick=False)
        call_command("purge_personal_data", verbosity=0)
        assert filters_now() == filters
    assert ExportLog.objects.filter(rows=2, user=admin_user).count() == 4


def test_purge_rewrites_the_history_and_deletes_the_sheets(
    full_workshop, admin_user, time_machine, sheet_storage, django_capture_on_commit_callbacks
):
    _session, people = full_workshop
    for person in people:
        LogEntry.objects.log_actions(admin_user.pk, [person], CHANGED, "[]", single_object=True)
    sheet = sheets.badge_sheet_request(
        edition=people[0].edition,
        registrations=Registration.objects.all(),
        description="3 inscriptions choisies (—)",
        user=admin_user,
    )
    sheets.build(sheet.pk)
    sheet.refresh_from_db()
    storage = sheet_storage
    assert storage.exists(sheet.pdf.name)

    time_machine.move_to(datetime(2027, 7, 9, 0, 1, tzinfo=PARIS), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_personal_data", verbosity=0)

    assert [history_of(person).object_repr for person in people] == [
        f"Inscription n° {person.pk} (effacée)" for person in people
    ]
    assert not BadgeSheet.objects.exists()
    assert not storage.exists(sheet.pdf.name)


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


def test_the_daily_purge_deletes_tasks_finished_a_week_ago(edition_2026, time_machine):
    """« Lien perdu » queues a task with the address asked for, registered or not: once run,
    it is kept a week (staff who may read tasks see it), then the daily purge deletes it."""
    from registration import services
    from staff.privacy import registrations_purge

    time_machine.move_to(datetime(2026, 5, 12, 10, 0, tzinfo=PARIS), tick=False)
    services.access_link_request(edition=edition_2026, email="nobody@example.org")
    run_worker()
    (ran,) = DBTaskResult.objects.filter(status="SUCCESSFUL")
    assert "nobody@example.org" in str(ran.args_kwargs)
    time_machine.move_to(datetime(2026, 5, 18, 10, 0, tzinfo=PARIS), tick=False)
    registrations_purge()
    assert DBTaskResult.objects.filter(pk=ran.pk).exists()  # six days: kept
    time_machine.move_to(datetime(2026, 5, 19, 10, 1, tzinfo=PARIS), tick=False)
    registrations_purge()
    assert not DBTaskResult.objects.filter(pk=ran.pk).exists()


def test_the_purge_deletes_messages_left_without_their_registration(edition_2026, time_machine):
    """A registration deleted outright (the admin allowed it once) left its messages, with
    their address, found by no edition's purge."""
    from registration.models import OutgoingEmail
    from staff.privacy import registrations_purge

    time_machine.move_to(datetime(2026, 5, 12, 10, 0, tzinfo=PARIS), tick=False)
    orphan = OutgoingEmail.objects.create(
        kind="registration_created", to="gone@example.org", message_id="<orphan@x>"
    )
    time_machine.move_to(datetime(2027, 5, 10, 10, 0, tzinfo=PARIS), tick=False)
    registrations_purge()
    assert OutgoingEmail.objects.filter(pk=orphan.pk).exists()  # under a year: kept
    time_machine.move_to(datetime(2027, 5, 14, 10, 0, tzinfo=PARIS), tick=False)
    registrations_purge()
    assert not OutgoingEmail.objects.filter(pk=orphan.pk).exists()
