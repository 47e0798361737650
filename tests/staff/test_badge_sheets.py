"""Staff print many badges at once: four A6 per A4 page, built by the task worker."""

import io
import subprocess
from datetime import date

import pytest
import zxingcpp
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from pypdf import PdfReader

from staff import sheets
from staff.models import BadgeSheet
from tests.factories import make_registration
from tests.staff.conftest import grant
from tests.worker import run_worker

A4 = (595.28, 841.89)  # points
THURSDAY = date(2026, 7, 9)


def pdf_of(client, sheet):
    response = client.get(f"/admin/outils/badges/{sheet.pk}/badges.pdf")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == f'attachment; filename="badges-{sheet.pk}.pdf"'
    return PdfReader(io.BytesIO(b"".join(response.streaming_content)))


@pytest.fixture
def attendees(edition_2026):
    both = [make_registration(edition_2026, last_name=f"Both{i:02d}") for i in range(5)]
    thursday = [
        make_registration(edition_2026, last_name=f"Thu{i:02d}", days=[THURSDAY]) for i in range(4)
    ]
    wednesday = make_registration(edition_2026, last_name="Wedonly", days=[date(2026, 7, 8)])
    waiting = make_registration(edition_2026, last_name="Waiting", status="waitlisted")
    return both, thursday, wednesday, waiting


def test_admin_action_on_a_filter_builds_a_sheet_of_those_attendees(admin_client, attendees):
    both, thursday, _wednesday, _waiting = attendees
    changelist = "/admin/registration/registration/?jour=2026-07-09&status__exact=confirmed"
    response = admin_client.post(
        changelist,
        # "Select all N" in the list: the page's boxes ticked, plus select_across.
        {"action": "print_badges", "select_across": "1", "index": "0", "_selected_action": [1]},
    )
    sheet = BadgeSheet.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/outils/badges/{sheet.pk}/"
    assert "jour=2026-07-09" in sheet.description

    page = admin_client.get(response["Location"])
    assert 'http-equiv="refresh"' in page.content.decode()  # watches the worker
    assert "badges.pdf" not in page.content.decode()

    run_worker()
    page = admin_client.get(response["Location"]).content.decode()
    assert "Télécharger le PDF" in page and 'http-equiv="refresh"' not in page

    pdf = pdf_of(admin_client, sheet)
    # Confirmed attendees of Thursday only (the waiting list and Wednesday-only left out):
    # 9 badges, sorted by name, four per A4 page.
    assert len(pdf.pages) == 3
    for page in pdf.pages:
        width, height = (float(v) for v in page.mediabox[2:])
        assert (round(width, 1), round(height, 1)) == (round(A4[0], 1), round(A4[1], 1))
    texts = [page.extract_text() for page in pdf.pages]
    names = [r.last_name for r in both + thursday]
    assert [sum(name in text for name in names) for text in texts] == [4, 4, 1]
    assert texts[0].index("Both00") < texts[0].index("Both03")
    assert not any("Wedonly" in text or "Waiting" in text for text in texts)


def test_sheet_page_form_and_qr_codes_scan_from_the_printed_page(admin_client, attendees, tmp_path):
    response = admin_client.post("/admin/outils/badges/", {"day": "", "category": ""})
    sheet = BadgeSheet.objects.get()
    assert response["Location"] == f"/admin/outils/badges/{sheet.pk}/"
    assert sheet.badges == 10  # every confirmed attendee
    run_worker()
    pdf = pdf_of(admin_client, sheet)
    assert len(pdf.pages) == 3

    sheet.refresh_from_db()
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", sheet.pdf.path, tmp_path / "page"],
        check=True,
    )
    codes = {result.text for result in zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))}
    first_page = BadgeSheet.objects.get().registration_ids[:4]
    from registration.models import Registration

    expected = set(
        Registration.objects.filter(pk__in=first_page).values_list("checkin_code", flat=True)
    )
    assert codes == expected  # the four badges of the page, each readable at the door


def test_progress_is_saved_page_by_page(edition_2026, admin_user, monkeypatch):
    for i in range(12):
        make_registration(edition_2026, last_name=f"P{i:02d}")
    from registration.models import Registration

    sheet = sheets.badge_sheet_request(
        edition=edition_2026,
        registrations=Registration.objects.all(),
        description="test",
        user=admin_user,
    )
    assert (sheet.pages, sheet.percent, sheet.in_progress) == (3, 0, True)
    monkeypatch.setattr(sheets, "PROGRESS_EVERY", 1)
    with CaptureQueriesContext(connection) as queries:
        assert sheets.build(sheet.pk) == BadgeSheet.Status.READY
    updates = [q["sql"] for q in queries if "pages_done" in q["sql"] and "UPDATE" in q["sql"]]
    assert len(updates) >= 3  # pages 1, 2, 3, then the final state
    sheet.refresh_from_db()
    assert (sheet.pages_done, sheet.percent, sheet.in_progress) == (3, 100, False)
    assert sheets.build(sheet.pk) == BadgeSheet.Status.READY  # a second run does nothing


def test_only_staff_allowed_to_print_see_sheets(client, staff_user, edition_2026, admin_user):
    from registration.models import Registration

    sheet = sheets.badge_sheet_request(
        edition=edition_2026,
        registrations=Registration.objects.all(),
        description="test",
        user=admin_user,
    )
    urls = ["/admin/outils/badges/", f"/admin/outils/badges/{sheet.pk}/"]
    for url in urls:
        assert client.get(url)["Location"].startswith("/admin/login/")
    client.force_login(staff_user)
    for url in urls:
        assert client.get(url).status_code == 403
    client.force_login(grant(staff_user, "print_badges"))
    for url in urls:
        assert client.get(url).status_code == 200
    # Not built yet: nothing to download.
    assert client.get(f"/admin/outils/badges/{sheet.pk}/badges.pdf").status_code == 404


def test_a_sheet_deleted_before_its_build_is_not_built(edition_2026, admin_user):
    """A person on the sheet was erased before the worker came to it: the task ends
    quietly, and no PDF is written for a sheet that no longer exists."""
    from django.core.files.storage import storages

    from registration.models import Registration
    from staff import sheets
    from staff.models import BadgeSheet

    sheet = sheets.badge_sheet_request(
        edition=edition_2026,
        registrations=Registration.objects.all(),
        description="test",
        user=admin_user,
    )
    folder = storages["private"]

    def files():
        return set(folder.listdir("badge-sheets")[1]) if folder.exists("badge-sheets") else set()

    before = files()
    BadgeSheet.objects.filter(pk=sheet.pk).delete()
    assert sheets.build(sheet.pk) is None
    assert files() == before


def test_a_sheet_whose_worker_stopped_says_so_and_starts_again(
    admin_client, edition_2026, admin_user, time_machine
):
    """A worker killed while it laid the sheet out left it « running » for ever, the page
    refreshing « Mise en page 0 / 1 » with no word. Ten minutes without a sign from it: the
    page says so and offers to start it again, which a worker then builds."""
    from datetime import datetime, timedelta

    from registration.models import Registration
    from staff.models import STALLED_AFTER
    from tests.factories import PARIS

    time_machine.move_to(datetime(2026, 7, 6, 9, 0, tzinfo=PARIS), tick=False)
    make_registration(edition_2026, last_name="Stalled")
    sheet = sheets.badge_sheet_request(
        edition=edition_2026, registrations=Registration.objects.all(), description="x",
        user=admin_user,
    )  # fmt: skip
    # The worker took it, then died (the claim, without the rest of build()).
    BadgeSheet.objects.filter(pk=sheet.pk).update(status="running", progress_at=datetime.now(PARIS))
    page = f"/admin/outils/badges/{sheet.pk}/"
    assert "La préparation s'est interrompue" not in admin_client.get(page).text
    assert admin_client.post(page).status_code == 302  # too early: nothing restarted
    assert BadgeSheet.objects.get(pk=sheet.pk).status == "running"
    time_machine.shift(STALLED_AFTER + timedelta(seconds=1))
    shown = admin_client.get(page).text.replace("&#x27;", "'")
    assert "La préparation s'est interrompue" in shown and 'http-equiv="refresh"' not in shown
    assert admin_client.post(page).status_code == 302
    assert BadgeSheet.objects.get(pk=sheet.pk).status == "pending"
    run_worker()
    sheet.refresh_from_db()
    assert sheet.status == "ready" and sheet.pdf


def test_a_sheet_running_since_before_progress_was_recorded_can_be_restarted(
    edition_2026, admin_user, time_machine
):
    """A sheet claimed by a worker of the previous release has no progress time: its
    request time stands for it."""
    from datetime import datetime, timedelta

    from registration.models import Registration
    from staff.models import STALLED_AFTER
    from tests.factories import PARIS

    time_machine.move_to(datetime(2026, 7, 6, 9, 0, tzinfo=PARIS), tick=False)
    make_registration(edition_2026)
    sheet = sheets.badge_sheet_request(
        edition=edition_2026, registrations=Registration.objects.all(), description="x",
        user=admin_user,
    )  # fmt: skip
    BadgeSheet.objects.filter(pk=sheet.pk).update(status="running", progress_at=None)
    sheet.refresh_from_db()
    now = datetime.now(PARIS)
    assert not sheet.stalled(now) and not sheets.badge_sheet_restart(sheet=sheet, now=now)
    later = now + STALLED_AFTER + timedelta(seconds=1)
    assert sheet.stalled(later) and sheets.badge_sheet_restart(sheet=sheet, now=later)
    assert BadgeSheet.objects.get(pk=sheet.pk).status == "pending"
