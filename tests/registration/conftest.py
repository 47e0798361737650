import re
from datetime import datetime

import pytest
from django.core import mail

from events.models import Session
from tests.factories import PARIS
from tests.worker import run_worker

MAY = datetime(2026, 5, 12, 10, 0, tzinfo=PARIS)


@pytest.fixture
def in_may(time_machine):
    """Registration is open: a day in May 2026."""
    time_machine.move_to(MAY, tick=True)


@pytest.fixture
def open_edition(edition_2026, in_may):
    return edition_2026


def workshop(number):
    return Session.objects.get(title_fr=f"Atelier thématique {number} (intitulé à venir)")


def cafe_alone_in_its_slot():
    """Café des Rencontres 1, the one session left in its slot (Thursday 14:30–15:30): the
    others, whose rooms are taken at 15:30, deleted (the B2B block's meeting times first),
    so that the slot may be stretched over workshop 5 (15:30)."""
    from meetings.models import MeetingTime

    café = Session.objects.get(title_fr__startswith="Café des Rencontres 1")
    others = café.slot.sessions.exclude(pk=café.pk)
    MeetingTime.objects.filter(session__in=others).delete()
    others.delete()
    return café


def form_data(client=None, **overrides):
    """A complete, valid sign-up (Wednesday only, workshop 1)."""
    data = {
        "form_token": overrides.pop("form_token", None) or fresh_token(client),
        "civility": "mme",
        "first_name": "Awa",
        "last_name": "Diallo",
        "email": "awa.diallo@example.org",
        "phone_0": "FR",
        "phone_1": "06 12 34 56 78",
        "organisation": "Ville de Dakar",
        "organisation_type": "collectivite",
        "position": "Adjointe au maire",
        "country": "SN",
        "is_elected": "on",
        "language": "fr",
        "days": ["2026-07-08"],
        "dietary_needs": "",
        "accessibility_needs": "",
        "privacy": "on",
        "website": "",
    }
    slot = workshop(1).slot_id
    data[f"slot_{slot}"] = str(workshop(1).pk)
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def change_data(**overrides):
    """The same person's details as posted by the change form (no address, consent, token)."""
    data = form_data(**overrides)
    for name in ("email", "form_token", "privacy", "website"):
        data.pop(name)
    return data


def fresh_token(client=None):
    import uuid

    return str(uuid.uuid4())


LINK = re.compile(r"http://127\.0\.0\.1:8000(/(?:fr|en)/[^\s]*/(?:espace|space)/[^\s/]+/)")


def link_in(message):
    """The personal page path in an email (the last one if several)."""
    found = LINK.findall(message.body)
    assert found, message.body
    return found[-1]


def last_link(email):
    messages = [m for m in mail.outbox if email in m.to]
    assert messages, f"no email to {email}"
    return link_in(messages[-1])


def token_in(link):
    """The token of a personal page path: (selector, secret)."""
    selector, _sep, secret = link.rstrip("/").rsplit("/", 1)[1].partition("-")
    assert selector and secret, link
    return selector, secret


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a request, then the task worker, which sends the emails it queued (and leaves
    the badges unrendered: see run_worker)."""

    def run(method, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            response = method(*args, **kwargs)
        run_worker(badges=False)
        return response

    return run


@pytest.fixture
def registered(client, open_edition, send):
    """Awa Diallo, registered through the form; returns (registration, personal page path)."""
    from registration.models import Registration

    response = send(client.post, "/fr/inscription/", form_data())
    assert response.status_code == 302, response.context["form"].errors
    return Registration.objects.get(email="awa.diallo@example.org"), last_link(
        "awa.diallo@example.org"
    )
