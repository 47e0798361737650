"""Issue 14's « Done when », end to end: staff run the scheduling engine from admin in
Chromium on an event where a newly accepted pair can only meet if one meeting moves; the
worker solves; staff read the preview and apply it; the moved attendee's B2B page, email
(real SMTP on loopback) and .ics show the new time."""

import email
import email.policy

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import capfirst
from playwright.sync_api import expect

from meetings.models import Meeting, Programme
from registration.models import AccessKey
from tests.e2e.test_staff import log_in
from tests.meetings.conftest import MAY, taking_part
from tests.meetings.test_planning import THURSDAY, accepted_without_meeting, meet
from tests.smtp import smtp_port, start_smtp  # noqa: F401 (the fixture)
from tests.worker import run_worker

SHOTS = settings.BASE_DIR / "var" / "screenshots"


def test_staff_run_preview_and_apply_and_the_moved_person_sees_it(
    page,
    live_server,
    live_edition,
    django_user_model,
    time_machine,
    smtp_port,  # noqa: F811
):
    time_machine.move_to(MAY, tick=True)
    page.set_default_timeout(60_000)  # a busy shared machine: slow, not broken
    programme = Programme.objects.get(edition=live_edition)
    programme.tables.filter(number__gt=3).delete()
    alice = taking_part(programme, first_name="Alice", last_name="Ndiaye")
    others = [taking_part(programme, first_name="Invité", last_name=f"N{i}") for i in range(3)]
    thursday = [t for t in programme.times.all() if t.starts_at.date() == THURSDAY]
    for other, time in zip(others, thursday, strict=True):
        meet(programme, alice, other, time)
    carol = taking_part(programme, first_name="Carol", last_name="Mbaye", days=[THURSDAY])
    accepted_without_meeting(programme, alice, carol)
    inbox, controller = start_smtp(smtp_port)
    try:
        run_worker()  # the acceptance emails of the setup
        sent = len(inbox.messages)
        log_in(page, live_server, django_user_model)
        page.goto(f"{live_server.url}/admin/meetings/schedulerun/add/")
        page.get_by_label("programme B2B").select_option(str(programme.pk))
        page.get_by_label("temps de calcul maximal (s)").fill("5")
        page.get_by_role("button", name="Enregistrer", exact=True).click()
        expect(page.get_by_text("étape 0 sur 3")).to_be_visible()

        run_worker()  # solves the run
        page.reload()
        expect(page.get_by_role("heading", name="1 rendez-vous déplacé")).to_be_visible()
        expect(page.get_by_text("3 avant, 4 après")).to_be_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "b2b-schedule-preview.png"), full_page=True)
        page.get_by_role("button", name="Appliquer ce planning").click()
        expect(page.get_by_text("Planning appliqué")).to_be_visible()

        moved = Meeting.objects.get(sequence=1)
        person = moved.request.other(alice)
        run_worker()  # the emails
        messages = [
            email.message_from_bytes(raw.encode(), policy=email.policy.default)
            for raw in inbox.messages[sent:]
        ]
        (message,) = [m for m in messages if m["To"] == person.email]
        assert "changent" in str(message["Subject"])
        (attachment,) = [p for p in message.iter_attachments() if p.get_filename().endswith(".ics")]
        calendar = icalendar.Calendar.from_ical(attachment.get_content())
        (event,) = [
            e
            for e in calendar.walk("VEVENT")
            if str(e["uid"]) == f"b2b-{moved.guid}@rencontres-aict"
        ]
        assert event["dtstart"].dt == moved.time.starts_at and int(event["sequence"]) == 1
    finally:
        controller.stop()

    token = AccessKey.issue(person)
    page.goto(live_server.url + reverse("meetings:home", args=[token]))
    start = timezone.localtime(moved.time.starts_at)
    expect(page.locator("main")).to_contain_text(
        f"{capfirst(formats.date_format(start, 'l j F'))}, {start:%H:%M}"
    )
    # Their calendar feed too: the same meeting (its UID), at its new time, SEQUENCE bumped.
    feed = page.request.get(live_server.url + reverse("registration:agenda", args=[token]))
    assert feed.ok
    (event,) = [
        e
        for e in icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
        if str(e["uid"]) == f"b2b-{moved.guid}@rencontres-aict"
    ]
    assert event["dtstart"].dt == moved.time.starts_at and int(event["sequence"]) == 1
