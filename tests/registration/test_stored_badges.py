"""Stored badges: rendered by the worker after a change, served from storage, never stale.

Whether a download rendered a badge is read from WeasyPrint's own progress log (one
« Step 1 » line per document laid out), whether one is stored from the private folder.
"""

import logging
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django_tasks_db.models import DBTaskResult

from registration import badges, services
from registration.models import Registration
from staff.privacy import registration_erase, registrations_purge
from tests.factories import PARIS
from tests.registration.conftest import change_data, form_data, last_link
from tests.registration.test_badges import text_of
from tests.staff.conftest import grant
from tests.worker import run_worker

STORE_TASK = "registration.tasks.store_badges"


def stored_files():
    folder = Path(storages["private"].path(badges.FOLDER))
    return sorted(path.name for path in folder.glob("*.pdf")) if folder.exists() else []


def stored_file(registration):
    return Path(storages["private"].path(f"{badges.FOLDER}/{registration.pk}.pdf"))


@pytest.fixture(autouse=True)
def empty_folder():
    """The test database gives the same numbers to each test's registrations: each test
    starts with no stored badge."""
    shutil.rmtree(storages["private"].path(badges.FOLDER), ignore_errors=True)


@pytest.fixture
def renders(caplog):
    """How many PDFs WeasyPrint has laid out so far in this test."""
    caplog.set_level(logging.INFO, logger="weasyprint.progress")

    def count():
        return sum(
            record.name == "weasyprint.progress" and record.getMessage().startswith("Step 1 ")
            for record in caplog.records
        )

    return count


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a change as a request does: what it queues after its commit is queued, and
    nothing runs it (the worker has not come by yet)."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def sign_up(client, committed, **fields):
    response = committed(client.post, "/fr/inscription/", form_data(**fields))
    assert response.status_code == 302, response.context["form"].errors
    run_worker()  # the confirmation email, with the link, and the badge
    registration = Registration.objects.get(email=fields.get("email", "awa.diallo@example.org"))
    return registration, last_link(registration.email)


def test_the_sign_up_queues_the_badge_and_the_worker_stores_it(
    client, open_edition, committed, renders
):
    response = committed(client.post, "/fr/inscription/", form_data())
    assert response.status_code == 302
    registration = Registration.objects.get()
    # The sign-up itself rendered nothing: one task queued after its commit.
    assert renders() == 0 and stored_files() == []
    (queued,) = DBTaskResult.objects.filter(task_path=STORE_TASK)
    assert queued.task_result.args == [[registration.pk]]

    run_worker()
    assert renders() == 1
    assert stored_files() == [f"{registration.pk}.pdf"]

    response = client.get(last_link("awa.diallo@example.org") + "badge.pdf")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert renders() == 1  # served from storage
    assert "Diallo" in text_of(response.content)
    assert stored_file(registration).read_bytes().endswith(response.content)


def test_a_changed_name_is_on_the_next_download_before_and_after_the_worker(
    client, open_edition, committed, renders
):
    registration, link = sign_up(client, committed)
    assert renders() == 1
    # The person changes their name on their page; the worker has not run yet.
    committed(client.post, link + "modifier/", change_data(last_name="Ndiaye"))
    text = text_of(client.get(link + "badge.pdf").content)
    assert "Ndiaye" in text and "Diallo" not in text
    assert renders() == 2  # rendered on the spot, and stored
    run_worker()
    assert renders() == 2  # the worker found it current
    assert "Ndiaye" in text_of(client.get(link + "badge.pdf").content)
    assert renders() == 2

    # Staff correct the name in admin, then the worker runs before the next download.
    committed(
        services.registration_update_details,
        registration=registration,
        data={"first_name": "Aïssatou", "organisation": "Région de Dakar"},
    )
    run_worker()
    assert renders() == 3
    text = text_of(client.get(link + "badge.pdf").content)
    assert "Aïssatou" in text and "Région de Dakar" in text and "Awa" not in text
    assert renders() == 3  # from storage

    # A category given from the registration list: the band changes.
    committed(
        services.registrations_set_category,
        registrations=Registration.objects.filter(pk=registration.pk),
        category="press",
    )
    assert "PRESSE" in text_of(client.get(link + "badge.pdf").content)  # (in capitals)


def test_a_stale_file_written_late_is_never_served(client, open_edition, committed, renders):
    registration, link = sign_up(client, committed)
    before = stored_file(registration).read_bytes()
    committed(client.post, link + "modifier/", change_data(country="ML", language="en"))
    run_worker()
    # A slow worker, that rendered the badge before the change, writes it last.
    stored_file(registration).write_bytes(before)
    text = text_of(client.get(link + "badge.pdf").content)
    assert "Mali" in text and "Senegal" not in text and "Sénégal" not in text
    assert "July" in text and "juillet" not in text


def test_an_edition_change_reaches_the_badge(client, open_edition, committed, renders):
    _registration, link = sign_up(client, committed)
    assert "Hôtel des Arts & Métiers" in text_of(client.get(link + "badge.pdf").content)
    venue = open_edition.venue
    venue.name = "Palais des congrès d'Issy"
    venue.save()  # in admin: no registration changed, no task queued
    text = text_of(client.get(link + "badge.pdf").content)
    assert "Palais des congrès d'Issy" in text and "Arts & Métiers" not in text
    assert renders() == 2


def test_no_stored_badge_for_the_waiting_list_until_promoted(
    client, open_edition, committed, renders
):
    open_edition.capacity = 1
    open_edition.save()
    first, first_link = sign_up(client, committed)
    second, second_link = sign_up(
        client, committed, email="binta.sow@example.org", first_name="Binta", last_name="Sow"
    )
    assert second.status == "waitlisted"
    assert stored_files() == [f"{first.pk}.pdf"]
    assert client.get(second_link + "badge.pdf").status_code == 404

    committed(client.post, first_link + "annuler/")
    assert client.get(first_link + "badge.pdf").status_code == 404
    run_worker()
    # The cancelled badge is gone; the promoted person's is stored and served from there.
    assert stored_files() == [f"{second.pk}.pdf"]
    rendered = renders()
    assert "Sow" in text_of(client.get(second_link + "badge.pdf").content)
    assert renders() == rendered


def test_erasure_removes_the_stored_badge(client, open_edition, committed):
    registration, link = sign_up(client, committed)
    assert stored_file(registration).exists()
    # What a worker killed in the middle of a render would have left.
    halfway = stored_file(registration).parent / badges.WRITING / f"{registration.pk}-x1y2z3"
    halfway.write_bytes(b"0" * 64 + b"\n%PDF-1.7 Diallo")
    committed(registration_erase, registration=registration)
    assert not stored_file(registration).exists() and not halfway.exists()
    run_worker()
    assert stored_files() == []
    assert client.get(link + "badge.pdf").status_code == 404


def test_a_download_begun_before_an_erasure_leaves_no_file(client, open_edition, committed):
    registration, _link = sign_up(client, committed)
    shutil.rmtree(stored_file(registration).parent)
    as_loaded = Registration.objects.select_related("edition").get(pk=registration.pk)
    committed(registration_erase, registration=registration)
    # The request loaded the person before the erasure, renders after it.
    assert "Diallo" in text_of(badges.download_pdf(as_loaded))
    assert stored_files() == []


def test_the_purge_removes_stored_badges(client, open_edition, committed, time_machine):
    registration, _link = sign_up(client, committed)
    assert stored_file(registration).exists()
    time_machine.move_to(datetime(2027, 7, 10, 3, 0, tzinfo=PARIS))
    assert committed(registrations_purge) == 1
    assert stored_files() == []


def test_the_desk_reprints_a_fresh_badge(
    client, open_edition, committed, renders, django_user_model
):
    registration, _link = sign_up(client, committed)
    before = stored_file(registration).read_bytes()
    committed(
        services.registration_update_details, registration=registration, data={"last_name": "Ba"}
    )
    stored_file(registration).write_bytes(before)  # as if the worker had not run
    staff = django_user_model.objects.create_user("agent", is_staff=True)
    client.force_login(grant(staff, "check_in"))
    rendered = renders()
    response = client.get(f"/admin/outils/accueil/badge/{registration.pk}.pdf")
    assert response["Content-Disposition"] == 'inline; filename="badge-awa-ba.pdf"'
    assert "Ba" in text_of(response.content).split() and "Diallo" not in text_of(response.content)
    assert renders() == rendered + 1  # rendered, not read from storage
    assert stored_file(registration).read_bytes() == before  # and the desk stores nothing
