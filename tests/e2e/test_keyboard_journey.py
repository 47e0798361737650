"""The whole registration with the keyboard only: every control reached with Tab in the
page's order, operated with Space, typing and Enter. No click, no mouse."""

from playwright.sync_api import expect

from registration.models import Registration
from tests.registration.conftest import MAY, workshop


def tab_to(page, element_id, *, limit=120):
    """Press Tab until the element has the focus (fails if Tab never reaches it)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_register_with_the_keyboard_only(page, live_server, live_edition, time_machine):
    time_machine.move_to(MAY, tick=True)
    page.goto(f"{live_server.url}/fr/")
    # From the home page to the form: Tab to the call to action, Enter.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Je m'inscris":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscription aux Rencontres")

    # Tab enters a radio group on its checked radio (« Ne pas préciser »); arrows choose.
    tab_to(page, "id_civility_2")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # Madame
    tab_to(page, "id_first_name")
    page.keyboard.type("Olga")
    tab_to(page, "id_last_name")
    page.keyboard.type("Kowalska")
    tab_to(page, "id_email")
    page.keyboard.type("olga.kowalska@example.org")
    tab_to(page, "id_organisation")
    page.keyboard.type("Miasto Kraków")
    tab_to(page, "id_organisation_type")
    page.keyboard.type("Coll")  # a focused select picks the option typed
    tab_to(page, "id_country")
    page.keyboard.type("Pologne")
    tab_to(page, "id_days_0")
    page.keyboard.press("Space")
    slot = workshop(1).slot_id
    tab_to(page, f"id_slot_{slot}_0")  # « none », checked
    page.keyboard.press("ArrowDown")  # the first workshop
    tab_to(page, "id_privacy")
    page.keyboard.press("Space")
    for _ in range(10):  # on to the submit button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Merci")
    registration = Registration.objects.get(email="olga.kowalska@example.org")
    assert (registration.civility, registration.country.code) == ("mme", "PL")
    assert registration.organisation_type == "collectivite"
    assert registration.bookings.get().session == workshop(1)
