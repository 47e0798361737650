"""The programme in the frab / c3voc schedule format (schedule.json and schedule.xml).

Pure functions: `schedule_data` turns an edition and its sessions (type, room, slot and
speakers loaded) into the JSON document; `schedule_json` and `schedule_xml` serialise that one
document, so both files always say the same. Conference apps (Giggity, EventFahrplan,
ConfClerk, pyfahrplan) and signage read them.

Identifiers never change when a session is edited: `id` is the session's primary key,
`guid` its permanent UUID, `code` its public code; rooms and speakers get UUIDs derived
from their primary keys.
"""

import json
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.text import slugify

# Namespace of the UUIDs derived here (rooms, people): fixed forever.
NAMESPACE = uuid.UUID("6f1c1d52-6c7a-4a57-9d53-6e0f8d6d2a17")
GENERATOR = {"name": "rencontres-aict", "version": "1.0"}


def acronym(edition):
    return f"raict{edition.start_date:%Y}"


def _duration(delta):
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _room(session, edition):
    if session.room_id:
        return session.room.name, uuid.uuid5(NAMESPACE, f"room:{session.room_id}")
    return edition.venue.name, uuid.uuid5(NAMESPACE, f"venue:{edition.venue_id}")


def _event(session, edition, base_url):
    start = timezone.localtime(session.starts_at, edition.tz)
    end = timezone.localtime(session.ends_at, edition.tz)
    room, _guid = _room(session, edition)
    slug = slugify(session.title).strip("-") or "session"
    return {
        "id": session.pk,
        "guid": str(session.guid),
        "code": session.code,
        "logo": "",
        "date": start.isoformat(),
        "start": f"{start:%H:%M}",
        "end": end.isoformat(),
        "duration": _duration(end - start),
        "room": room,
        "slug": f"{acronym(edition)}-{session.pk:04d}-{slug}"[:200].rstrip("-"),
        "url": base_url + session.get_absolute_url(),
        "title": session.title,
        "subtitle": "",
        "track": session.type.name,
        "type": session.type.slug,
        "language": session.language,
        "abstract": session.description,
        "description": "",
        "persons": [
            {
                "name": speaker.name,
                "guid": str(uuid.uuid5(NAMESPACE, f"speaker:{speaker.pk}")),
                "biography": speaker.bio or None,
            }
            for speaker in session.speakers.all()
        ],
        "links": [],
        "attachments": [],
    }


def schedule_data(edition, sessions, *, base_url, version):
    """The frab JSON document (a dict) of an edition's published sessions."""
    sessions = list(sessions)
    tz = edition.tz
    rooms = {}
    days = {day: {} for day in edition.days}
    for session in sessions:
        name, guid = _room(session, edition)
        rooms.setdefault(name, guid)
        day = timezone.localtime(session.starts_at, tz).date()
        days.setdefault(day, {}).setdefault(name, []).append(session)
    types = sorted({s.type for s in sessions}, key=lambda t: (t.position, t.pk))

    day_list = []
    for index, (day, by_room) in enumerate(sorted(days.items()), start=1):
        of_day = [s for room_sessions in by_room.values() for s in room_sessions]
        day_start = min((s.starts_at for s in of_day), default=None)
        day_end = max((s.ends_at for s in of_day), default=None)
        if day_start is None:
            day_start = datetime.combine(day, time.min, tzinfo=tz)
            day_end = day_start + timedelta(hours=23, minutes=59)
        day_list.append(
            {
                "index": index,
                "date": day.isoformat(),
                "day_start": timezone.localtime(day_start, tz).isoformat(),
                "day_end": timezone.localtime(day_end, tz).isoformat(),
                "rooms": {
                    room: [_event(s, edition, base_url) for s in room_sessions]
                    for room, room_sessions in by_room.items()
                },
            }
        )
    return {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": GENERATOR,
        "schedule": {
            "version": version,
            "base_url": base_url + "/",
            "conference": {
                "acronym": acronym(edition),
                "title": f"{edition.title} {edition.start_date:%Y}",
                "description": edition.theme,
                "start": edition.start_date.isoformat(),
                "end": edition.end_date.isoformat(),
                "daysCount": len(day_list),
                "timeslot_duration": "00:15",
                "time_zone_name": edition.time_zone,
                "url": base_url + "/",
                "tracks": [
                    {"name": t.name, "slug": t.slug, "color": t.colour.lower()} for t in types
                ],
                "rooms": [{"name": name, "guid": str(guid)} for name, guid in rooms.items()],
                "days": day_list,
            },
        },
    }


def schedule_json(data):
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


def _text(parent, tag, value, **attrs):
    element = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    element.text = "" if value is None else str(value)
    return element


def schedule_xml(data, *, url):
    """The same document as schedule.xml (frab XML, c3voc schema); ``url``: its address."""
    schedule = data["schedule"]
    conference = schedule["conference"]
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", GENERATOR)
    _text(root, "url", url)
    _text(root, "version", schedule["version"])
    conf = ET.SubElement(root, "conference")
    for tag in ("title", "acronym", "start", "end"):
        _text(conf, tag, conference[tag])
    _text(conf, "days", conference["daysCount"])
    _text(conf, "timeslot_duration", conference["timeslot_duration"])
    _text(conf, "base_url", schedule["base_url"])
    _text(conf, "url", conference["url"])
    _text(conf, "time_zone_name", conference["time_zone_name"])
    for track in conference["tracks"]:
        ET.SubElement(
            conf, "track", {"name": track["name"], "slug": track["slug"], "color": track["color"]}
        )
    room_guids = {room["name"]: room["guid"] for room in conference["rooms"]}
    for day in conference["days"]:
        day_element = ET.SubElement(
            root,
            "day",
            {
                "index": str(day["index"]),
                "date": day["date"],
                "start": day["day_start"],
                "end": day["day_end"],
            },
        )
        for room_name, events in day["rooms"].items():
            room = ET.SubElement(
                day_element, "room", {"name": room_name, "guid": room_guids[room_name]}
            )
            for event in events:
                element = ET.SubElement(
                    room,
                    "event",
                    {"id": str(event["id"]), "guid": event["guid"], "code": event["code"]},
                )
                for tag in (
                    "room",
                    "title",
                    "subtitle",
                    "type",
                    "date",
                    "start",
                    "duration",
                    "abstract",
                    "slug",
                    "track",
                    "language",
                ):
                    _text(element, tag, event[tag])
                persons = ET.SubElement(element, "persons")
                for person in event["persons"]:
                    _text(persons, "person", person["name"], guid=person["guid"])
                ET.SubElement(element, "links")
                _text(element, "url", event["url"])
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
