"""axe-core (WCAG 2.2 A and AA rules) on the public pages, the form with its errors and the
personal page, in French and English: no violation."""

import pytest
from django.conf import settings
from django.core import mail

from tests.registration.conftest import MAY, form_data, link_in, run_worker

AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = [
    "/{lang}/",
    "/fr/editorial/",
    "/fr/infos-pratiques/",
    "/en/practical-information/",
    "/fr/pre-programme/",
    "/{lang}/programme/",
    "/fr/partenaires/",
    "/fr/donnees-personnelles/",
    "/fr/inscription/",
    "/en/registration/",
    "/fr/inscription/lien-perdu/",
]


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


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_public_pages(audit, live_server, live_edition, time_machine, lang):
    time_machine.move_to(MAY, tick=True)
    for path in PAGES:
        url = live_server.url + path.format(lang=lang)
        _page, violations = audit(url)
        assert violations == [], url


def test_session_page(audit, live_server, live_edition):
    from events.models import Session

    session = Session.objects.get(title_fr="Ouverture officielle des Rencontres")
    assert audit(live_server.url + session.get_absolute_url())[1] == []


def test_form_with_errors_and_personal_page(audit, live_server, live_edition, time_machine):
    time_machine.move_to(MAY, tick=True)
    page, _violations = audit(live_server.url + "/fr/inscription/")
    page.get_by_role("button", name="Valider mon inscription").click()
    page.wait_for_selector("#error-summary")
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(
        "rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})", RULES
    )
    assert [v["id"] for v in result["violations"]] == []

    from django.test import Client

    Client().post("/fr/inscription/", form_data())
    run_worker()
    personal = link_in(mail.outbox[-1])
    for path in ("", "modifier/", "annuler/"):  # the page, the change form, the cancel step
        assert Client().get(personal + path).status_code == 200
        assert audit(live_server.url + personal + path)[1] == [], path
