"""The check-in desk with the test client (the browser test is in tests/e2e)."""

import html
import re
from datetime import datetime
from urllib.parse import quote_plus

import pytest

from staff.models import CheckIn
from tests.factories import PARIS, make_registration
from tests.staff.conftest import grant

pytestmark = pytest.mark.sqlite  # the desk's hand-written SQL (staff/checkin.py)

DESK = "/admin/outils/accueil/"
THURSDAY_MORNING = datetime(2026, 7, 9, 9, 12, tzinfo=PARIS)


@pytest.fixture
def at_the_door(time_machine):
    time_machine.move_to(THURSDAY_MORNING, tick=False)


@pytest.fixture
def desk_client(client, staff_user):
    client.force_login(grant(staff_user, "check_in"))
    return client


def answered(response):
    """A scan's answer: the desk's page itself (no redirect to follow), and the address
    it gives of itself as a GET (desk.js puts it in the address bar: a refresh reads the
    card again instead of sending the scan again)."""
    assert response.status_code == 200
    page = response.content.decode()
    return page, html.unescape(re.search(r' data-url="([^"]+)"', page).group(1))


def page_after(client, response):
    return answered(response)[0]


def test_scan_records_once_and_warns_on_a_second_scan(desk_client, edition_2026, at_the_door):
    person = make_registration(edition_2026, first_name="Léa", last_name="Moreau")
    response = desk_client.post(DESK + "scan/", {"q": f" {person.checkin_code.lower()}\n"})
    page, url = answered(response)
    assert url == f"{DESK}?personne={person.pk}&etat=nouveau"
    assert "Arrivée enregistrée à 9 h 12" in page and "Moreau" in page
    assert "Arrivée enregistrée à 9 h 12" in desk_client.get(url).content.decode()  # refresh

    again, url = answered(desk_client.post(DESK + "scan/", {"q": person.checkin_code}))
    assert "Déjà enregistré·e à 9 h 12" in again and url.endswith("&etat=vu")
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
    page = page_after(desk_client, desk_client.post(DESK + "scan/", {"q": waiting.checkin_code}))
    assert "Sur liste d'attente" in page
    assert not CheckIn.objects.exists()


def test_search_by_name_then_record(desk_client, edition_2026, at_the_door):
    person = make_registration(edition_2026, first_name="Zoé", last_name="Ndiaye")
    make_registration(edition_2026, last_name="Autre")
    page, url = answered(desk_client.post(DESK + "scan/", {"q": "ndiaye zoé"}))
    assert url == f"{DESK}?q=ndiaye+zo%C3%A9"
    # The answer's address is the scan's (/scan/) until desk.js changes it: links say where.
    assert "1 personne trouvée" in page and f'href="{DESK}?personne={person.pk}"' in page
    card = desk_client.get(f"{DESK}?personne={person.pk}").content.decode()
    assert "Pas encore arrivé·e aujourd'hui." in card
    desk_client.post(DESK + "scan/", {"q": "", "personne": person.pk})
    assert CheckIn.objects.get().registration == person


@pytest.mark.parametrize("typed", ["nguyen", "NGUYỄN thi", "thị hue", "Hué"])
def test_a_name_is_found_however_its_accents_are_typed(
    desk_client, edition_2026, at_the_door, typed
):
    """A desk in a hurry types « nguyen » for « Nguyễn Thị Huệ » (as the registration
    list's search does)."""
    person = make_registration(
        edition_2026, first_name="Thị Huệ", last_name="Nguyễn", organisation="Ville de Hué"
    )
    make_registration(edition_2026, last_name="Autre")
    page, _url = answered(desk_client.post(DESK + "scan/", {"q": typed}))
    assert "1 personne trouvée" in page and f'href="{DESK}?personne={person.pk}"' in page


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
    if response.status_code == 302:  # nothing typed: the empty desk
        assert response["Location"] == DESK and junk.strip("\x00\r\n ") == ""
    else:
        assert 'id="desk-q"' in page_after(desk_client, response)
    person = make_registration(edition_2026, days=[datetime(2026, 7, 8).date()])
    response = desk_client.post(DESK + "scan/", {"personne": person.pk, "confirmer": junk})
    assert response.status_code == 200 and not CheckIn.objects.exists()


def test_the_field_is_empty_after_every_answer(desk_client, edition_2026, at_the_door):
    person = make_registration(edition_2026, last_name="Ndiaye")
    for text in (person.checkin_code, "ndiaye", "ZZZZZZZZZZ"):
        page = page_after(desk_client, desk_client.post(DESK + "scan/", {"q": text}))
        assert 'name="q" id="desk-q" autofocus autocomplete="off"' in page
        assert 'value=""' in page and f'value="{text}"' not in page


def test_an_unknown_code_is_a_loud_warning(desk_client, edition_2026, at_the_door):
    page, url = answered(desk_client.post(DESK + "scan/", {"q": "ZZZZ22ZZZZ"}))
    assert url == f"{DESK}?inconnu=ZZZZ22ZZZZ"
    assert 'class="desk__alert" role="alert"' in page and "Code inconnu" in page
    assert not CheckIn.objects.exists()
    # A name that finds nobody is loud too, but it stays a search.
    page = page_after(desk_client, desk_client.post(DESK + "scan/", {"q": "personne inconnue"}))
    assert "Aucune personne trouvée" in page and 'role="alert"' in page


@pytest.mark.parametrize(
    ("text", "is_code"),
    [
        ("ABCDEFGH23", True),
        ("abcdefgh23", True),
        ("ABCDEFGHJK", True),
        ("moreaulucs", False),
        ("Moreau", False),
        ("ABCDEFGH0I", False),
        ("ABCDEFGH234", False),
    ],
)
def test_what_looks_like_a_code(text, is_code):
    from staff.checkin import looks_like_a_code

    assert looks_like_a_code(text) is is_code


def test_the_card_shows_what_the_desk_needs(desk_client, edition_2026, at_the_door):
    person = make_registration(
        edition_2026, lunch=True, dietary_needs="Sans gluten", accessibility_needs="Fauteuil"
    )
    page = desk_client.get(f"{DESK}?personne={person.pk}").content.decode()
    assert "Déjeuner" in page and "desk__lunch--yes" in page
    assert "Sans gluten" in page and "Fauteuil" in page
    assert "mercredi 8 juillet, jeudi 9 juillet" in page
    other = make_registration(edition_2026)
    page = desk_client.get(f"{DESK}?personne={other.pk}").content.decode()
    assert "desk__lunch--no" in page


def test_buttons_are_not_inside_a_paragraph(desk_client, edition_2026, at_the_door):
    person = make_registration(edition_2026)
    page = desk_client.get(f"{DESK}?personne={person.pk}").content.decode()
    actions = page[page.index('class="desk__actions"') - 5 :]
    assert actions.startswith("<div ") and "Enregistrer l'arrivée" in actions


def test_not_registered_for_today_needs_a_confirmation(desk_client, edition_2026, at_the_door):
    person = make_registration(edition_2026, days=[datetime(2026, 7, 8).date()])
    page, url = answered(desk_client.post(DESK + "scan/", {"q": person.checkin_code}))
    assert url == f"{DESK}?personne={person.pk}&etat=confirmer"
    assert "pas inscrit·e pour aujourd'hui" in page and "desk__card--warn" in page
    assert not CheckIn.objects.exists()
    # Confirming another case than the one shown records nothing.
    desk_client.post(DESK + "scan/", {"personne": person.pk, "confirmer": "not_event_day"})
    assert not CheckIn.objects.exists()
    response = desk_client.post(
        DESK + "scan/", {"personne": person.pk, "confirmer": "not_registered_day"}
    )
    page, url = answered(response)
    assert url.endswith("etat=nouveau")
    checkin = CheckIn.objects.get()
    assert checkin.confirmed_exception == CheckIn.Unusual.NOT_REGISTERED_THAT_DAY
    assert "Entrée confirmée par l'équipe : pas inscrit·e pour ce jour" in page


def test_an_arrival_outside_the_event_days_needs_a_confirmation(
    desk_client, edition_2026, time_machine
):
    time_machine.move_to(datetime(2026, 7, 10, 9, 0, tzinfo=PARIS), tick=False)
    person = make_registration(edition_2026)
    page = page_after(desk_client, desk_client.post(DESK + "scan/", {"q": person.checkin_code}))
    assert "n'est pas un jour des Rencontres" in page
    assert 'name="confirmer" value="not_event_day"' in page
    assert not CheckIn.objects.exists()
    desk_client.post(DESK + "scan/", {"personne": person.pk, "confirmer": "not_event_day"})
    assert CheckIn.objects.get().confirmed_exception == "not_event_day"


def test_undo_needs_its_own_permission_and_is_logged(
    desk_client, staff_user, edition_2026, at_the_door
):
    from staff.models import UndoneCheckIn

    person = make_registration(edition_2026)
    desk_client.post(DESK + "scan/", {"q": person.checkin_code})
    page = desk_client.get(f"{DESK}?personne={person.pk}").content.decode()
    assert "Annuler cette arrivée" not in page
    assert desk_client.post(DESK + "annuler/", {"personne": person.pk}).status_code == 403
    assert CheckIn.objects.count() == 1

    desk_client.force_login(grant(staff_user, "check_in", "undo_checkin"))
    page = desk_client.get(f"{DESK}?personne={person.pk}").content.decode()
    assert "Annuler cette arrivée" in page
    response = desk_client.post(DESK + "annuler/", {"personne": person.pk})
    assert response["Location"] == f"{DESK}?personne={person.pk}&etat=annule"
    assert "Arrivée annulée" in desk_client.get(response["Location"]).content.decode()
    assert not CheckIn.objects.exists()
    log = UndoneCheckIn.objects.get()
    assert (log.registration, log.day.isoformat(), log.by.username, log.undone_by.username) == (
        person,
        "2026-07-09",
        "agent",
        "agent",
    )
    assert desk_client.get(DESK + "compteurs.json").json()["arrived"] == 0
    # The person can be checked in again afterwards.
    desk_client.post(DESK + "scan/", {"q": person.checkin_code})
    assert CheckIn.objects.count() == 1


def shown(page):
    """The page time a desk form sends back with a scan."""
    return re.search(r'name="affiche" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("confirming", [False, True])
def test_a_scan_sent_again_after_an_undo_records_nothing(
    client, staff_user, edition_2026, time_machine, confirming
):
    """A refresh of a scan's answer (JavaScript off) or the Back button sends the scan
    again, with the page time of the form it came from: after an undo, that records
    nothing (the undo stands, the card says so); a scan from the page shown after the undo
    records the arrival again. The same for the confirmation of an unusual arrival."""
    time_machine.move_to(THURSDAY_MORNING, tick=False)
    client.force_login(grant(staff_user, "check_in", "undo_checkin"))
    days = [datetime(2026, 7, 8).date()] if confirming else None
    person = make_registration(edition_2026, **({"days": days} if days else {}))
    form = client.get(DESK).content.decode()
    scan = {"q": person.checkin_code, "affiche": shown(form)}
    if confirming:
        card = page_after(client, client.post(DESK + "scan/", scan))
        scan = {"personne": person.pk, "confirmer": "not_registered_day", "affiche": shown(card)}
    client.post(DESK + "scan/", scan)
    assert CheckIn.objects.count() == 1
    time_machine.shift(30)
    after_undo = client.get(client.post(DESK + "annuler/", {"personne": person.pk})["Location"])
    assert not CheckIn.objects.exists()

    time_machine.shift(30)
    page, url = answered(client.post(DESK + "scan/", scan))  # the same POST, sent again
    assert not CheckIn.objects.exists()
    assert url.endswith("&etat=annule"), url
    # Said so; an unusual arrival shows its warning again, to be confirmed again.
    assert ("Arrivée non enregistrée" if confirming else "Arrivée annulée") in page

    again = {**scan, "affiche": shown(after_undo.content.decode())}
    client.post(DESK + "scan/", again)
    assert CheckIn.objects.count() == 1


@pytest.mark.parametrize("affiche", ["", "hier", "2026-07-09T09:00:00", "9" * 60, "\x00"])
def test_any_page_time_gets_an_answer(desk_client, edition_2026, at_the_door, affiche):
    person = make_registration(edition_2026)
    response = desk_client.post(DESK + "scan/", {"q": person.checkin_code, "affiche": affiche})
    assert answered(response) and CheckIn.objects.count() == 1


@pytest.mark.parametrize("junk", ["", "abc", "9" * 40, "\x00", "1"])
def test_undo_answers_any_input(desk_client, staff_user, edition_2026, at_the_door, junk):
    desk_client.force_login(grant(staff_user, "check_in", "undo_checkin"))
    assert desk_client.post(DESK + "annuler/", {"personne": junk}).status_code in (302, 404)


def test_undone_arrivals_are_listed_read_only_in_admin(admin_client, edition_2026, at_the_door):
    from staff.checkin import checkin_record, checkin_undo

    person = make_registration(edition_2026, last_name="Erreur")
    arrival = checkin_record(registration=person, by=None)
    checkin_undo(checkin=arrival.checkin, by=None)
    page = admin_client.get("/admin/staff/undonecheckin/").content.decode()
    assert "Erreur" in page
    assert admin_client.get("/admin/staff/undonecheckin/add/").status_code == 403


def test_a_scan_and_its_card_read_a_fixed_number_of_rows(
    desk_client, edition_2026, at_the_door, django_assert_num_queries
):
    """What one scan costs the database, its card included: the same with no booking or
    with several, a first arrival or a second scan."""
    from events.models import Session
    from registration.models import Booking
    from registration.queries import sessions_of

    one_per_slot = {s.slot_id: s for s in Session.objects.filter(starts_at__date="2026-07-09")}
    sessions = list(one_per_slot.values())[:3]
    assert len(sessions) == 3
    desk_client.get(DESK)  # the current edition, kept for a while by events.queries
    sessions_of(edition_2026.pk)  # the programme's sessions, kept under its version
    for bookings in (0, 3):
        person = make_registration(edition_2026)
        for session in sessions[:bookings]:
            Booking.objects.create(
                registration=person, session=session, slot=session.slot, status="confirmed"
            )
        # session, user, permissions (theirs and their groups': 1), the card (registration,
        # days, arrival, bookings, B2B meetings, counters), the arrival's insert
        with django_assert_num_queries(5):
            response = desk_client.post(DESK + "scan/", {"q": person.checkin_code})
        page = page_after(desk_client, response)
        assert page.count("<li>") >= bookings and "Arrivée enregistrée" in page
        with django_assert_num_queries(4):  # a second scan: nothing to insert
            page = page_after(
                desk_client, desk_client.post(DESK + "scan/", {"q": person.checkin_code})
            )
        assert "Déjà enregistré·e" in page


def test_the_kept_frame_is_each_staff_members_own_and_its_token_works(
    client, staff_user, django_user_model, edition_2026, at_the_door
):
    """The desk's frame is rendered once and kept (views/desk.py): each staff member still
    sees their own name, each browser's form token is its own and is accepted, and the
    language links lead back to the page shown (never to the scan's address)."""
    from django.test import Client

    person = make_registration(edition_2026)
    other = grant(django_user_model.objects.create_user("accueil2", is_staff=True), "check_in")
    client.force_login(grant(staff_user, "check_in"))
    assert "<strong>agent</strong>" in client.get(DESK).content.decode()
    desk = Client(enforce_csrf_checks=True)
    desk.force_login(other)
    for _ in range(2):  # the frame rendered, then kept
        page = desk.get(DESK).content.decode()
        assert "<strong>accueil2</strong>" in page and "<strong>agent</strong>" not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    page, url = answered(
        desk.post(DESK + "scan/", {"q": person.checkin_code, "csrfmiddlewaretoken": token})
    )
    assert "Arrivée enregistrée" in page and CheckIn.objects.get().by == other
    assert desk.post(DESK + "scan/", {"q": person.checkin_code}).status_code == 403  # no token
    languages = re.search(r'href="([^"]*next=[^"]*)"', page).group(1)
    assert html.unescape(languages).endswith("next=" + quote_plus(url))


def test_permissions_read_in_one_statement_are_djangos(
    django_user_model, edition_2026, django_assert_num_queries
):
    """The site's backend reads a staff member's permissions (their own and their groups',
    all for a superuser) in one statement, and reads what Django's ModelBackend reads in
    two; a group's permission opens the desk."""
    from django.contrib.auth import backends
    from django.contrib.auth.models import Group, Permission

    from staff.auth import ModelBackend

    desk = Group.objects.create(name="Accueil")
    desk.permissions.add(*Permission.objects.filter(codename__in=["check_in", "view_checkin"]))
    own = django_user_model.objects.create_user("own", is_staff=True)
    own.user_permissions.add(Permission.objects.get(codename="undo_checkin"))
    own.groups.add(desk)
    grouped = django_user_model.objects.create_user("grouped", is_staff=True)
    grouped.groups.add(desk)
    nobody = django_user_model.objects.create_user("nobody", is_staff=True)
    boss = django_user_model.objects.create_superuser("boss", "boss@example.org", "x")
    read = {}
    for user in (own, grouped, nobody, boss):
        user = django_user_model.objects.get(pk=user.pk)
        with django_assert_num_queries(1):
            read[user.username] = ModelBackend().get_all_permissions(user)
            assert user.has_perm("registration.check_in") is (user.username != "nobody")
        fresh = django_user_model.objects.get(pk=user.pk)
        assert read[user.username] == backends.ModelBackend().get_all_permissions(fresh)
    assert read["own"] == {"registration.check_in", "staff.view_checkin", "staff.undo_checkin"}
    assert read["nobody"] == set() and len(read["boss"]) > 100
    inactive = django_user_model.objects.get(pk=own.pk)
    inactive.is_active = False
    assert ModelBackend().get_all_permissions(inactive) == set()

    from django.test import Client

    client = Client()
    client.force_login(grouped)
    assert client.get(DESK).status_code == 200
    client.force_login(nobody)
    assert client.get(DESK).status_code == 403
