"""The B2B setup of the 2026 fixture: its four « Rencontres B2B » sessions, a window open
from mid-April to the eve of the event; three tables, so that tables run out."""

from datetime import datetime

import pytest

from meetings import services
from meetings.models import Profile, Programme, Theme
from tests.factories import PARIS, make_registration

MAY = datetime(2026, 5, 12, 10, 0, tzinfo=PARIS)


@pytest.fixture
def in_may(time_machine):
    time_machine.move_to(MAY, tick=True)


@pytest.fixture
def programme(edition_2026, in_may):
    """The fixture's B2B setup (its meeting times, window and rules), down to 3 tables."""
    programme = Programme.objects.get(edition=edition_2026)
    programme.tables.filter(number__gt=3).delete()
    return programme


@pytest.fixture
def themes(programme):
    """Three of the fixture's themes, by a short name."""
    return {
        "Climat": Theme.objects.get(name_fr="Climat"),
        "Eau": Theme.objects.get(name_fr="Eau et assainissement"),
        "Culture": Theme.objects.get(name_fr="Culture"),
    }


def taking_part(programme, *, approved=True, themes=(), language="fr", **fields):
    """A confirmed registration with a profile (approved unless told otherwise)."""
    registration = make_registration(programme.edition, language=language, **fields)
    services.profile_save(
        registration=registration,
        data={"presentation": "Coopération décentralisée", "languages": ["fr", "en"]},
        themes=list(themes),
    )
    if approved:
        Profile.objects.filter(registration=registration).update(status=Profile.Status.APPROVED)
    return registration
