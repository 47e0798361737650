"""The check-in desk with the test client (the browser test is in tests/e2e)."""

from datetime import datetime

import pytest

from staff.models import CheckIn
from tests.factories import PARIS, make_registration
from tests.staff.conftest import grant

DESK = "/admin/outils/accueil/"
THURSDAY_MORNING = datetime(2026, 7, 9, 9, 12, tzinfo=PARIS)


@pytest.fixture
def at_the_door(time_machine):
    time_machine.move_to(THURSDAY_MORNING, tick=False)


@pytest.fixture
def desk_client(client, staff_user):
    client.force_login(grant(staff_user, "check_in"))
    return client


def test_scan_records_once_and_warns_on_a_second_scan(desk_client, edition_2026, at_the_door):
    person = make_registration(edition_2026, first_name="Léa", last_name="Moreau")
    response = desk_client.post(DESK + "scan/", {"q": f" {person.checkin_code.lower()}\n"})
    assert response["Location"] == f"{DESK}?personne={person.pk}&etat=nouveau"
    page = desk_client.get(response["Location"]).content.decode()
    assert "Arrivée enregistrée à 9 h 12" in page and "Moreau" in page

    again = desk_client.post(DESK + "scan/", {"q": person.checkin_code})
    page = desk_client.get(again["Location"]).content.decode()
    assert "Déjà enregistré·e à 9 h 12" in page
    (checkin,) = CheckIn.objects.all()
    assert (checkin.day.isoformat(), checkin.by.username) == ("2026-07-09", "agent")


def test_counters_today(desk_client, edition_2026, at_the_door):
    people = [make_registration(edition_2026) for _ in range(3)]
    make_registration(edition_2026, days=[datetime(2026, 7, 8).date()])  # not expected today
    make_registration(edition_2026, status="waitlisted")  # not expected either
    desk_client.post(DESK + "scan/", {"q": people[0].checkin_code})
    assert desk_client.get(DESK + "compteurs.json").json() == {"arrived": 1, "expected": 3}


def test_waiting_list_and_cancelled_are_not_let_in(desk_client, edition_2026, at_the_door):
    waiting = make_registration(edition_2026, status="waitlisted")
    response = desk_client.post(DESK + "scan/", {"q": waiting.checkin_code})
    page = desk_client.get(response["Location"]).content.decode()
    assert "Sur liste d'attente" in page
    assert not CheckIn.objects.exists()


def test_search_by_name_then_record(desk_client, edition_2026, at_the_door):
    person = make_registration(edition_2026, first_name="Zoé", last_name="Ndiaye")
    make_registration(edition_2026, last_name="Autre")
    response = desk_client.post(DESK + "scan/", {"q": "ndiaye zoé"})
    page = desk_client.get(response["Location"]).content.decode()
    assert "1 personne trouvée" in page and f"?personne={person.pk}" in page
    card = desk_client.get(f"{DESK}?personne={person.pk}").content.decode()
    assert "Pas encore arrivé·e aujourd'hui." in card
    desk_client.post(DESK + "scan/", {"q": "", "personne": person.pk})
    assert CheckIn.objects.get().registration == person


def test_badge_reprint_is_not_an_arrival(desk_client, edition_2026, at_the_door):
    person = make_registration(edition_2026)
    response = desk_client.get(f"{DESK}badge/{person.pk}.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert not CheckIn.objects.exists()


def test_the_desk_needs_the_check_in_permission(client, staff_user, edition_2026):
    client.force_login(staff_user)
    assert client.get(DESK).status_code == 403
    assert client.post(DESK + "scan/", {"q": "X"}).status_code == 403
    client.logout()
    assert client.get(DESK)["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("junk", ["", " ", "x" * 5000, "'; DROP TABLE", "\x00\r\n", "ÉÈ😀"])
def test_any_input_gets_an_answer(desk_client, edition_2026, at_the_door, junk):
    response = desk_client.post(DESK + "scan/", {"q": junk})
    assert response.status_code == 302
    assert desk_client.get(response["Location"]).status_code == 200
