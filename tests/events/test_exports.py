"""schedule.xml and schedule.json (frab / c3voc): well formed, consistent with each other,
saying what the programme says, and valid against c3voc's own schemas where they are.

The c3voc schemas (EUPL, not copied into this project) are the oracle: they are read from
FRAB_SCHEMA_DIR, by default ../shared/schemas beside the project (as on CI). Without them,
the feeds are still checked by this module's own structural checks (required elements and
keys, types, unique ids, consistent times, both files alike), and the schema tests are
reported as skipped, with the reason.
"""

import copy
import functools
import json
import os
import re
import uuid
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pytest
import xmlschema
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from events.models import Session
from tests.factories import make_edition, make_programme

SCHEMAS = Path(os.environ.get("FRAB_SCHEMA_DIR") or settings.BASE_DIR.parent / "shared" / "schemas")
XSD = SCHEMAS / "frab-schedule.xml.xsd"
JSON_SCHEMA = SCHEMAS / "frab-schedule.schema.json"


def c3voc_schemas():
    """The XML and JSON validators, or the test is skipped, saying where they were sought."""
    missing = [path.name for path in (XSD, JSON_SCHEMA) if not path.is_file()]
    if missing:
        pytest.skip(
            f"c3voc schemas not found at {SCHEMAS} ({', '.join(missing)}); set FRAB_SCHEMA_DIR"
        )
    return _validators()


@functools.cache
def _validators():
    schema = json.loads(JSON_SCHEMA.read_text())
    return (
        xmlschema.XMLSchema(str(XSD)),
        jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker()),
    )


# --- The project's own structural checks ----------------------------------------------------

HH_MM = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
SLUG = re.compile(r"[a-z0-9_-]+[a-z0-9]")
CONFERENCE_KEYS = {
    "title": str,
    "acronym": str,
    "start": str,
    "end": str,
    "daysCount": int,
    "timeslot_duration": str,
    "time_zone_name": str,
    "rooms": list,
    "days": list,
}
EVENT_KEYS = {
    "id": int,
    "guid": str,
    "date": str,
    "start": str,
    "duration": str,
    "room": str,
    "slug": str,
    "title": str,
    "type": str,
    "url": str,
    "persons": list,
    "links": list,
}
# Required too, each a string or null.
EVENT_TEXTS = ("subtitle", "track", "language", "abstract")
XML_EVENT_TAGS = (
    "date",
    "start",
    "duration",
    "room",
    "slug",
    "title",
    "subtitle",
    "track",
    "type",
    "language",
    "abstract",
    "persons",
    "links",
    "url",
)


def _aware(text):
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() is not None, f"{text}: no UTC offset"
    return moment


def _minutes(hh_mm):
    assert HH_MM.fullmatch(hh_mm), hh_mm
    hours, minutes = hh_mm.split(":")
    return int(hours) * 60 + int(minutes)


def _check_times(where, moment, start, duration, day_date, day_start, day_end):
    """An event's date, start and duration agree, and it lies within its day."""
    assert moment.date() == day_date, f"{where}: {moment} not on {day_date}"
    assert start == f"{moment:%H:%M}", f"{where}: start {start} but date {moment}"
    finish = moment + timedelta(minutes=_minutes(duration))
    assert day_start <= moment and finish <= day_end, f"{where}: outside its day"
    return finish


def check_json(document):
    """schedule.json as frab readers need it. Returns its events."""
    schedule = document["schedule"]
    assert isinstance(schedule.get("version"), str) and schedule["version"]
    conference = schedule["conference"]
    for key, kind in CONFERENCE_KEYS.items():
        assert isinstance(conference.get(key), kind), f"conference.{key}: {conference.get(key)!r}"
    assert re.fullmatch(r"[a-z0-9_-][a-z0-9_]{3,}", conference["acronym"])
    ZoneInfo(conference["time_zone_name"])
    first, last = date.fromisoformat(conference["start"]), date.fromisoformat(conference["end"])
    assert first <= last
    _minutes(conference["timeslot_duration"])
    days = conference["days"]
    assert conference["daysCount"] == len(days)
    room_names = [room["name"] for room in conference["rooms"]]
    for room in conference["rooms"]:
        uuid.UUID(room["guid"])
    events = []
    for index, day in enumerate(days, start=1):
        assert day["index"] == index
        day_date = date.fromisoformat(day["date"])
        assert first <= day_date <= last
        day_start, day_end = _aware(day["day_start"]), _aware(day["day_end"])
        assert day_start.date() == day_date and day_start <= day_end
        for room, room_events in day["rooms"].items():
            assert room in room_names, f"room {room!r} not among the conference's rooms"
            for event in room_events:
                where = f"event {event.get('id')}"
                for key, kind in EVENT_KEYS.items():
                    assert isinstance(event.get(key), kind), f"{where}.{key}: {event.get(key)!r}"
                for key in EVENT_TEXTS:
                    assert key in event, f"{where}: no {key}"
                    assert event[key] is None or isinstance(event[key], str), f"{where}.{key}"
                assert event["id"] >= 1
                uuid.UUID(event["guid"])
                assert event["room"] == room, f"{where}: room {event['room']!r} under {room!r}"
                assert SLUG.fullmatch(event["slug"]), f"{where}: slug {event['slug']!r}"
                assert event["title"].strip(), f"{where}: no title"
                assert event["url"].startswith(("http://", "https://"))
                moment = _aware(event["date"])
                finish = _check_times(
                    where, moment, event["start"], event["duration"], day_date, day_start, day_end
                )
                if "end" in event:
                    assert _aware(event["end"]) == finish, f"{where}: end and duration differ"
                for person in event["persons"]:
                    assert isinstance(person.get("name"), str) and person["name"].strip()
                    uuid.UUID(person["guid"])
                events.append(event)
    for key in ("id", "guid"):
        values = [event[key] for event in events]
        assert len(set(values)) == len(values), f"duplicate event {key}s"
    return events


def check_xml(text, document):
    """schedule.xml as frab readers need it, saying what schedule.json says."""
    root = ET.fromstring(text)  # noqa: S314 (our own output, not a stranger's)
    assert root.tag == "schedule"
    assert root.findtext("version") == document["schedule"]["version"]
    conference = root.find("conference")
    assert conference is not None, "no <conference>"
    for tag in ("title", "acronym", "start", "end", "days", "timeslot_duration"):
        assert (conference.findtext(tag) or "").strip(), f"<conference>: no <{tag}>"
    days = root.findall("day")
    assert int(conference.findtext("days")) == len(days)
    seen = []
    for index, day in enumerate(days, start=1):
        assert day.get("index") == str(index)
        day_date = date.fromisoformat(day.get("date"))
        day_start, day_end = _aware(day.get("start")), _aware(day.get("end"))
        for room in day.findall("room"):
            name = room.get("name")
            assert name, "a <room> without a name"
            uuid.UUID(room.get("guid"))
            for event in room.findall("event"):
                where = f"<event id={event.get('id')}>"
                for tag in XML_EVENT_TAGS:
                    assert event.find(tag) is not None, f"{where}: no <{tag}>"
                assert event.findtext("room") == name, f"{where}: in <room name={name!r}>"
                assert event.findtext("title").strip(), f"{where}: no title"
                uuid.UUID(event.get("guid"))
                moment = _aware(event.findtext("date"))
                _check_times(
                    where,
                    moment,
                    event.findtext("start"),
                    event.findtext("duration"),
                    day_date,
                    day_start,
                    day_end,
                )
                seen.append(
                    (
                        int(event.get("id")),
                        event.get("guid"),
                        event.findtext("title"),
                        event.findtext("date"),
                        event.findtext("duration"),
                        name,
                    )
                )
    ids = [item[0] for item in seen]
    assert len(set(ids)) == len(ids), "duplicate event ids"
    said = [
        (e["id"], e["guid"], e["title"], e["date"], e["duration"], e["room"])
        for e in events_of(document)
    ]
    assert sorted(seen) == sorted(said), "schedule.xml and schedule.json differ"


def feeds(client, lang="fr"):
    """Both files of a language, checked by the structural checks; (XML text, JSON)."""
    xml = client.get(f"/{lang}/schedule.xml")
    assert xml["Content-Type"] == "application/xml; charset=utf-8"
    response = client.get(f"/{lang}/schedule.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    document = response.json()
    check_json(document)
    check_xml(xml.content.decode(), document)
    return xml.content.decode(), document


def assert_schema_valid(xml, document):
    xsd, json_validator = c3voc_schemas()
    assert [error.reason for error in xsd.iter_errors(xml)] == []
    assert [error.message for error in json_validator.iter_errors(document)] == []


def programme(edition, **kwargs):
    """Sessions titled in French whatever language an earlier test left active (the
    factory's `title` goes to the active language's field)."""
    with translation.override("fr"):
        return make_programme(edition, **kwargs)


def events_of(document):
    return [
        event
        for day in document["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
        for event in events
    ]


def test_2026_schedule_is_well_formed_and_says_the_programme(client, edition_2026):
    xml, document = feeds(client)
    conference = document["schedule"]["conference"]
    assert conference["acronym"] == "raict2026"
    assert (conference["start"], conference["end"], conference["daysCount"]) == (
        "2026-07-08",
        "2026-07-09",
        2,
    )
    assert conference["time_zone_name"] == "Europe/Paris"
    events = events_of(document)
    assert len(events) == 24
    opening = next(e for e in events if e["title"] == "Ouverture officielle des Rencontres")
    session = Session.objects.get(title_fr="Ouverture officielle des Rencontres")
    assert opening["guid"] == str(session.guid)
    assert opening["id"] == session.pk
    assert opening["date"] == "2026-07-08T14:00:00+02:00"
    assert (opening["start"], opening["duration"], opening["room"]) == (
        "14:00",
        "00:30",
        "Grand Salon",
    )
    assert opening["url"] == f"http://127.0.0.1:8000/fr/programme/{session.code}/"
    assert f'guid="{session.guid}"' in xml
    assert "<title>Ouverture officielle des Rencontres</title>" in xml


def test_english_schedule(client, edition_2026):
    _xml, document = feeds(client, lang="en")
    titles = {e["title"] for e in events_of(document)}
    assert "Official opening of the Rencontres" in titles


@pytest.mark.django_db
def test_200_sessions_with_constant_queries(client):
    edition = make_edition(start=date(2026, 7, 8), days=7)
    programme(edition, sessions=10, per_slot=5)

    def misses():
        counts = []
        for path in ("/fr/schedule.xml", "/fr/schedule.json"):
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                client.get(path)
            counts.append(len(captured))
        return counts

    small = misses()
    programme(edition, sessions=190, per_slot=10)
    assert misses() == small
    _xml, document = feeds(client)
    assert len(events_of(document)) == 200


# --- The c3voc schemas, where they are ------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_2026_schedule_validates_against_the_c3voc_schemas(client, edition_2026, lang):
    c3voc_schemas()  # skipped here, before any work, when they are not found
    assert_schema_valid(*feeds(client, lang))


@pytest.mark.django_db
def test_200_sessions_validate_against_the_c3voc_schemas(client):
    c3voc_schemas()
    edition = make_edition(start=date(2026, 7, 8), days=7)
    programme(edition, sessions=200, per_slot=10)
    xml, document = feeds(client)
    assert len(events_of(document)) == 200
    assert_schema_valid(xml, document)


def test_edit_keeps_ids_and_deletion_removes(client, edition_2026):
    session = Session.objects.get(title_fr="Conférence plénière thématique")
    before = {e["guid"]: e for e in events_of(client.get("/fr/schedule.json").json())}
    session.title_fr = "Conférence plénière : le nouvel ordre mondial"
    session.save()
    after = {e["guid"]: e for e in events_of(client.get("/fr/schedule.json").json())}
    assert set(after) == set(before)
    event = after[str(session.guid)]
    assert (event["id"], event["code"]) == (session.pk, session.code)
    assert event["title"] == "Conférence plénière : le nouvel ordre mondial"
    session.delete()
    assert str(session.guid) not in client.get("/fr/schedule.xml").content.decode()


def test_feeds_are_public_cacheable_and_answer_304(client, edition_2026):
    for path in ("/fr/schedule.xml", "/fr/schedule.json", "/fr/programme.ics"):
        response = client.get(path)
        assert "public" in response["Cache-Control"]
        again = client.get(path, headers={"if-none-match": response["ETag"]})
        assert again.status_code == 304


def test_programme_page_links_the_feeds(client, edition_2026):
    html = client.get("/fr/programme/").content.decode()
    assert '<link rel="alternate" type="application/xml"' in html
    assert 'href="/fr/schedule.xml"' in html and 'href="/fr/schedule.json"' in html
    assert 'href="webcal://127.0.0.1:8000/fr/programme.ics"' in html


def _first_event(document):
    return events_of(document)[0]


def _duplicate_id(document):
    events = events_of(document)
    events[1]["id"] = events[0]["id"]


def _start_disagrees_with_date(document):
    _first_event(document)["start"] = "23:59"


def _no_title(document):
    del _first_event(document)["title"]


def _wrong_type(document):
    _first_event(document)["id"] = str(_first_event(document)["id"])


def _event_under_another_room(document):
    _first_event(document)["room"] = "Ailleurs"


def _day_count_wrong(document):
    document["schedule"]["conference"]["daysCount"] += 1


def _event_outside_its_day(document):
    event = _first_event(document)
    event["duration"] = "23:00"
    event.pop("end", None)


@pytest.mark.parametrize(
    "break_it",
    [
        _duplicate_id,
        _start_disagrees_with_date,
        _no_title,
        _wrong_type,
        _event_under_another_room,
        _day_count_wrong,
        _event_outside_its_day,
    ],
)
def test_structural_checks_catch_a_broken_json(client, edition_2026, break_it):
    _xml, document = feeds(client)
    broken = copy.deepcopy(document)
    break_it(broken)
    with pytest.raises((AssertionError, KeyError)):
        check_json(broken)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<title>Ouverture officielle des Rencontres</title>", "<title>Autre chose</title>"),
        ("<duration>00:30</duration>", "<duration>00:45</duration>"),
        ("<links />", ""),
        ('index="2"', 'index="3"'),
    ],
)
def test_structural_checks_catch_a_broken_xml(client, edition_2026, old, new):
    xml, document = feeds(client)
    assert old in xml
    with pytest.raises(AssertionError):
        check_xml(xml.replace(old, new, 1), document)
