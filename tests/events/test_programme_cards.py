"""The programme's session cards are rendered once for what they show (events/cards.py):
after any staff edit the next programme shows it (no stale card, in either language), only
the cards whose values changed are rendered, and the page is the same as one rendered with
no card kept at all."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.template.loader import get_template

from events import cards
from events.models import Room, Session, SessionType, Speaker
from tests.factories import make_edition, make_programme

pytestmark = pytest.mark.django_db

CARD = re.compile(r'<article class="session-card.*?</article>', re.DOTALL)


@pytest.fixture
def programme():
    edition = make_edition(days=2)
    sessions = make_programme(edition, sessions=24, per_slot=4)
    ada = Speaker.objects.create(name="Ada Diallo")
    sessions[5].speakers.set([ada, Speaker.objects.create(name="Bruno Martin")])
    return sessions


def card_of(html, title):
    found = [card for card in CARD.findall(html) if title in card]
    assert len(found) == 1, title
    return found[0]


def fresh(client, path):
    """The page rendered from nothing: no page, no card kept anywhere."""
    cache.clear()
    cards.clear_local()
    return client.get(path).text


@pytest.fixture
def count_renders():
    """How many cards are rendered (not found) from here on."""
    card = get_template(cards.CARD_TEMPLATE)

    def templates(name):
        return card if name == cards.CARD_TEMPLATE else get_template(name)

    with (
        mock.patch.object(card, "render", wraps=card.render) as render,
        mock.patch("events.cards.get_template", side_effect=templates),
    ):
        yield render


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/fr/programme/", "Atelier du soir renommé"), ("/en/programme/", "Renamed evening workshop")],
)
def test_a_retitled_session_shows_at_once(client, programme, path, expected):
    session = programme[9]
    client.get("/fr/programme/")
    client.get("/en/programme/")
    session.title_fr = "Atelier du soir renommé"
    session.title_en = "Renamed evening workshop"
    session.save()
    page = client.get(path).text
    assert expected in card_of(page, session.code)
    assert page == fresh(client, path)


@pytest.mark.parametrize(
    ("path", "times"), [("/fr/programme/", "8h30-9h00"), ("/en/programme/", "08:30-09:00")]
)
def test_a_moved_session_and_its_room_show_at_once(client, programme, path, times):
    session = programme[2]
    client.get(path)
    other_room = Room.objects.create(
        venue=session.room.venue, name="Salle Condorcet", name_en="Condorcet room", capacity=12
    )
    session.room = other_room
    session.own_times = True
    session.starts_at = session.slot.starts_at + timedelta(minutes=30)
    session.ends_at = session.slot.starts_at + timedelta(minutes=60)
    session.save()
    card = card_of(client.get(path).text, session.code)
    assert times in card
    assert ("Salle Condorcet" if path.startswith("/fr/") else "Condorcet room") in card
    assert client.get(path).text == fresh(client, path)


def test_capacity_and_unpublishing(client, programme):
    """Capacity is not on the card: the page stays what a render from nothing gives. An
    unpublished session leaves the page."""
    session = programme[3]
    client.get("/fr/programme/")
    session.capacity = 1
    session.save()
    assert client.get("/fr/programme/").text == fresh(client, "/fr/programme/")
    session.is_published = False
    session.save()
    assert session.code not in client.get("/fr/programme/").text


@pytest.mark.parametrize("path", ["/fr/programme/", "/en/programme/"])
def test_edits_of_what_cards_share_reach_every_card(client, programme, path):
    """A room, a type or a speaker renamed: every card that shows it changes (their values,
    so their keys, changed), without anything being invalidated."""
    client.get(path)
    room = programme[0].room
    room.name_fr, room.name_en = "Amphithéâtre Farman", "Farman lecture hall"
    room.save()
    workshop = SessionType.objects.get(slug="atelier")
    workshop.name_fr, workshop.name_en = "Atelier participatif", "Hands-on workshop"
    workshop.save()
    ada = Speaker.objects.get(name="Ada Diallo")
    ada.name = "Ada Diallo-Sow"
    ada.save()
    page = client.get(path).text
    english = path.startswith("/en/")
    in_room = [s for s in programme if s.room_id == room.pk]
    for session in in_room:
        assert ("Farman lecture hall" if english else "Amphithéâtre Farman") in card_of(
            page, session.code
        )
    for session in programme:
        assert ("Hands-on workshop" if english else "Atelier participatif") in card_of(
            page, session.code
        )
    assert "Ada Diallo-Sow, Bruno Martin" in card_of(page, programme[5].code)
    assert page == fresh(client, path)


def test_an_edit_renders_only_the_edited_card(client, programme, count_renders):
    cards.clear_local()
    client.get("/fr/programme/")
    assert count_renders.call_count == 24  # every card, once
    session = programme[17]
    session.title_fr = "Un atelier retitré"
    session.save()
    count_renders.reset_mock()
    assert "Un atelier retitré" in client.get("/fr/programme/").text
    assert count_renders.call_count == 1
    count_renders.reset_mock()
    client.get("/en/programme/")  # another language: cards of their own
    assert count_renders.call_count == 24


def test_cards_are_the_same_with_and_without_the_ones_kept(client, programme):
    """The page built from kept cards is byte for byte the page rendered from nothing, in
    both languages and with filters."""
    for path in ("/fr/programme/", "/en/programme/", "/fr/programme/?jour=2026-07-08&type=atelier"):
        client.get(path)
        Session.objects.get(pk=programme[1].pk).save()  # a new version: the page is rebuilt
        kept = client.get(path).text
        assert len(CARD.findall(kept)) >= 4
        assert kept == fresh(client, path)


def test_the_card_shows_what_the_session_shows(client, programme):
    """The card's parts, as the programme always showed them."""
    session = programme[5]
    card = card_of(client.get("/fr/programme/").text, session.code)
    assert f'<a href="/fr/programme/{session.code}/">{session.title}</a>' in card
    assert '<span class="type-badge">Atelier</span>' in card
    assert "Sur inscription" in card
    assert '<p class="session-card__speakers">Ada Diallo, Bruno Martin</p>' in card
    assert session.room.name in card


def test_bench_edit_is_a_real_one_session_edit(client, django_assert_max_num_queries):
    """bench/middleware.py's X-Bench-Miss: one session retitled and a new programme version,
    a different session each time; the next programme shows it in 4 queries at most."""
    from bench.middleware import staff_edit

    edition = make_edition(days=2)
    make_programme(edition, sessions=200, per_slot=10)
    client.get("/fr/programme/")
    titles = set(Session.objects.values_list("title_fr", flat=True))
    staff_edit()
    staff_edit()
    changed = set(Session.objects.values_list("title_fr", flat=True)) - titles
    assert len(changed) == 2
    with django_assert_max_num_queries(4):
        page = client.get("/fr/programme/").text
    assert all(title.replace("'", "&#x27;") in page for title in changed)
    assert page.count('<article class="session-card') == 200
