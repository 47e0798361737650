"""Staff in a real browser: the check-in desk scans a badge; an admin edit reaches the site."""

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
