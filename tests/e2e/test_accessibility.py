"""axe-core (WCAG 2.2 A and AA rules) on the public pages, the form with its errors and the
personal pages, in French and English: no violation."""

import os

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from tests.pages import LANGUAGES, PUBLIC, personal_paths, public_paths
from tests.registration.conftest import MAY, form_data, link_in, run_worker

AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def audit(browser):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make install` (npm ci)")
    script = AXE.read_text()
    # The site's CSP rightly refuses injected scripts: only this audit context bypasses it.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()

    def run(url):
        page.goto(url)
        page.add_script_tag(content=script)
        result = page.evaluate(
            "rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})", RULES
        )
        return page, [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]

    yield run
    context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_pages(audit, live_server, live_edition, time_machine, lang):
    """Every public page, with one session of each type (one template; the HTML checker
    goes through all of them), and the 404 page."""
    from events.models import Session

    time_machine.move_to(MAY, tick=True)
    one_per_type = {session.type_id: session for session in Session.objects.all()}
    checked = {}
    for path in [*public_paths(lang, one_per_type.values()), f"/{lang}/nulle-part/"]:
        checked[path] = audit(live_server.url + path)[1]
    assert len(checked) == len(PUBLIC) + len(one_per_type) + 1  # and the 404 page
    assert {path: found for path, found in checked.items() if found} == {}


def test_form_with_errors_and_personal_page(audit, live_server, live_edition, time_machine):
    time_machine.move_to(MAY, tick=True)
    for lang, button in (("fr", "Valider mon inscription"), ("en", "Register")):
        with translation.override(lang):
            page, _violations = audit(live_server.url + reverse("registration:register"))
        page.get_by_role("button", name=button).click()
        page.wait_for_selector("#error-summary")
        page.add_script_tag(content=AXE.read_text())
        result = page.evaluate(
            "rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})", RULES
        )
        assert [v["id"] for v in result["violations"]] == [], lang

    from django.test import Client

    Client().post("/fr/inscription/", form_data())
    run_worker()
    personal = link_in(mail.outbox[-1])
    token = personal.rstrip("/").rsplit("/", 1)[1]
    for lang in LANGUAGES:  # the page, the change form, the cancel step
        for path in personal_paths(lang, token):
            assert Client().get(path).status_code == 200
            assert audit(live_server.url + path)[1] == [], path


@pytest.mark.parametrize("lang", LANGUAGES)
def test_now_and_next_during_the_event(audit, live_server, live_edition, time_machine, lang):
    """« Maintenant / ensuite » with sessions running. The screens' variant reloads itself,
    which axe's meta-refresh rule (WCAG 2.2.1) reports for any page: it is meant for the
    venue's screens, nobody reads it with a keyboard or a screen reader, and the public page
    (checked here with every rule) does not reload. Every other rule applies to it."""
    from datetime import datetime

    from tests.factories import PARIS

    time_machine.move_to(datetime(2026, 7, 8, 14, 45, tzinfo=PARIS), tick=True)
    with translation.override(lang):
        path = reverse("events:now")
    page, found = audit(live_server.url + path)
    assert page.locator("tbody tr").count() >= 5
    assert found == []
    _page, found = audit(live_server.url + path + "?ecran=1")
    assert [rule for rule, _targets in found if rule != "meta-refresh"] == []


def test_archive_of_a_past_edition(audit, live_server, live_edition):
    from datetime import date

    from events.models import Edition
    from events.services import edition_copy

    new = edition_copy(edition=live_edition, number=18, start_date=date(2027, 7, 7))
    Edition.objects.filter(pk=live_edition.pk).update(is_current=False)
    new.is_current = True
    new.save()
    for lang in LANGUAGES:
        with translation.override(lang):
            paths = [reverse("events:archives"), reverse("events:archive", args=[17])]
        for path in paths:
            page, found = audit(live_server.url + path)
            assert found == [], path
    assert "Atelier thématique 1" in page.content() or "Thematic workshop 1" in page.content()


def test_attestation_verification_page(audit, live_server, live_edition, time_machine):
    """The public page that confirms an attestation's code, valid or not, in both languages."""
    from datetime import datetime

    from staff.attestations import attestation_issue
    from staff.models import CheckIn
    from tests.factories import PARIS, make_registration

    time_machine.move_to(datetime(2026, 7, 10, 9, 0, tzinfo=PARIS), tick=True)
    person = make_registration(live_edition)
    CheckIn.objects.create(registration=person, day=datetime(2026, 7, 9).date(), at=MAY)
    _attestation, code = attestation_issue(registration=person)
    checked = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            for shown in (code, "x" * 22):
                path = reverse("attendance:verify", kwargs={"code": shown})
                checked[path] = audit(live_server.url + path)[1]
    assert {path: found for path, found in checked.items() if found} == {}


def test_check_in_desk(audit, live_server, live_edition, django_user_model, time_machine):
    """The desk with a person's card (an arrival to confirm), and with an unknown code."""
    from datetime import datetime

    from django.test import Client

    from tests.factories import PARIS, make_registration

    time_machine.move_to(datetime(2026, 7, 9, 9, 0, tzinfo=PARIS), tick=True)
    person = make_registration(live_edition, days=[datetime(2026, 7, 8).date()], lunch=True)
    user = django_user_model.objects.create_superuser("accueil", "accueil@example.org", "x")
    client = Client()
    client.force_login(user)
    page, _found = audit(live_server.url + "/fr/")
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.emulate_media(reduced_motion="reduce")  # the alert's flash: colours at rest
    checked = {}
    for query in (f"?personne={person.pk}&etat=confirmer", "?inconnu=ZZZZ22ZZZZ", "?q=nobody"):
        desk, checked[query] = audit(f"{live_server.url}/admin/outils/accueil/{query}")
        assert desk.locator("#desk-q").count() == 1  # the desk itself, not the login page
    assert {query: found for query, found in checked.items() if found} == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_b2b_screen_reads_from_three_metres(
    audit, live_server, live_edition, time_machine, lang, browser
):
    """The screen at the Espace des Partenaires on a 1920 × 1080 display, 16 meetings under
    way and one next: names at least 32 px high and table numbers at least 56 px (about 8
    and 15 mm: read from 3 m), each page without scrolling, the tables that do not fit on
    the next page; every axe rule but meta-refresh (it reloads itself, like the
    « Maintenant » screens' variant, see above)."""
    from tests.meetings.screen_data import screen_with_meetings

    token = screen_with_meetings(live_edition, time_machine, pairs_now=16)
    with translation.override(lang):
        path = reverse("meetings:screen", args=[token])
    _page, found = audit(live_server.url + path)
    assert [rule for rule, _targets in found if rule != "meta-refresh"] == []

    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    for number, tables in ((1, 14), (2, 3)):
        page.goto(f"{live_server.url}{path}?page={number}")
        if shots := os.environ.get("SCREENSHOTS_DIR"):
            page.screenshot(path=f"{shots}/b2b-screen-{lang}-{number}.png", full_page=True)
        assert page.locator(".b2b-table").count() == tables
        sizes = page.evaluate(
            """() => [".b2b-table__person", ".b2b-table__number"].map(
                s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize))"""
        )
        assert sizes[0] >= 32 and sizes[1] >= 56
        scroll = page.evaluate("[document.body.scrollWidth, document.body.scrollHeight]")
        assert scroll[0] <= 1920 and scroll[1] <= 1080, scroll
    context.close()


def test_staff_b2b_pages(audit, live_server, live_edition, django_user_model, time_machine):
    """The dashboard with its B2B figures and the follow-up of meetings held or not."""
    from django.test import Client

    from tests.e2e.test_b2b_dashboard import b2b_scene

    b2b_scene(live_edition, time_machine)
    user = django_user_model.objects.create_superuser("b2b", "b2b@example.org", "x")
    client = Client()
    client.force_login(user)
    page, _found = audit(live_server.url + "/fr/")
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    checked = {}
    for path in ("/admin/outils/tableau-de-bord/", "/admin/outils/b2b/suivi/"):
        shown, checked[path] = audit(live_server.url + path)
        assert shown.locator("#content h1").count() == 1, path  # not the login page
    assert {path: found for path, found in checked.items() if found} == {}
