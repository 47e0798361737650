"""A B2B setup on the real 2026 programme: its four « Rencontres B2B » sessions, three
tables, a window open from May to the eve of the event."""

from datetime import datetime

import pytest

from events.models import Session
from meetings import services
from meetings.models import Profile, Programme, Table, Theme
from tests.factories import PARIS, make_registration

MAY = datetime(2026, 5, 12, 10, 0, tzinfo=PARIS)


@pytest.fixture
def in_may(time_machine):
    time_machine.move_to(MAY, tick=True)


@pytest.fixture
def programme(edition_2026, in_may):
    programme = services.programme_save(
        programme=Programme(
            edition=edition_2026,
            opens_at=datetime(2026, 5, 1, 9, 0, tzinfo=PARIS),
            closes_at=datetime(2026, 7, 7, 18, 0, tzinfo=PARIS),
        )
    )
    programme.sessions.set(Session.objects.filter(type__slug="b2b"))
    services.times_generate(programme=programme)
    for number in (1, 2, 3):
        services.table_save(table=Table(programme=programme, number=number))
    return programme


@pytest.fixture
def themes(db):
    return {
        name: services.theme_save(theme=Theme(name=name, name_en=english))
        for name, english in [("Climat", "Climate"), ("Eau", "Water"), ("Culture", "Culture")]
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
