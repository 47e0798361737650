"""A running worker is seen (its heartbeat); staff are told when none is: on the badge
sheet's page after a minute, on the dashboard, and by `manage.py check --database`."""

import io
import time
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command, get_commands
from django.utils import timezone

from registration.models import Registration
from staff import heartbeat
from staff.checks import worker_seen
from staff.sheets import badge_sheet_request
from tests.factories import PARIS, make_registration
from tests.worker import run_worker

NOON = datetime(2026, 7, 7, 12, 0, tzinfo=PARIS)
SILENT = "Le service de tâches ne semble pas tourner"
QUEUED = "D'autres tâches passent avant"


def test_db_worker_is_the_command_with_a_heartbeat():
    assert get_commands()["db_worker"] == "staff"


def test_the_worker_beats_when_it_runs(db, time_machine):
    time_machine.move_to(NOON, tick=False)
    assert heartbeat.last_seen() is None and not heartbeat.worker_running()
    run_worker()  # the real command, as production runs it (in batch mode here)
    assert heartbeat.last_seen() == NOON
    assert heartbeat.worker_running()
    time_machine.move_to(NOON + heartbeat.SILENT_AFTER)
    assert heartbeat.worker_running()
    time_machine.move_to(NOON + heartbeat.SILENT_AFTER + timedelta(seconds=1))
    assert not heartbeat.worker_running()


def test_a_running_worker_keeps_beating_even_during_a_long_task():
    with heartbeat.Beating(every=0.02):
        heartbeat._store().delete(heartbeat.KEY)
        deadline = time.monotonic() + 5
        while heartbeat.last_seen() is None and time.monotonic() < deadline:
            time.sleep(0.01)  # the main thread is busy; the beat goes on
        assert heartbeat.last_seen() is not None
    heartbeat._store().delete(heartbeat.KEY)
    time.sleep(0.1)
    assert heartbeat.last_seen() is None  # stopped with the worker


def test_a_garbled_beat_reads_as_never_seen(db):
    heartbeat._store().set(heartbeat.KEY, "not a date")
    assert heartbeat.last_seen() is None and not heartbeat.worker_running()


@pytest.fixture
def waiting_sheet(edition_2026, admin_user, time_machine):
    time_machine.move_to(NOON, tick=False)
    make_registration(edition_2026)
    return badge_sheet_request(
        edition=edition_2026,
        registrations=Registration.objects.all(),
        description="Tout le monde",
        user=admin_user,
    )


def sheet_page(client, sheet):
    response = client.get(f"/admin/outils/badges/{sheet.pk}/")
    assert response.status_code == 200
    return response.text


def test_a_sheet_waiting_a_minute_without_a_worker_says_so(
    admin_client, waiting_sheet, time_machine
):
    assert SILENT not in sheet_page(admin_client, waiting_sheet)  # just asked for
    time_machine.move_to(NOON + timedelta(seconds=61), tick=False)
    html = sheet_page(admin_client, waiting_sheet)
    assert SILENT in html and QUEUED not in html
    assert 'http-equiv="refresh"' in html  # it goes on looking

    heartbeat.beat()  # a worker is there, busy with other tasks
    html = sheet_page(admin_client, waiting_sheet)
    assert QUEUED in html and SILENT not in html

    run_worker()
    html = sheet_page(admin_client, waiting_sheet)
    assert SILENT not in html and QUEUED not in html and "Télécharger le PDF" in html


def test_the_sheet_page_says_it_in_english_too(admin_client, waiting_sheet, time_machine):
    time_machine.move_to(NOON + timedelta(minutes=5), tick=False)
    admin_client.get("/en/admin/")
    assert "The task service does not seem to be running" in sheet_page(admin_client, waiting_sheet)


def test_the_dashboard_warns_when_no_worker_was_seen(admin_client, edition_2026, time_machine):
    time_machine.move_to(NOON, tick=False)
    dashboard = "/admin/outils/tableau-de-bord/"
    assert "Aucun service de tâches n'a encore été vu" in admin_client.get(dashboard).text
    heartbeat.beat()
    assert "worker-silent" not in admin_client.get(dashboard).text
    time_machine.move_to(NOON + timedelta(minutes=3), tick=False)
    html = admin_client.get(dashboard).text
    assert "Aucun service de tâches n'a été vu depuis le 7 juillet 12:00" in html


def check_output(**options):
    out, err = io.StringIO(), io.StringIO()
    call_command("check", stdout=out, stderr=err, **options)
    return out.getvalue() + err.getvalue()


def test_check_warns_when_tasks_wait_and_no_worker_is_seen(waiting_sheet, time_machine):
    assert worker_seen(databases=["default"]) == []  # enqueued just now
    time_machine.move_to(NOON + timedelta(minutes=2), tick=False)
    (warning,) = worker_seen(databases=["default"])
    assert warning.id == "staff.W001" and "1 task(s) waiting" in warning.msg
    assert "staff.W001" in check_output(databases=["default"])
    assert "staff.W001" not in check_output()  # the database is read only when asked

    heartbeat.beat()
    assert worker_seen(databases=["default"]) == []
    time_machine.move_to(NOON + timedelta(minutes=10), tick=False)
    (warning,) = worker_seen(databases=["default"])
    assert "since 2026-07-07 10:02:00 UTC" in warning.msg


def test_check_is_quiet_with_an_empty_queue(db):
    assert worker_seen(databases=["default"]) == []
    assert timezone.now()  # nothing queued, nothing to say even without a worker
