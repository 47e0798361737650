"""Cached pages: conditional GETs, and any programme change visible at once."""

import pytest
from django.contrib.auth.models import User

from events.models import Session


def test_conditional_get_answers_304(client, edition_2026):
    first = client.get("/fr/programme/")
    etag = first["ETag"]
    assert etag.startswith('"')
    again = client.get("/fr/programme/", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get("/fr/programme/", headers={"if-none-match": '"other"'}).status_code == 200
    assert "max-age=0" in first["Cache-Control"] and "public" in first["Cache-Control"]


def test_each_language_and_filter_is_cached_apart(client, edition_2026):
    fr = client.get("/fr/programme/").content
    en = client.get("/en/programme/").content
    filtered = client.get("/fr/programme/", {"type": "atelier"}).content
    assert len({fr, en, filtered}) == 3


@pytest.fixture
def staff_client(client, db):
    user = User.objects.create_superuser("staff", "staff@example.org", "pw-for-tests-only")
    client.force_login(user)
    return client


def test_admin_edit_shows_on_public_pages_at_once(staff_client, edition_2026):
    session = Session.objects.get(title_fr="Ouverture officielle des Rencontres")
    etag = staff_client.get("/fr/programme/")["ETag"]
    staff_client.get(session.get_absolute_url())  # both cached now

    form = staff_client.get(f"/admin/events/session/{session.pk}/change/").context["adminform"]
    data = {
        name: value
        for name, value in form.form.initial.items()
        if value is not None and name != "speakers"
    }
    data.update(
        title_fr="Ouverture solennelle",
        title_en="Solemn opening",
        starts_at_0="08/07/2026",
        starts_at_1="14:00:00",
        ends_at_0="08/07/2026",
        ends_at_1="14:30:00",
    )
    response = staff_client.post(f"/admin/events/session/{session.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert "Ouverture solennelle" in staff_client.get(session.get_absolute_url()).text
    page = staff_client.get("/fr/programme/", headers={"if-none-match": etag})
    assert page.status_code == 200 and "Ouverture solennelle" in page.text


def test_theme_change_reaches_the_home_page(client, edition_2026):
    assert "nouvel ordre mondial" in client.get("/fr/").text
    edition_2026.theme_fr = "Un autre thème"
    edition_2026.save()
    assert "Un autre thème" in client.get("/fr/").text


def test_deleted_session_disappears(client, edition_2026):
    session = Session.objects.get(title_fr="Ouverture officielle des Rencontres")
    client.get(session.get_absolute_url())
    session.delete()
    assert client.get(session.get_absolute_url()).status_code == 404
