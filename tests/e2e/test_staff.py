"""Staff in a real browser: the check-in desk scans a badge; an admin edit reaches the site."""

import itertools
from datetime import datetime

from django.test import Client
from playwright.sync_api import expect

from events.models import Session
from staff.models import CheckIn
from tests.factories import PARIS, make_registration


def log_in(page, live_server, django_user_model):
    """A staff member's session cookie, as after the admin's login form."""
    user = django_user_model.objects.create_superuser("accueil", "accueil@example.org", "x")
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return user


def test_desk_scans_a_badge_and_warns_on_the_second_scan(
    page, live_server, live_edition, django_user_model, time_machine
):
    time_machine.move_to(datetime(2026, 7, 9, 9, 12, tzinfo=PARIS), tick=True)
    person = make_registration(live_edition, first_name="Aïcha", last_name="Benali")
    log_in(page, live_server, django_user_model)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone at the entrance
    page.goto(f"{live_server.url}/admin/outils/accueil/")
    expect(page.locator("#desk-arrived")).to_have_text("0")
    expect(page.locator("#desk-expected")).to_have_text("1")

    # A USB scanner types into the focused field, then Enter.
    expect(page.get_by_label("Scanner le badge, ou taper un nom")).to_be_focused()
    page.keyboard.type(person.checkin_code)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Arrivée enregistrée à 9 h 12")
    expect(page.get_by_role("heading", name="Aïcha Benali")).to_be_visible()
    expect(page.locator("#desk-arrived")).to_have_text("1")

    page.keyboard.type(person.checkin_code)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Déjà enregistré·e à 9 h 12")
    assert CheckIn.objects.count() == 1

    page.get_by_label("Scanner le badge, ou taper un nom").fill("benali")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="1 personne trouvée")).to_be_visible()


def test_what_a_scanner_typed_before_the_page_finished_loading_is_kept(
    page, live_server, live_edition, django_user_model, time_machine
):
    """The field was emptied again on `pageshow` (after the load event): the first
    characters of a badge scanned right after an answer appeared were wiped and the scan
    sent half a code. Only a page brought back from the history is emptied."""
    time_machine.move_to(datetime(2026, 7, 9, 9, 12, tzinfo=PARIS), tick=True)
    log_in(page, live_server, django_user_model)
    page.goto(f"{live_server.url}/admin/outils/accueil/")
    field = page.get_by_label("Scanner le badge, ou taper un nom")
    expect(field).to_be_focused()
    page.keyboard.type("RAICT-")
    show = "persisted => window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted}))"
    page.evaluate(show, False)  # the first pageshow of a page just loaded
    expect(field).to_have_value("RAICT-")
    page.evaluate(show, True)  # the page brought back from the history
    expect(field).to_have_value("")
    expect(field).to_be_focused()


def test_desk_scans_three_codes_in_a_row_with_a_clean_field_each_time(
    page, live_server, live_edition, django_user_model, time_machine
):
    """Known, unknown, already arrived: after each answer the field is empty and focused, so
    the next scan never appends to the last one."""
    time_machine.move_to(datetime(2026, 7, 9, 8, 40, tzinfo=PARIS), tick=True)
    known = make_registration(live_edition, first_name="Hoa", last_name="Nguyễn", lunch=True)
    already = make_registration(live_edition, first_name="Marc", last_name="Diallo")
    arrived_at = datetime(2026, 7, 9, 8, 5, tzinfo=PARIS)
    CheckIn.objects.create(registration=already, day=arrived_at.date(), at=arrived_at)
    log_in(page, live_server, django_user_model)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/admin/outils/accueil/")
    field = page.get_by_label("Scanner le badge, ou taper un nom")

    def scan(code):
        expect(field).to_be_focused()
        page.keyboard.type(code)
        page.keyboard.press("Enter")
        page.wait_for_load_state()

    def field_is_ready():
        expect(field).to_have_value("")
        expect(field).to_be_focused()

    scan(known.checkin_code)
    expect(page.get_by_role("status")).to_contain_text("Arrivée enregistrée à 8 h 40")
    expect(page.locator(".desk__lunch")).to_have_text("oui")
    field_is_ready()

    scan("QQQQ2222QQ")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Code inconnu")
    expect(alert).to_contain_text("QQQQ2222QQ")
    red, green, blue = map(
        int, alert.evaluate("e => getComputedStyle(e).backgroundColor")[4:-1].split(",")
    )
    assert red > 100 and green < 60 and blue < 60  # red (it flashes between two reds)
    field_is_ready()

    scan(already.checkin_code)
    expect(page.get_by_role("status")).to_contain_text("Déjà enregistré·e à 8 h 05")
    expect(page.get_by_role("heading", name="Marc Diallo")).to_be_visible()
    field_is_ready()
    assert CheckIn.objects.count() == 2

    # The scan was answered at once (no redirect), and the address bar holds the card's own
    # address: a refresh reads the card again (a GET), it does not send the scan again. The
    # field's autofocus may be ready before the desk's script rewrites the address: wait for it.
    expect(page).to_have_url(
        f"{live_server.url}/admin/outils/accueil/?personne={already.pk}&etat=vu"
    )
    methods = []
    page.on("request", lambda request: methods.append((request.method, request.url)))
    page.reload()
    expect(page.get_by_role("heading", name="Marc Diallo")).to_be_visible()
    field_is_ready()
    assert methods[0] == ("GET", page.url)
    assert not [url for method, url in methods if method == "POST"]

    # The buttons are full size at phone width, side by side or stacked, never overlapping.
    boxes = [b.bounding_box() for b in page.locator(".desk__actions .button").all()]
    assert all(box["height"] >= 44 for box in boxes)
    for one, other in itertools.pairwise(boxes):
        assert one["y"] + one["height"] <= other["y"] or one["x"] + one["width"] <= other["x"]


def test_staff_edit_a_session_and_see_it_on_the_site(
    page, live_server, live_edition, django_user_model
):
    session = Session.objects.get(title_fr="Atelier thématique 1 (intitulé à venir)")
    public = f"{live_server.url}/fr/programme/{session.code}/"
    page.goto(public)  # now in the page cache
    expect(page.get_by_role("heading", level=1)).to_have_text(session.title_fr)

    log_in(page, live_server, django_user_model)
    page.goto(f"{live_server.url}/admin/events/session/{session.pk}/change/")
    page.locator("#id_title_fr").fill("Coopération décentralisée et climat")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("a été modifié")

    page.goto(public)
    expect(page.get_by_role("heading", level=1)).to_have_text("Coopération décentralisée et climat")
