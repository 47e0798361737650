"""Attestations de présence: only after a check-in, in the person's language, verifiable by a
public page that shows the name and the days and nothing else."""

import io
import re
import subprocess
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from registration.models import AccessKey, Booking
from staff import attestations
from staff.checkin import checkin_record
from staff.models import Attestation, CheckIn
from tests.factories import PARIS, make_registration
from tests.registration.conftest import workshop

THURSDAY = datetime(2026, 7, 9, 9, 0, tzinfo=PARIS)
FRIDAY_AFTER = datetime(2026, 7, 10, 12, 0, tzinfo=PARIS)


def pdf_text(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"].startswith("private, no-store")
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def arrive(person, when):
    CheckIn.objects.create(registration=person, day=when.date(), at=when)


def personal(person):
    return f"/fr/inscription/espace/{AccessKey.issue(person)}/"


def code_in(text):
    return re.search(r"(?:Code de vérification :|Verification code:) (\S{22})", text)


@pytest.fixture
def attendee(edition_2026):
    person = make_registration(
        edition_2026,
        first_name="Issa",
        last_name="Ouédraogo",
        position="Adjoint au maire",
        organisation="Commune de Koudougou",
        email="issa@example.org",
    )
    Booking.objects.create(
        registration=person, session=workshop(1), slot=workshop(1).slot, status="confirmed"
    )
    return person


def test_nobody_without_a_check_in_gets_one(client, attendee, time_machine):
    time_machine.move_to(FRIDAY_AFTER, tick=False)
    page = client.get(personal(attendee)).content.decode()
    assert "attestation de présence" not in page  # not offered without an arrival…
    assert client.get(personal(attendee) + "attestation.pdf").status_code == 404  # …nor drawn
    with pytest.raises(attestations.NoAttendance):
        attestations.attestation_issue(registration=attendee)
    assert not Attestation.objects.exists()


def test_not_offered_before_the_event(client, attendee, time_machine):
    time_machine.move_to(datetime(2026, 6, 1, tzinfo=PARIS), tick=False)
    assert "attestation de présence" not in client.get(personal(attendee)).content.decode()


def test_after_a_check_in_the_person_downloads_it(client, attendee, time_machine):
    arrive(attendee, THURSDAY)
    time_machine.move_to(FRIDAY_AFTER, tick=False)
    path = personal(attendee)
    page = client.get(path).content.decode()  # offered once they arrived
    assert "Télécharger mon attestation de présence (PDF)" in page
    assert f'href="{path}attestation.pdf"' in page
    text = pdf_text(client.get(personal(attendee) + "attestation.pdf"))
    assert "Attestation de présence" in text and "Issa Ouédraogo" in text
    assert "Commune de Koudougou" in text and "Adjoint au maire" in text
    assert "jeudi 9 juillet 2026" in text and "mercredi 8 juillet 2026" not in text
    assert "Cités Unies France" in text and "+33" in text and "@cites-unies-france.org" in text
    # The workshop was on Wednesday, when no arrival was recorded: not listed as attended.
    assert workshop(1).title not in text
    attestation = Attestation.objects.get()
    assert attestation.days == ["2026-07-09"] and attestation.issued_by is None
    code = code_in(text).group(1)
    assert code not in attestation.code_hash and len(attestation.code_hash) == 64


def test_sessions_of_the_days_attended_are_listed(client, attendee, time_machine):
    arrive(attendee, datetime(2026, 7, 8, 8, 50, tzinfo=PARIS))
    time_machine.move_to(FRIDAY_AFTER, tick=False)
    text = pdf_text(client.get(personal(attendee) + "attestation.pdf"))
    assert "Sessions réservées ces jours-là" in text and workshop(1).title in text


def test_in_english_for_an_english_speaker(client, edition_2026, time_machine):
    person = make_registration(edition_2026, language="en", last_name="Smith")
    arrive(person, THURSDAY)
    time_machine.move_to(FRIDAY_AFTER, tick=False)
    text = pdf_text(client.get(personal(person) + "attestation.pdf"))
    assert "Certificate of attendance" in text and "Thursday 9 July 2026" in text
    assert "/en/" in text  # its verification address too


def test_the_verification_page_shows_the_name_and_days_only(client, attendee, time_machine):
    arrive(attendee, THURSDAY)
    time_machine.move_to(FRIDAY_AFTER, tick=False)
    _attestation, code = attestations.attestation_issue(registration=attendee)
    response = client.get(f"/fr/attestation/verifier/{code}/")
    assert response.status_code == 200 and response["X-Robots-Tag"] == "noindex, nofollow"
    page = response.content.decode()
    assert "Issa Ouédraogo" in page and "jeudi 9 juillet 2026" in page
    for private in (
        "Koudougou",
        "Adjoint",
        "issa@example.org",
        workshop(1).title,
        attendee.checkin_code,
        "mercredi 8 juillet",
    ):
        assert private not in page


@pytest.mark.parametrize(
    "code", ["x" * 22, "", "a", "%00", "é" * 22, "../../etc", "A" * 500, "'; SELECT 1"]
)
def test_a_wrong_code_confirms_nothing(client, attendee, code):
    arrive(attendee, THURSDAY)
    attestations.attestation_issue(registration=attendee)
    response = client.get(f"/fr/attestation/verifier/{code}/")
    assert response.status_code in (400, 404)  # 400: NUL in a path (rencontres/middleware.py)
    assert "Ouédraogo" not in response.content.decode()


def test_staff_issue_one_by_hand_from_admin(admin_client, attendee, edition_2026):
    arrive(attendee, THURSDAY)
    absent = make_registration(edition_2026, last_name="Absente")
    response = admin_client.post(
        "/admin/registration/registration/",
        {"action": "issue_attestations", "_selected_action": [attendee.pk, absent.pk]},
    )
    text = pdf_text(response)
    assert "Issa Ouédraogo" in text and "Absente" not in text
    (attestation,) = Attestation.objects.all()
    assert attestation.issued_by.username == "admin"
    assert "Absente" in admin_client.get("/admin/registration/registration/").content.decode()


def test_an_undone_check_in_attests_nothing(attendee, time_machine):
    from staff.checkin import checkin_undo

    time_machine.move_to(THURSDAY, tick=False)
    arrival = checkin_record(registration=attendee, by=None)
    checkin_undo(checkin=arrival.checkin, by=None)
    with pytest.raises(attestations.NoAttendance):
        attestations.attestation_issue(registration=attendee)


def test_render_an_attestation_to_png(client, attendee, time_machine, tmp_path):
    import os

    arrive(attendee, datetime(2026, 7, 8, 8, 50, tzinfo=PARIS))
    arrive(attendee, THURSDAY)
    time_machine.move_to(FRIDAY_AFTER, tick=False)
    response = client.get(personal(attendee) + "attestation.pdf")
    (tmp_path / "a.pdf").write_bytes(response.content)
    target = os.environ.get("RENDER_PNG_TO") or str(tmp_path)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", tmp_path / "a.pdf", f"{target}/attestation"], check=True
    )
    assert date(2026, 7, 9).isoformat() in Attestation.objects.get().days


def test_an_erased_persons_attestation_confirms_nothing(client, attendee):
    from staff.privacy import personal_data, registration_erase

    arrive(attendee, THURSDAY)
    _attestation, code = attestations.attestation_issue(registration=attendee)
    assert personal_data(attendee)["attestations"][0]["days"] == ["2026-07-09"]
    registration_erase(registration=attendee)
    assert client.get(f"/fr/attestation/verifier/{code}/").status_code == 404
