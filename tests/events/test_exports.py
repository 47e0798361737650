"""schedule.xml and schedule.json (frab / c3voc) validate, and say what the programme says."""

import json
from datetime import date

import jsonschema
import pytest
import xmlschema
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Session
from tests.factories import make_edition, make_programme

SCHEMAS = settings.BASE_DIR.parent / "shared" / "schemas"


@pytest.fixture(scope="module")
def xsd():
    return xmlschema.XMLSchema(str(SCHEMAS / "frab-schedule.xml.xsd"))


@pytest.fixture(scope="module")
def json_validator():
    schema = json.loads((SCHEMAS / "frab-schedule.schema.json").read_text())
    return jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker())


def assert_valid(client, xsd, json_validator, lang="fr"):
    xml = client.get(f"/{lang}/schedule.xml")
    assert xml["Content-Type"] == "application/xml; charset=utf-8"
    errors = [error.reason for error in xsd.iter_errors(xml.content.decode())]
    assert errors == []
    document = client.get(f"/{lang}/schedule.json").json()
    assert [error.message for error in json_validator.iter_errors(document)] == []
    return xml.content.decode(), document


def events_of(document):
    return [
        event
        for day in document["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
        for event in events
    ]


def test_2026_schedule_validates_and_says_the_programme(client, edition_2026, xsd, json_validator):
    xml, document = assert_valid(client, xsd, json_validator)
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


def test_english_schedule(client, edition_2026, xsd, json_validator):
    _xml, document = assert_valid(client, xsd, json_validator, lang="en")
    titles = {e["title"] for e in events_of(document)}
    assert "Official opening of the Rencontres" in titles


@pytest.mark.django_db
def test_200_sessions_validate_with_constant_queries(client, xsd, json_validator):
    edition = make_edition(start=date(2026, 7, 8), days=7)
    make_programme(edition, sessions=10, per_slot=5)

    def misses():
        counts = []
        for path in ("/fr/schedule.xml", "/fr/schedule.json"):
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                client.get(path)
            counts.append(len(captured))
        return counts

    small = misses()
    make_programme(edition, sessions=190, per_slot=10)
    assert misses() == small
    _xml, document = assert_valid(client, xsd, json_validator)
    assert len(events_of(document)) == 200


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
