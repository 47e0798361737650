"""People with many bookings, for the tests of the attendee's pages.

The 2026 edition offers four bookable slots; `more_slots` adds four more, so that one person
can hold eight bookings. Sign-ups go through the services, links are minted as the task
worker mints them (AccessKey.issue).
"""

import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import translation

from events.models import Room, Session, SessionType, Slot
from registration import services
from registration.models import AccessKey
from tests.factories import paris
from tests.registration.conftest import MAY

EXTRA_SLOTS = [(8, 9), (8, 10), (9, 13), (9, 18)]  # (July day, hour)


def more_slots(edition):
    """Four more slots of two workshops each."""
    workshop = SessionType.objects.get(slug="atelier")
    room = Room.objects.filter(venue=edition.venue).order_by("pk").last()
    for day, hour in EXTRA_SLOTS:
        start = paris(2026, 7, day, hour, 0)
        slot = Slot.objects.create(
            edition=edition, starts_at=start, ends_at=start + timedelta(hours=1), title="Ateliers"
        )
        for number in (1, 2):
            Session.objects.create(
                slot=slot, type=workshop, room=room, title=f"Atelier {day}/{hour}h n°{number}"
            )


def bookable(edition):
    """The bookable sessions, slot by slot, in programme order."""
    by_slot = {}
    for session in Session.objects.filter(slot__edition=edition, type__is_bookable=True).order_by(
        "starts_at", "pk"
    ):
        by_slot.setdefault(session.slot_id, []).append(session)
    return list(by_slot.values())


def sign_up(edition, name, sessions, **fields):
    """A registration through the services (both days), and its personal page's path."""
    data = {
        "civility": "mme",
        "first_name": "Awa",
        "last_name": name,
        "email": f"{name.lower()}@example.org",
        "phone": "+221771234567",
        "organisation": "Ville de Dakar",
        "organisation_type": "collectivite",
        "position": "Adjointe au maire",
        "country": "SN",
        "is_elected": True,
        "language": "fr",
        "lunch": True,
        "dietary_needs": "",
        "accessibility_needs": "",
        "photo_consent": True,
        "newsletter_consent": False,
        **fields,
    }
    registration = services.registration_create(
        edition=edition,
        data=data,
        days=list(edition.days),
        session_ids=[s.pk for s in sessions],
        form_token=uuid.uuid4(),
        now=MAY,
    )
    with translation.override("fr"):
        path = reverse("registration:manage", kwargs={"token": AccessKey.issue(registration)})
    return registration, path
