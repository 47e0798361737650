"""Small builders for test data (the 2026 data itself comes from the real fixture)."""

import itertools
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from events.models import Edition, Room, Session, SessionType, Slot, Venue

PARIS = ZoneInfo("Europe/Paris")
_numbers = itertools.count(100)


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


def make_edition(*, start=date(2026, 7, 8), days=2, is_current=True, **fields):
    venue = Venue.objects.create(
        name="Salle test", street="1 rue de la Paix", postal_code="75002", city="Paris"
    )
    defaults = dict(
        number=next(_numbers),
        is_current=is_current,
        title="Rencontres de test",
        short_title="Rencontres test",
        theme="Un thème de test",
        start_date=start,
        end_date=start + timedelta(days=days - 1),
        venue=venue,
        registration_opens_at=paris(start.year, 1, 15, 0, 0),
        registration_closes_at=datetime.combine(start, datetime.min.time(), tzinfo=PARIS),
        capacity=500,
        editorial="Un éditorial.",
        signatory_name="Une signataire",
        signatory_titles="Présidente",
        contact_phone="+33 1 00 00 00 00",
        contact_email="contact@example.org",
        organiser_url="https://example.org/",
    )
    defaults.update(fields)
    return Edition.objects.create(**defaults)


def make_programme(edition, *, sessions, per_slot=4):
    """`sessions` published sessions spread over 90-minute slots of the edition's days."""
    workshop, _ = SessionType.objects.get_or_create(
        slug="atelier", defaults={"name": "Atelier", "is_bookable": True, "is_format": True}
    )
    rooms = [
        Room.objects.create(venue=edition.venue, name=f"Salle {i}", capacity=30)
        for i in range(per_slot)
    ]
    created = []
    day_index = slot_index = 0
    slot = None
    for number in range(sessions):
        if number % per_slot == 0:
            day = edition.days[day_index % len(edition.days)]
            start = datetime.combine(day, datetime.min.time(), tzinfo=PARIS) + timedelta(
                hours=8 + 1.5 * slot_index
            )
            slot = Slot.objects.create(
                edition=edition,
                starts_at=start,
                ends_at=start + timedelta(minutes=90),
                title="Ateliers",
            )
            slot_index += 1
            if slot_index == 8:
                slot_index, day_index = 0, day_index + 1
        created.append(
            Session.objects.create(
                slot=slot,
                type=workshop,
                room=rooms[number % per_slot],
                title=f"Atelier {number}",
                title_en=f"Workshop {number}",
            )
        )
    return created


def make_registration(edition, *, days=None, status="confirmed", **fields):
    """A registration written directly (staff-tool tests; sign-ups go through the services)."""
    from django.utils import timezone

    from registration.models import AttendanceDay, Registration

    number = next(_numbers)
    defaults = dict(
        first_name="Camille",
        last_name=f"Martin {number}",
        email=f"camille.{number}@example.org",
        organisation="Ville de Lyon",
        organisation_type="collectivite",
        country="FR",
        privacy_consent_at=timezone.now(),
        form_token=uuid.uuid4(),
    )
    defaults.update(fields)
    registration = Registration.objects.create(edition=edition, status=status, **defaults)
    AttendanceDay.objects.bulk_create(
        AttendanceDay(registration=registration, day=day) for day in (days or edition.days)
    )
    return registration
