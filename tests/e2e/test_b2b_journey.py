"""Issue 13's « Done when », end to end: Chromium at a date inside the B2B window, a real
SMTP server on loopback. Two people sign up and opt in; one finds the other by theme and
country and asks; the other gets the email, opens its link and accepts a time; both B2B
pages and both .ics feeds show the meeting at the same time and table (UTC compared); one
cancels; both calendars drop it. Screenshots at 1280 and 375 px; axe on every B2B page in
French and English."""

import email
import email.policy
import re
from datetime import datetime

import icalendar
import pytest
from django.conf import settings
from playwright.sync_api import expect

from meetings import services
from meetings.models import Profile, Programme, Theme
from tests.e2e.test_accessibility import audit  # noqa: F401  (the axe fixture)
from tests.factories import PARIS
from tests.pages import LANGUAGES, b2b_paths
from tests.registration.conftest import MAY
from tests.smtp import start_smtp
from tests.worker import run_worker

SHOTS = settings.BASE_DIR / "var" / "screenshots"


def b2b_setup(edition):
    """The fixture's B2B setup, profiles listed without waiting for staff."""
    programme = Programme.objects.get(edition=edition)
    programme.needs_approval = False
    services.programme_save(programme=programme)
    return programme


def sign_up(page, url, *, first, last, email_address, country):
    """Both days, no workshop: free for every B2B time."""
    page.goto(f"{url}/fr/inscription/")
    page.get_by_label("Madame").check()
    page.get_by_label("Prénom").fill(first)
    page.locator("#id_last_name").fill(last)
    page.get_by_label("Adresse électronique").fill(email_address)
    page.locator("#id_organisation").fill(f"Ville de {last}")
    page.get_by_label("Type d'organisation").select_option(label="Collectivité territoriale")
    page.locator("#id_country").select_option(label=country)
    page.get_by_label("Mercredi 8 juillet 2026").check()
    page.get_by_label("Jeudi 9 juillet 2026").check()
    page.get_by_label(re.compile("J'accepte que Cités Unies France traite")).check()
    page.get_by_role("button", name="Valider mon inscription").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Merci")


def messages_to(inbox, address):
    found = []
    for raw in inbox.messages:
        message = email.message_from_bytes(raw.encode(), policy=email.policy.default)
        if message["To"] == address:
            found.append(message)
    return found


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def personal_link(inbox, address):
    (confirmation,) = messages_to(inbox, address)
    return re.search(r"http://127\.0\.0\.1:8000(/fr/\S+/espace/[^\s/]+/)", text_of(confirmation))[1]


def meeting_events(page, url, link):
    response = page.request.get(url + link + "agenda.ics")
    calendar = icalendar.Calendar.from_ical(response.body())
    return [e for e in calendar.walk("VEVENT") if str(e["uid"]).startswith("b2b-")]


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=SHOTS / f"b2b-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def take_part(page, url, link, theme):
    page.goto(url + link)
    page.get_by_role("link", name="Mon agenda et mes rendez-vous B2B").click()
    page.get_by_role("link", name="Participer aux rendez-vous B2B").click()
    page.get_by_label("Présentation").fill("Coopération décentralisée sur l'eau et le climat.")
    page.get_by_label("Ce que je cherche").fill("Des partenaires pour un projet d'assainissement.")
    page.get_by_label(theme).check()
    page.get_by_label("anglais").check()
    page.get_by_role("button", name="Enregistrer mon profil").click()
    expect(page.get_by_text("Votre profil B2B est enregistré.")).to_be_visible()


def test_two_people_meet(page, live_server, live_edition, smtp_port, time_machine):
    time_machine.move_to(MAY, tick=True)
    page.set_default_timeout(60_000)  # a busy shared machine: slow, not broken
    page.set_default_navigation_timeout(60_000)
    url = live_server.url
    b2b_setup(live_edition)
    inbox, controller = start_smtp(smtp_port)
    try:
        sign_up(page, url, first="Awa", last="Diallo", email_address="awa@example.org",
                country="Sénégal")  # fmt: skip
        sign_up(page, url, first="Thu", last="Thảo", email_address="thao@example.org",
                country="Viêt Nam")  # fmt: skip
        run_worker()
        awa, thao = (
            personal_link(inbox, "awa@example.org"),
            personal_link(inbox, "thao@example.org"),
        )
        take_part(page, url, thao, "Eau et assainissement")
        take_part(page, url, awa, "Climat")

        # Awa finds Thảo by theme and country, opens her profile and asks.
        page.get_by_role("link", name="Trouver des interlocuteurs").click()
        page.get_by_label("Thème").select_option(label="Eau et assainissement")
        page.get_by_label("Pays", exact=True).select_option(label="Viêt Nam")
        page.get_by_role("button", name="Filtrer").click()
        expect(page.get_by_text("1 personne")).to_be_visible()
        shoot(page, "directory")
        page.get_by_role("link", name="Thu Thảo").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thu Thảo")
        assert "thao@example.org" not in page.content()
        shoot(page, "profile")
        page.get_by_label("Votre message").fill("Bonjour, parlons assainissement à Hanoï ?")
        page.get_by_role("button", name="Envoyer la demande").click()
        expect(page.get_by_text("Votre demande est envoyée.")).to_be_visible()
        run_worker()

        # Thảo gets the email (without Awa's address) and answers through its link.
        (received,) = [m for m in messages_to(inbox, "thao@example.org") if "B2B" in m["Subject"]]
        body = text_of(received)
        assert "parlons assainissement" in body and "awa@example.org" not in body
        answer = re.search(r"http://127\.0\.0\.1:8000(/fr/\S+/b2b/demandes/\S+/)", body)[1]
        page.goto(url + answer)
        expect(page.get_by_role("radio").first).to_be_checked()  # the earliest, by default
        page.get_by_role("button", name="Accepter à cet horaire").click()
        expect(page.get_by_text("Le rendez-vous est confirmé.")).to_be_visible()
        shoot(page, "agenda")
        run_worker()
        for address, other in (("awa@example.org", "Thu Thảo"), ("thao@example.org", "Awa")):
            (accepted,) = [
                m for m in messages_to(inbox, address) if "B2B confirmé" in str(m["Subject"])
            ]
            assert other in str(accepted["Subject"])
            (attachment,) = list(accepted.iter_attachments())
            assert attachment.get_content_type() == "text/calendar"
    finally:
        controller.stop()

    # Both agendas and both feeds: the same time (in UTC) and table.
    seen = []
    for link in (awa, thao):
        page.goto(url + link + "b2b/")
        expect(page.get_by_text("Table 1")).to_be_visible()
        (event,) = meeting_events(page, url, link)
        seen.append((event["dtstart"].dt.astimezone(PARIS), str(event["location"]).split(",")[0]))
        assert str(event["status"]) == "CONFIRMED"
    # Table 1 of the fixture is PLATFORMA's (a partner's, open to all: nobody holds it).
    assert seen[0] == seen[1] == (datetime(2026, 7, 8, 14, 30, tzinfo=PARIS), "Table 1 (PLATFORMA)")

    # Awa cancels; both calendars get it cancelled (a higher SEQUENCE replaces the event).
    page.goto(url + awa + "b2b/")
    page.get_by_role("link", name="Annuler", exact=True).click()
    page.get_by_role("button", name="Oui, annuler le rendez-vous").click()
    expect(page.get_by_text("Le rendez-vous est annulé")).to_be_visible()
    for link in (awa, thao):
        (event,) = meeting_events(page, url, link)
        assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 1


@pytest.mark.django_db(transaction=True)
def test_b2b_pages_have_no_axe_violation(audit, live_server, live_edition, time_machine):  # noqa: F811
    from registration.models import AccessKey
    from tests.factories import make_registration

    time_machine.move_to(MAY, tick=True)
    programme = b2b_setup(live_edition)
    people = []
    for _ in range(3):
        registration = make_registration(live_edition)
        services.profile_save(
            registration=registration, data={"presentation": "Bonjour"},
            themes=list(Theme.objects.all()[:1]),
        )  # fmt: skip
        people.append(registration)
    Profile.objects.update(status=Profile.Status.APPROVED)
    alice, bob, carol = people
    meeting = services.request_accept(
        request=services.request_create(sender=alice, recipient=bob, message="Bonjour"),
        registration=bob,
        time=programme.times.first(),
    )
    pending = services.request_create(sender=carol, recipient=alice, message="Et nous ?")
    token = AccessKey.issue(alice)
    for lang in LANGUAGES:
        for path in b2b_paths(
            lang, token, person=Profile.objects.get(registration=carol).pk,
            request_id=pending.public_id, meeting=meeting.guid,
        ):  # fmt: skip
            assert audit(live_server.url + path)[1] == [], path
