"""The programme right after a staff edit (a cache miss): read in 4 queries at most, the
edition kept across programme versions while its stored values stay the same, the page
around the days kept as a fragment (events/cards.render_page), and one shared cache entry
per page whatever the number of edits (events/pagecache.py). Whatever is kept, the page is
the one a render from nothing gives."""

import re

import pytest
from django.core.cache import cache

from events import cards, queries
from events.models import Edition, Session
from events.pagecache import one_programme_version
from tests.events.test_page_cache import cache_entries
from tests.factories import make_edition, make_programme

# The programme's reads are hand-written SQL (events/queries.py): run on both engines.
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

CARD = re.compile(r'<article class="session-card.*?</article>', re.DOTALL)
SWITCH = re.compile(r'<nav class="lang-switch".*?</nav>', re.DOTALL)


def fresh(client, path):
    """The page rendered from nothing: no page, no fragment kept anywhere."""
    cache.clear()
    cards.clear_local()
    return client.get(path).text


@pytest.fixture
def sessions():
    return make_programme(make_edition(days=2), sessions=40, per_slot=8)


def test_a_session_that_fills_its_slot_shows_no_times(client, sessions):
    """Times on a card only when the session does not fill its slot: compared as stored,
    whatever the database gives back (SQLite gives them without a time zone)."""
    page = client.get("/fr/programme/").text
    card = next(c for c in CARD.findall(page) if sessions[0].code in c)
    assert " · " not in card


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_edition_edit_shows_at_once_in_four_queries(
    client, sessions, language, django_assert_max_num_queries
):
    """The edition and its venue are in the page around the days (header, footer): an
    edit of either is a new stored row, so a new edition and a new kept page, with no
    query more than a session's edit."""
    path = f"/{language}/programme/"
    client.get(path)
    edition = Edition.objects.get(is_current=True)
    edition.hashtag = "#AICT2026-modifié"
    edition.save()
    venue = edition.venue
    venue.city = "Lyon"
    venue.save()
    with django_assert_max_num_queries(4):
        page = client.get(path).text
    assert "#AICT2026-modifié" in page
    assert "Lyon" in SWITCH.split(page)[0]  # the header's dates and city
    assert page == fresh(client, path)


def test_a_session_edit_reads_the_edition_without_building_it(
    client, sessions, django_assert_num_queries
):
    """After a session's edit, the edition is read (1 query) but is the one built before:
    the same stored values, so no model instance to build again."""
    client.get("/fr/programme/")
    session = Session.objects.get(pk=sessions[3].pk)
    session.title_fr = "Atelier retitré"
    session.save()
    with one_programme_version():
        with django_assert_num_queries(1):
            edition = queries.current_edition()
        with django_assert_num_queries(0):
            again = queries.current_edition()
    assert edition is not again  # each caller its own copy
    assert edition.venue.name == again.venue.name
    assert edition.title == Edition.objects.get(pk=edition.pk).title


def test_the_programme_rows_are_three_queries_whatever_their_number(
    sessions, django_assert_num_queries
):
    edition = Edition.objects.get(is_current=True)
    cache.clear()
    with one_programme_version(), django_assert_num_queries(3):
        _slots, rows, _speakers = queries.programme_rows(edition)
    assert len(rows) == 40
    make_programme(edition, sessions=160, per_slot=8)
    cache.clear()
    with one_programme_version(), django_assert_num_queries(3):
        _slots, rows, _speakers = queries.programme_rows(edition)
    assert len(rows) == 200
    assert [r[queries.S_PK] for r in rows] == list(
        Session.objects.filter(slot__edition=edition)
        .order_by("starts_at", "position", "pk")
        .values_list("pk", flat=True)
    )


def test_each_filter_and_language_keeps_its_own_page_around_the_days(client, sessions):
    """The kept page around the days is keyed by the path and the validated query: the
    language switch of each page links to that page, after edits as before."""
    paths = [
        "/fr/programme/",
        "/fr/programme/?jour=2026-07-09",
        "/en/programme/?type=atelier",
    ]
    for path in paths:
        client.get(path)
    Session.objects.get(pk=sessions[1].pk).save()  # a new version: the pages are rebuilt
    for path in paths:
        page = client.get(path).text
        assert page == fresh(client, path)
    switch = SWITCH.findall(client.get("/fr/programme/?jour=2026-07-09").text)[0]
    assert 'href="/en/programme/?jour=2026-07-09"' in switch


def test_edits_replace_the_shared_page_rather_than_add_to_it(client, sessions):
    """One shared entry per page, its version inside: a day of edits does not fill the
    shared cache with dead pages (the file cache lists its whole folder on every write)."""
    client.get("/fr/programme/")
    entries = cache_entries()
    for number in range(5):
        session = Session.objects.get(pk=sessions[number].pk)
        session.title_fr = f"Édition {number}"
        session.save()
        assert f"Édition {number}" in client.get("/fr/programme/").text
    assert cache_entries() == entries
