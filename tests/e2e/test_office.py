"""The office's staff tools at a laptop's width (1366 px): the registration list and the
dashboard fit without a horizontal scroll bar. With SCREENSHOTS=<folder> set, each page is
also saved as a PNG there, to be looked at."""

import os
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.e2e.test_staff import log_in
from tests.factories import PARIS, make_registration

LAPTOP = {"width": 1366, "height": 768}


def screenshot(page, name):
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False)


def overflow(page, selector="html"):
    """How many pixels of `selector` are hidden sideways (0: no horizontal scroll bar): the
    admin's results table scrolls inside its own box, so the page alone would not tell."""
    return page.evaluate(
        "s => { const e = document.querySelector(s); return e.scrollWidth - e.clientWidth; }",
        selector,
    )


@pytest.fixture
def busy_list(live_edition):
    """People with the longest names and organisations a real list has."""
    long = "Communauté d'agglomération du Grand Besançon Métropole et ses communes"
    for number in range(12):
        make_registration(
            live_edition,
            first_name=f"Marie-Françoise {number}",
            last_name=f"Delacroix-Montmorency {number}",
            organisation=long,
            organisation_type="reseau",
            country="CD",
            days=[date(2026, 7, 8), date(2026, 7, 9)],
        )
    return live_edition


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_registration_list_fits_a_laptop(
    page, live_server, busy_list, django_user_model, time_machine, lang
):
    time_machine.move_to(datetime(2026, 7, 8, 9, 40, tzinfo=PARIS), tick=True)
    log_in(page, live_server, django_user_model)
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/{lang}/admin/?next=/admin/registration/registration/")
    screenshot(page, f"registration-list-{lang}")
    assert overflow(page) <= 0
    assert overflow(page, "#changelist .results") <= 0


def test_dashboard_fits_a_laptop(page, live_server, busy_list, django_user_model, time_machine):
    time_machine.move_to(datetime(2026, 7, 8, 9, 40, tzinfo=PARIS), tick=True)
    user = log_in(page, live_server, django_user_model)
    from registration.models import Registration
    from staff.models import CheckIn

    for person in Registration.objects.all()[:5]:
        CheckIn.objects.create(
            registration=person,
            day=date(2026, 7, 8),
            at=datetime(2026, 7, 8, 9, 5, tzinfo=PARIS),
            by=user,
        )
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/admin/outils/tableau-de-bord/")
    screenshot(page, "dashboard-fr")
    assert overflow(page) <= 0
    assert page.locator(".event-days tbody tr").count() == 2


def test_a_badge_sheet_without_a_worker_says_so(
    page, live_server, busy_list, django_user_model, time_machine
):
    from registration.models import Registration
    from staff.sheets import badge_sheet_request

    time_machine.move_to(datetime(2026, 7, 7, 12, 0, tzinfo=PARIS), tick=False)
    user = log_in(page, live_server, django_user_model)
    sheet = badge_sheet_request(
        edition=busy_list,
        registrations=Registration.objects.all(),
        description="Toutes les inscriptions",
        user=user,
    )
    time_machine.move_to(datetime(2026, 7, 7, 12, 1, 30, tzinfo=PARIS), tick=True)
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/admin/outils/badges/{sheet.pk}/")
    screenshot(page, "badge-sheet-no-worker-fr")
    assert page.locator(".worker-silent").is_visible()
    assert overflow(page) <= 0


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_office_pages_pass_axe(page, live_server, busy_list, django_user_model, lang):
    """axe-core (WCAG 2.2 A and AA) on the pages of this work: the registration list with
    its filters, the dashboard (with its « no worker » warning), the export log."""
    from tests.e2e.test_accessibility import AXE, RULES

    log_in(page, live_server, django_user_model)
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/{lang}/admin/")
    found = {}
    for path in (
        "/admin/registration/registration/",
        "/admin/outils/tableau-de-bord/",
        "/admin/staff/exportlog/",
    ):
        page.goto(live_server.url + path)
        # The CSP rightly refuses injected scripts: evaluate axe's source instead.
        page.evaluate(AXE.read_text())
        result = page.evaluate(
            "rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})", RULES
        )
        found[path] = [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
    failures = {path: violations for path, violations in found.items() if violations}
    assert not failures, "\n".join(f"{p}: {v}" for p, v in failures.items())
