"""Data for the benchmarks of pages the page cache cannot serve, written in the bench's own
database (`manage.py shell -c "from bench import data; ..."`).

People sign up through the services, as the form does; their links are minted with
AccessKey.issue, as the task worker does when it sends the confirmation. Programme rows
(slots, sessions, speakers) are written as staff write them in the admin.
"""

import json
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
# Registration open (the bench's servers run under faketime at this moment too).
MAY = datetime(2026, 5, 12, 10, 0, tzinfo=PARIS)
# The 2026 edition offers 4 bookable slots; these 4 more let one person hold 8 bookings.
EXTRA_SLOTS = [
    ((2026, 7, 8, 9, 0), "Ateliers du matin"),
    ((2026, 7, 8, 10, 30), "Réunions régionales"),
    ((2026, 7, 9, 13, 0), "Ateliers de la mi-journée"),
    ((2026, 7, 9, 17, 30), "Ateliers du soir"),
]
OTHER_PEOPLE = 300


def person(number, **fields):
    return {
        "civility": "mme",
        "first_name": "Awa",
        "last_name": f"Diallo {number}",
        "email": f"bench.{number}@example.org",
        "phone": "+221771234567",
        "organisation": "Ville de Dakar",
        "organisation_type": "collectivite",
        "position": "Adjointe au maire chargée des relations internationales",
        "country": "SN",
        "is_elected": True,
        "language": "fr",
        "lunch": True,
        "dietary_needs": "Végétarien",
        "accessibility_needs": "",
        "photo_consent": True,
        "newsletter_consent": False,
        **fields,
    }


def add_bookable_slots(edition):
    """Four more slots of three workshops each; one workshop with a single seat, so the
    person with 8 bookings waits for one of them."""
    from events.models import Room, Session, SessionType, Slot

    workshop = SessionType.objects.get(slug="atelier")
    rooms = list(Room.objects.filter(venue=edition.venue, capacity__lte=60).order_by("pk"))
    for start, title in EXTRA_SLOTS:
        starts_at = datetime(*start, tzinfo=PARIS)
        slot = Slot.objects.create(
            edition=edition,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1),
            title=title,
        )
        for number in range(3):
            Session.objects.create(
                slot=slot,
                type=workshop,
                room=rooms[number % len(rooms)],
                title=f"{title} — atelier {number + 1}",
                title_en=f"Workshop {number + 1}",
                description="Un atelier ajouté pour le banc d'essai.",
            )


def bookable_by_slot(edition):
    from events.models import Session

    by_slot = {}
    for session in Session.objects.filter(
        slot__edition=edition, type__is_bookable=True, is_published=True
    ).order_by("starts_at", "pk"):
        by_slot.setdefault(session.slot_id, []).append(session)
    return list(by_slot.values())


def sign_up(edition, number, sessions, **fields):
    from registration import services

    return services.registration_create(
        edition=edition,
        data=person(number, **fields),
        days=list(edition.days),
        session_ids=[s.pk for s in sessions],
        form_token=f"00000000-0000-4000-8000-{number:012d}",
        now=MAY,
    )


def with_meetings(edition, count=8):
    """A person taking part in B2B with `count` meetings (at the programme's first times),
    each with someone else, written through the services as the pages write them."""
    from meetings import services
    from meetings.models import Profile, Programme

    programme = Programme.objects.get(edition=edition)
    people = [
        sign_up(edition, 900 + number, [], organisation=f"Région partenaire {number}")
        for number in range(count + 1)
    ]
    for registration in people:
        services.profile_save(
            registration=registration,
            data={"presentation": "Coopération décentralisée", "languages": ["fr", "en"]},
            themes=[],
        )
    Profile.objects.filter(registration__in=people).update(status=Profile.Status.APPROVED)
    me, others = people[0], people[1:]
    for time, other in zip(programme.times.all()[:count], others, strict=True):
        request = services.request_create(sender=other, recipient=me, message="Bonjour", now=MAY)
        services.request_accept(request=request, registration=me, time=time, now=MAY)
    return me


def personal_links():
    """Print {"1": path, "8": path, "meetings": path}: the personal pages of a person with
    1 booking and of one with 8 (one of them waitlisted), among OTHER_PEOPLE others with a
    few each, and of one with 8 B2B meetings."""
    from django.urls import reverse
    from django.utils import translation

    from events.models import Edition
    from registration.models import AccessKey

    edition = Edition.objects.get(number=17)
    add_bookable_slots(edition)
    slots = bookable_by_slot(edition)
    if len(slots) < 8:
        raise SystemExit(f"8 bookable slots needed, {len(slots)} found")
    # The person with one booking takes the only seat of a workshop the other then waits for.
    tight = slots[-1][0]
    tight.capacity = 1
    tight.save()
    one = sign_up(edition, 1, [tight])
    eight = sign_up(edition, 8, [tight, *(sessions[1] for sessions in slots[:7])])
    if (eight.bookings.count(), eight.bookings.filter(status="waitlisted").count()) != (8, 1):
        raise SystemExit("the person with 8 bookings should wait for one of them")
    chance = random.Random(17)  # noqa: S311 (made-up people, the same in every run)
    for number in range(100, 100 + OTHER_PEOPLE):
        chosen = [chance.choice(s) for s in slots if s[0] != tight and chance.random() < 0.5]
        sign_up(edition, number, chosen, country=chance.choice(["FR", "SN", "MA", "TN", "CA"]))
    meeting = with_meetings(edition)
    with translation.override("fr"):
        print(
            json.dumps(
                {
                    name: reverse(
                        "registration:manage", kwargs={"token": AccessKey.issue(r, now=MAY)}
                    )
                    for name, r in (("1", one), ("8", eight), ("meetings", meeting))
                }
            )
        )


def big_programme(total=200):
    """The 2026 edition grown to `total` published sessions (two speakers each), in slots
    of eight parallel sessions, as staff would enter a large programme."""
    from events.models import Edition, Room, Session, SessionType, Slot, Speaker

    edition = Edition.objects.get(number=17)
    types = list(SessionType.objects.filter(slug__in=["atelier", "reunion-regionale", "b2b"]))
    rooms = list(Room.objects.filter(venue=edition.venue).order_by("pk"))
    speakers = Speaker.objects.bulk_create(
        Speaker(
            name=f"Intervenant·e {n}",
            role="Maire adjoint·e",
            organisation=f"Ville partenaire {n}",
            bio="Élu·e local·e engagé·e dans la coopération décentralisée.",
        )
        for n in range(120)
    )
    count = Session.objects.filter(slot__edition=edition, is_published=True).count()
    number = 0
    while count < total:
        day = edition.days[number % 2]
        hour = 8 + (number // 2) % 10
        starts_at = datetime(day.year, day.month, day.day, hour, 15, tzinfo=PARIS)
        slot = Slot.objects.create(
            edition=edition,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=45),
            title=f"Sessions parallèles {number + 1}",
        )
        for parallel in range(min(8, total - count)):
            session = Session.objects.create(
                slot=slot,
                type=types[(number + parallel) % len(types)],
                room=rooms[parallel % len(rooms)],
                title=f"Session {number + 1}.{parallel + 1} : coopération et territoires",
                title_en=f"Session {number + 1}.{parallel + 1}: cooperation and territories",
                description="Retours d'expérience de collectivités françaises et partenaires.",
                is_provisional=parallel % 3 == 0,
            )
            session.speakers.set(
                [
                    speakers[(number * 8 + parallel) % 120],
                    speakers[(number * 8 + parallel + 7) % 120],
                ]
            )
            count += 1
        number += 1
    print(Session.objects.filter(slot__edition=edition, is_published=True).count())


def desk_people(people=400, desks=4):
    """Print {"codes": [...], "sessions": [...]}: the badge codes of `people` confirmed
    sign-ups for both days, and the session cookies of `desks` staff members allowed to
    check people in (as after the admin's login form)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.test import Client

    from events.models import Edition

    edition = Edition.objects.get(number=17)
    codes = [sign_up(edition, 1000 + number, []).checkin_code for number in range(people)]
    allowed = Permission.objects.get(codename="check_in")
    sessions = []
    for number in range(desks):
        user = get_user_model().objects.create_user(f"accueil{number}", is_staff=True)
        user.user_permissions.add(allowed)
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies["sessionid"].value)
    print(json.dumps({"codes": codes, "sessions": sessions}))
