"""Data for the B2B bench (`manage.py shell -c "from bench import meetings_data; ..."`):
600 listed profiles and one person with 8 meetings, written through the services."""

import json
import random

from bench.data import MAY, person

PROFILES = 600


def b2b_links():
    """Print {"directory": path, "agenda": path}: the directory seen by, and the B2B page
    of, a person with 8 meetings among PROFILES listed profiles."""
    import uuid

    from django.urls import reverse
    from django.utils import translation

    from events.models import Edition
    from meetings import services
    from meetings.models import Profile, Programme, Theme
    from registration.models import AccessKey
    from registration.services import registration_create

    edition = Edition.objects.get(number=17)
    edition.capacity = 2 * PROFILES  # everyone confirmed: only they are listed
    edition.save()
    programme = Programme.objects.get(edition=edition)
    themes = list(Theme.objects.all())
    chance = random.Random(13)  # noqa: S311 (made-up people, the same in every run)
    people = []
    for number in range(PROFILES + 1):
        registration = registration_create(
            edition=edition,
            data=person(1000 + number, country=chance.choice(["FR", "SN", "MA", "VN", "CA"])),
            days=edition.days,
            session_ids=[],
            form_token=uuid.uuid4(),
            now=MAY,
        )
        services.profile_save(
            registration=registration,
            data={"presentation": "Coopération décentralisée", "languages": ["fr", "en"]},
            themes=chance.sample(themes, 2),
        )
        people.append(registration)
    Profile.objects.update(status=Profile.Status.APPROVED)
    me = people[0]
    for time, other in zip(programme.times.all()[:8], people[1:9], strict=True):
        request = services.request_create(sender=other, recipient=me, message="Bonjour", now=MAY)
        services.request_accept(request=request, registration=me, time=time, now=MAY)
    token = AccessKey.issue(me, now=MAY)
    with translation.override("fr"):
        print(
            json.dumps(
                {
                    "directory": reverse("meetings:directory", kwargs={"token": token}),
                    "agenda": reverse("meetings:home", kwargs={"token": token}),
                }
            )
        )
