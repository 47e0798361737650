"""Feuilles d'émargement: who is on them, in which order, what every page says."""

import io
import subprocess
from datetime import date

import pytest
from pypdf import PdfReader

from registration.models import Booking
from tests.factories import make_registration
from tests.registration.conftest import workshop
from tests.staff.conftest import grant

WEDNESDAY, THURSDAY = date(2026, 7, 8), date(2026, 7, 9)


def pages_text(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def book(person, session, status="confirmed"):
    Booking.objects.create(registration=person, session=session, slot=session.slot, status=status)


@pytest.fixture
def sheets_client(client, staff_user):
    client.force_login(grant(staff_user, "view_registration"))
    return client


def test_a_session_sheet_lists_its_confirmed_people_by_last_name(sheets_client, edition_2026):
    session = workshop(1)
    for last, first in (("Zola", "Émile"), ("Ávila", "Teresa"), ("martin", "Luc")):
        book(make_registration(edition_2026, last_name=last, first_name=first), session)
    book(make_registration(edition_2026, last_name="Attente"), session, "waitlisted")
    cancelled = make_registration(edition_2026, last_name="Annulée", status="cancelled")
    book(cancelled, session)
    make_registration(edition_2026, last_name="Ailleurs")  # not booked

    (text,) = pages_text(sheets_client.get(f"/admin/outils/sessions/{session.pk}/emargement.pdf"))
    assert session.title in text and session.room.name in text
    assert "mercredi 8 juillet 2026" in text and text.rstrip().endswith("1 / 1")
    assert "Signature" in text and "3 personnes attendues" in text
    names = [
        line for line in text.splitlines() if any(n in line for n in ("ZOLA", "ÁVILA", "MARTIN"))
    ]
    assert [n.split()[1] for n in names] == ["ÁVILA", "MARTIN", "ZOLA"]
    assert "ATTENTE" not in text and "ANNULÉE" not in text and "AILLEURS" not in text


def test_a_long_sheet_repeats_its_title_and_numbers_its_pages(sheets_client, edition_2026):
    session = workshop(2)
    session.capacity = 80
    session.save()
    for number in range(60):
        book(make_registration(edition_2026, last_name=f"Nom {number:02d}"), session)
    pages = pages_text(sheets_client.get(f"/admin/outils/sessions/{session.pk}/emargement.pdf"))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert session.title in text and text.rstrip().endswith(f"{number} / {len(pages)}")
        assert "Signature" in text  # the table's header on every page


def test_a_day_sheet_lists_who_registered_for_that_day(sheets_client, edition_2026):
    make_registration(edition_2026, last_name="Mercredi", days=[WEDNESDAY])
    make_registration(edition_2026, last_name="Jeudi", days=[THURSDAY])
    make_registration(edition_2026, last_name="Deuxjours")
    make_registration(edition_2026, last_name="Attente", status="waitlisted")
    (text,) = pages_text(sheets_client.get("/admin/outils/emargement/2026-07-09.pdf"))
    assert "Journée du jeudi 9 juillet 2026" in text
    assert "DEUXJOURS" in text and "JEUDI" in text
    assert "MERCREDI" not in text and "ATTENTE" not in text


def test_a_plenary_sheet_lists_everyone_of_its_day(sheets_client, edition_2026):
    from events.models import Session

    plenary = Session.objects.filter(type__is_bookable=False, starts_at__date=WEDNESDAY).first()
    make_registration(edition_2026, last_name="Mercredi", days=[WEDNESDAY])
    make_registration(edition_2026, last_name="Jeudi", days=[THURSDAY])
    (text, *_) = pages_text(
        sheets_client.get(f"/admin/outils/sessions/{plenary.pk}/emargement.pdf")
    )
    assert "MERCREDI" in text and "JEUDI" not in text


@pytest.mark.parametrize("day", ["2026-07-10", "demain", "2026-13-01", "9" * 30])
def test_only_the_event_days_have_a_sheet(sheets_client, edition_2026, day):
    assert sheets_client.get(f"/admin/outils/emargement/{day}.pdf").status_code == 404


def test_sheets_need_the_right_to_see_registrations(client, staff_user, edition_2026):
    client.force_login(staff_user)
    assert client.get(f"/admin/outils/sessions/{workshop(1).pk}/emargement.pdf").status_code == 403
    assert client.get("/admin/outils/emargement/2026-07-09.pdf").status_code == 403


def test_the_session_admin_prints_the_sheets_of_the_selected_sessions(admin_client, edition_2026):
    first, second = workshop(1), workshop(2)
    book(make_registration(edition_2026, last_name="Premier"), first)
    response = admin_client.post(
        "/admin/events/session/",
        {"action": "attendance_sheets", "_selected_action": [first.pk, second.pk]},
    )
    pages = pages_text(response)
    assert len(pages) == 2 and "PREMIER" in pages[0] and second.title in pages[1]
    assert "Personne n'est attendu·e" in pages[1]
    # Each sheet numbered on its own, as it is handed out in its room.
    assert pages[0].rstrip().endswith("1 / 1") and pages[1].rstrip().endswith("1 / 1")


def test_the_sessions_page_links_to_the_sheets(sheets_client, edition_2026):
    page = sheets_client.get("/admin/outils/sessions/").content.decode()
    assert "/admin/outils/emargement/2026-07-08.pdf" in page
    assert f"/admin/outils/sessions/{workshop(1).pk}/emargement.pdf" in page


def test_render_a_sheet_to_png(sheets_client, edition_2026, tmp_path):
    """For a person to look at (kept in var/ when RENDER_PNG_TO is set)."""
    import os

    session = workshop(1)
    for last, first in (("Nguyễn", "Hoa"), ("Benali", "Aïcha"), ("Ouédraogo", "Issa")):
        book(make_registration(edition_2026, last_name=last, first_name=first), session)
    response = sheets_client.get(f"/admin/outils/sessions/{session.pk}/emargement.pdf")
    target = os.environ.get("RENDER_PNG_TO") or str(tmp_path)
    (tmp_path / "sheet.pdf").write_bytes(response.content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", tmp_path / "sheet.pdf", f"{target}/emargement"],
        check=True,
    )
