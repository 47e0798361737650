"""Calendar files parse back, carry a VTIMEZONE, and keep times right across DST."""

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from events.ical import CalendarItem, build_calendar
from events.models import Session, Slot
from tests.factories import PARIS, make_edition, make_programme


def parse(content):
    return icalendar.Calendar.from_ical(content)


def events_of(calendar):
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_programme_calendar(client, edition_2026):
    response = client.get("/fr/programme.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="rencontres-aict-2026.ics"' in response["Content-Disposition"]
    calendar = parse(response.content)
    assert calendar["METHOD"] == "PUBLISH"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    events = calendar.walk("VEVENT")
    assert len(events) == Session.objects.published().count() == 24
    assert all("ORGANIZER" not in event for event in events)
    opening = next(e for e in events if e["SUMMARY"] == "Ouverture officielle des Rencontres")
    assert opening["DTSTART"].params["TZID"] == "Europe/Paris"
    assert opening["DTSTART"].dt.astimezone(UTC) == datetime(2026, 7, 8, 12, 0, tzinfo=UTC)
    assert opening["DTEND"].dt.astimezone(UTC) == datetime(2026, 7, 8, 12, 30, tzinfo=UTC)
    assert "Grand Salon" in opening["LOCATION"]
    assert "9bis, avenue d'Iéna, 75116 Paris" in opening["LOCATION"]
    assert opening["URL"].startswith("http://127.0.0.1:8000/fr/programme/")


def test_english_calendar_has_english_titles(client, edition_2026):
    calendar = parse(client.get("/en/programme.ics").content)
    assert "Official opening of the Rencontres" in {
        str(e["SUMMARY"]) for e in calendar.walk("VEVENT")
    }


def test_session_calendar(client, edition_2026):
    session = Session.objects.get(title_fr="Conférence plénière thématique")
    response = client.get(f"/fr/programme/{session.code}.ics")
    (event,) = parse(response.content).walk("VEVENT")
    assert str(event["UID"]) == f"{session.guid}@rencontres-aict"
    assert event["DTSTART"].dt.astimezone(UTC) == datetime(2026, 7, 8, 14, 30, tzinfo=UTC)
    assert "provisoire" in str(event["DESCRIPTION"])
    assert client.get("/fr/programme/NOPE00.ics").status_code == 404


def test_edit_bumps_sequence_and_keeps_uid(client, edition_2026):
    session = Session.objects.get(title_fr="Conférence plénière thématique")
    uid = f"{session.guid}@rencontres-aict"
    before = events_of(parse(client.get("/fr/programme.ics").content))[uid]
    session.title_fr = "Conférence plénière : le nouvel ordre mondial"
    session.save()
    after = events_of(parse(client.get("/fr/programme.ics").content))[uid]
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert str(after["SUMMARY"]) == "Conférence plénière : le nouvel ordre mondial"


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        # Paris leaves winter time on Sunday 29 March 2026 at 02:00 (UTC+1 -> UTC+2)...
        (datetime(2026, 3, 28, 10, 0), datetime(2026, 3, 28, 9, 0)),
        (datetime(2026, 3, 29, 10, 0), datetime(2026, 3, 29, 8, 0)),
        # ...and returns to it on Sunday 25 October 2026 at 03:00.
        (datetime(2026, 10, 24, 10, 0), datetime(2026, 10, 24, 8, 0)),
        (datetime(2026, 10, 25, 10, 0), datetime(2026, 10, 25, 9, 0)),
    ],
)
def test_times_are_right_around_daylight_saving_changes(local, utc):
    start = local.replace(tzinfo=PARIS)
    content = build_calendar(
        [
            CalendarItem(
                uid="x@test", starts_at=start, ends_at=start + timedelta(hours=1), summary="x"
            )
        ],
        name="test",
        tz_name="Europe/Paris",
        first_date=date(2026, 3, 27),
        last_date=date(2026, 10, 26),
        stamp=datetime(2026, 1, 1, tzinfo=UTC),
    )
    text = content.decode()
    assert f"DTSTART;TZID=Europe/Paris:{local:%Y%m%dT%H%M%S}" in text
    calendar = parse(content)
    (event,) = calendar.walk("VEVENT")
    assert event["DTSTART"].dt.astimezone(UTC) == utc.replace(tzinfo=UTC)
    # The VTIMEZONE itself (what Outlook and Thunderbird read) gives the same UTC time.
    (vtimezone,) = calendar.walk("VTIMEZONE")
    tz = vtimezone.to_tz()
    assert local.replace(tzinfo=tz).astimezone(UTC) == utc.replace(tzinfo=UTC)


@pytest.mark.django_db
def test_edition_across_dst_change(client):
    edition = make_edition(start=date(2026, 10, 24), days=2)
    make_programme(edition, sessions=40, per_slot=4)  # 8 slots on the 24th, 2 on the 25th
    calendar = parse(client.get("/fr/programme.ics").content)
    starts = sorted(e["DTSTART"].dt.astimezone(UTC) for e in calendar.walk("VEVENT"))
    slots = sorted(slot.starts_at for slot in Slot.objects.all())
    assert starts[0] == slots[0] == datetime(2026, 10, 24, 6, 0, tzinfo=UTC)  # 8h00 UTC+2
    assert starts[-1] == slots[-1] == datetime(2026, 10, 25, 8, 30, tzinfo=UTC)  # 9h30 UTC+1


def test_a_second_parser_reads_the_same_times(client, edition_2026):
    """vobject, independent of icalendar, reads the programme with the same UTC times."""
    import vobject

    content = client.get("/fr/programme.ics").content.decode()
    calendar = vobject.readOne(content)
    starts = {
        str(event.summary.value): event.dtstart.value.astimezone(UTC)
        for event in calendar.vevent_list
    }
    assert starts["Ouverture officielle des Rencontres"] == datetime(2026, 7, 8, 12, 0, tzinfo=UTC)
    assert starts["Pot de clôture"] == datetime(2026, 7, 9, 15, 0, tzinfo=UTC)
    assert len(calendar.vevent_list) == 24
