"""The personal page with its one agenda (plenaries, sessions, a waiting-list place, B2B
meetings) in Chromium, in French and English: axe finds no violation, nothing runs off a
375 px screen, and the screenshots (1280 and 375 px) are kept for a look."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from meetings import services as b2b
from meetings.availability import common_free_times
from meetings.models import Profile, Programme
from registration.models import AccessKey
from tests.e2e.test_accessibility import audit  # noqa: F401  (the axe fixture)
from tests.pages import LANGUAGES
from tests.registration.conftest import MAY
from tests.registration.people import bookable, sign_up

SHOTS = settings.BASE_DIR / "var" / "screenshots"


def taking_part(registration):
    b2b.profile_save(
        registration=registration, data={"presentation": "Coopération décentralisée"}, themes=[]
    )
    Profile.objects.filter(registration=registration).update(status=Profile.Status.APPROVED)
    return registration


@pytest.fixture
def agenda_of_awa(live_edition, time_machine):
    """Awa: two workshops, the waiting list of a third, three B2B meetings."""
    time_machine.move_to(MAY, tick=True)
    slots = bookable(live_edition)
    full = slots[2][0]
    full.capacity = 1
    full.save()
    sign_up(live_edition, "Premiere", [full])
    awa, _path = sign_up(live_edition, "Diallo", [slots[0][0], slots[1][1], full])
    programme = Programme.objects.get(edition=live_edition)
    taking_part(awa)
    people = [
        ("Jean", "Martin", "Ville de Lyon"),
        ("María", "González", "Diputación de Barcelona"),
        ("Nguyễn", "Thị Lan", "Ville de Hué"),
    ]
    for number, (first, last, organisation) in enumerate(people):
        other, _ = sign_up(
            live_edition, f"B2b{number}", [], first_name=first, organisation=organisation
        )
        other.last_name = last
        other.save()
        taking_part(other)
        time = common_free_times(programme, [awa.pk, other.pk])[number]
        request = b2b.request_create(sender=other, recipient=awa, message="Bonjour")
        b2b.request_accept(request=request, registration=awa, time=time)
    return AccessKey.issue(awa)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_agenda_in_a_browser(audit, live_server, agenda_of_awa, browser, lang):  # noqa: F811
    with translation.override(lang):
        url = live_server.url + reverse("registration:manage", kwargs={"token": agenda_of_awa})
    page, violations = audit(url)
    assert violations == []
    meeting = "Rendez-vous B2B avec" if lang == "fr" else "B2B meeting with"
    assert page.locator(".agenda__item--meeting").count() == 3
    assert page.locator(".agenda__item--waitlist").count() == 1
    assert page.locator(".agenda__item--booking").count() == 2
    assert page.get_by_text(f"{meeting} María González").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 375):
        context = browser.new_context(viewport={"width": width, "height": 900})
        shot = context.new_page()
        shot.goto(url)
        # Nothing wider than the screen (no sideways scrolling on a phone).
        assert shot.evaluate("document.documentElement.scrollWidth") <= width
        shot.screenshot(path=SHOTS / f"personal-agenda-{lang}-{width}.png", full_page=True)
        context.close()
