"""Public pages read the programme in a fixed, small number of queries."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_edition, make_programme

PAGES = [
    "/fr/",
    "/fr/editorial/",
    "/fr/infos-pratiques/",
    "/fr/pre-programme/",
    "/fr/programme/",
    "/fr/programme/?jour=2026-07-09&type=atelier",
    "/fr/partenaires/",
    "/fr/programme.ics",
    "/fr/types.css",
    "/fr/maintenant/",
    "/fr/maintenant/?ecran=1",
    "/fr/mentions-legales/",
    "/fr/accessibilite/",
    "/fr/archives/",
]


def count_queries(client, path):
    cache.clear()  # a cache miss: the page is rendered
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_programme(client):
    edition = make_edition(days=7)
    sessions = make_programme(edition, sessions=10)
    small = {path: count_queries(client, path) for path in PAGES}
    small_session = count_queries(client, sessions[0].get_absolute_url())

    make_programme(edition, sessions=190, per_slot=10)
    large = {path: count_queries(client, path) for path in PAGES}
    assert large == small
    assert count_queries(client, sessions[0].get_absolute_url()) == small_session
    assert max(small.values()) <= 4 and small_session <= 4
    assert small["/fr/programme/"] == 4


@pytest.mark.django_db
def test_cached_page_costs_no_query(client, django_assert_num_queries):
    make_programme(make_edition(), sessions=10)
    client.get("/fr/programme/")
    with django_assert_num_queries(0):
        assert client.get("/fr/programme/").status_code == 200


@pytest.mark.django_db
def test_programme_right_after_a_staff_edit(client, django_assert_max_num_queries):
    """A staff edit writes a new programme version (events/signals.py): the next request of
    the programme of a 200-session edition reads it again in 4 queries at most, and shows
    the edit."""
    edition = make_edition(days=2)
    sessions = make_programme(edition, sessions=200, per_slot=10)
    assert client.get("/fr/programme/").status_code == 200  # in the page cache
    session = sessions[117]
    session.title = "Atelier renommé par l’équipe"
    session.save()  # as the admin saves it
    with django_assert_max_num_queries(4):
        response = client.get("/fr/programme/")
    assert "Atelier renommé par l’équipe" in response.text
    assert response.text.count('<article class="session-card') == 200


@pytest.mark.django_db
def test_archive_query_count_does_not_grow_with_its_programme(client):
    past = make_edition(is_current=False)
    make_edition()  # the current one, numbered after it
    make_programme(past, sessions=10)
    path = f"/fr/archives/{past.number}/"
    small = count_queries(client, path)
    make_programme(past, sessions=190, per_slot=10)
    assert count_queries(client, path) == small <= 8


@pytest.mark.django_db
def test_the_slot_admin_page_does_not_grow_with_its_sessions(admin_client, edition_2026):
    """The slot's inline reads each session's type and room with it (select_related)."""
    from events.models import Room, Session
    from tests.registration.conftest import workshop

    slot = workshop(1).slot
    page = f"/admin/events/slot/{slot.pk}/change/"
    admin_client.get(page)  # the session, the content type and such warmed up

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(page).status_code == 200
        return len(queries)

    before = count()
    model = workshop(1)
    for i in range(4):
        room = Room.objects.create(venue=model.room.venue, name_fr=f"Salle {i}", capacity=20)
        Session.objects.create(
            slot=slot, type=model.type, room=room, title_fr=f"Atelier {i}", language="fr"
        )
    assert slot.sessions.count() >= 8
    assert count() == before
