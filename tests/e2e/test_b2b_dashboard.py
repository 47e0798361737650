"""Staff's B2B pages in Chromium at 1366 px: the dashboard's B2B figures and the follow-up
of meetings held or not fit the screen, their charts drawn. Set SCREENSHOTS to a folder to
keep the pictures."""

import os
from datetime import timedelta
from pathlib import Path

from meetings import services
from meetings.models import Profile, Programme, Theme
from tests.e2e.test_staff import log_in
from tests.factories import PARIS, make_registration


def taking_part(programme, themes=(), **fields):
    registration = make_registration(programme.edition, **fields)
    services.profile_save(
        registration=registration, data={"languages": ["fr"]}, themes=list(themes)
    )
    Profile.objects.filter(registration=registration).update(status=Profile.Status.APPROVED)
    return registration


def b2b_scene(edition, time_machine):
    """Twelve people of four kinds and five countries, seven meetings (two reported not
    held, three past), four requests waiting; the clock just after the third meeting."""
    from datetime import datetime

    time_machine.move_to(datetime(2026, 5, 12, 10, 0, tzinfo=PARIS), tick=True)
    programme = Programme.objects.get(edition=edition)
    themes = list(Theme.objects.all()[:4])
    kinds = ["collectivite", "reseau", "association", "entreprise"]
    where = ["FR", "SN", "MA", "BF", "TN", "FR"]
    people = [
        taking_part(
            programme,
            themes=themes[i % 4 : i % 4 + 2],
            organisation_type=kinds[i % 4],
            country=where[i % 6],
        )
        for i in range(12)
    ]
    times = list(programme.times.order_by("starts_at"))
    meetings = []
    for i in range(6):
        request = services.request_create(
            sender=people[i], recipient=people[i + 6], message="Bonjour"
        )
        meetings.append(
            services.request_accept(request=request, registration=people[i + 6], time=times[i])
        )
    # people[1], reported absent below, has a meeting on the second day.
    request = services.request_create(sender=people[1], recipient=people[11], message="Et ?")
    services.request_accept(request=request, registration=people[11], time=times[8])
    for i in range(6, 10):
        services.request_create(sender=people[i], recipient=people[(i + 3) % 6], message="x")
    time_machine.move_to(meetings[2].time.ends_at + timedelta(minutes=5), tick=True)
    services.meeting_report_not_held(meeting=meetings[0], registration=people[0])
    services.meeting_report_not_held(meeting=meetings[1], registration=people[7])


def test_b2b_figures_and_follow_up_at_1366_px(
    page, live_server, live_edition, django_user_model, time_machine, tmp_path
):
    b2b_scene(live_edition, time_machine)
    log_in(page, live_server, django_user_model)
    page.set_viewport_size({"width": 1366, "height": 900})
    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    for name, path in (
        ("dashboard", "/admin/outils/tableau-de-bord/"),
        ("followup", "/admin/outils/b2b/suivi/"),
    ):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366, name
        page.screenshot(path=str(folder / f"b2b-{name}.png"), full_page=True)
    page.goto(live_server.url + "/admin/outils/tableau-de-bord/")
    bars = page.locator(".b2b-figures ~ section .chart__bar")
    assert bars.count() > 10
    assert max(float(bars.nth(i).get_attribute("width")) for i in range(bars.count())) > 100
