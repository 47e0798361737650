"""Cached pages: conditional GETs, any programme change visible at once, keys made of
validated query parameters only, and links that carry nothing else."""

import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from events.models import Session, SessionType
from tests.factories import make_edition, make_programme


def test_conditional_get_answers_304(client, edition_2026):
    first = client.get("/fr/programme/")
    etag = first["ETag"]
    assert etag.startswith('"')
    again = client.get("/fr/programme/", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get("/fr/programme/", headers={"if-none-match": '"other"'}).status_code == 200
    assert "max-age=0" in first["Cache-Control"] and "public" in first["Cache-Control"]


@pytest.mark.parametrize("path", ["/fr/programme/", "/en/programme.ics", "/fr/schedule.json"])
def test_browsers_that_take_gzip_get_the_cached_page_gzipped(client, edition_2026, path):
    """The same bytes, a fifth of the size, under their own ETag (304 with it), `Vary:
    Accept-Encoding` on both so that no shared cache hands one to a client of the other."""
    import gzip

    plain = client.get(path)
    gzipped = client.get(path, headers={"accept-encoding": "gzip, deflate, br"})
    assert plain.status_code == gzipped.status_code == 200
    assert "Content-Encoding" not in plain and gzipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(gzipped.content) == plain.content
    assert len(gzipped.content) < len(plain.content) / 3
    assert gzipped["ETag"] != plain["ETag"]
    assert "Accept-Encoding" in plain["Vary"] and "Accept-Encoding" in gzipped["Vary"]
    again = client.get(path, headers={"accept-encoding": "gzip", "if-none-match": gzipped["ETag"]})
    assert again.status_code == 304 and again["ETag"] == gzipped["ETag"]
    assert client.get(path, headers={"accept-encoding": "identity"}).content == plain.content


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
        start="14h",
        end="14h30",
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


# --- Keys from validated parameters only --------------------------------------------------
def cache_entries():
    return len(list(Path(settings.CACHES["default"]["LOCATION"]).glob("*.djcache")))


def test_unknown_filters_add_no_cache_entry(client, edition_2026):
    """Random values are the unfiltered programme, from its one cache entry: they can
    neither fill the shared cache nor push real pages out of it."""
    unfiltered = client.get("/fr/programme/")
    assert client.get("/fr/programme/", {"type": "x"})["ETag"] == unfiltered["ETag"]
    entries = cache_entries()  # the page, and what the filters are checked against
    for i in range(40):
        day = ["2026-07-10", "x", "2026-13-45", "", "20260708x"][i % 5]
        response = client.get("/fr/programme/", {"type": uuid.uuid4().hex[: i % 12], "jour": day})
        assert response["ETag"] == unfiltered["ETag"]
    assert client.get("/fr/programme/", {"type": "pause"})["ETag"] == unfiltered["ETag"]
    assert cache_entries() == entries


def test_valid_filters_keep_their_own_page(client, edition_2026):
    pages = {
        query: client.get("/fr/programme/" + query)
        for query in ("", "?type=atelier", "?jour=2026-07-09", "?jour=2026-07-09&type=atelier")
    }
    assert len({page["ETag"] for page in pages.values()}) == 4
    assert "Ouverture officielle" not in pages["?type=atelier"].text
    assert "Ouverture officielle" in pages[""].text
    # The same filters written otherwise, or with anything else, are the same page.
    for same in ("?jour=20260709&type=atelier&utm_source=x", "?type=atelier&jour=2026-07-09"):
        page = client.get("/fr/programme/" + same)
        assert page["ETag"] == pages["?jour=2026-07-09&type=atelier"]["ETag"]


@pytest.mark.django_db
def test_a_cache_hit_costs_no_query_whatever_the_filter(client, django_assert_num_queries):
    make_programme(make_edition(), sessions=10)
    client.get("/fr/programme/", {"type": "atelier"})
    with django_assert_num_queries(0):
        for i in range(5):
            assert client.get("/fr/programme/", {"type": f"nouveau-{i}"}).status_code == 200
        assert client.get("/fr/programme/", {"type": "atelier"}).status_code == 200


def test_a_new_type_is_a_filter_at_once(staff_client, edition_2026):
    """The valid types are kept under the programme version: a change is seen at once."""
    unfiltered = staff_client.get("/fr/programme/")["ETag"]
    assert staff_client.get("/fr/programme/", {"type": "pause"})["ETag"] == unfiltered
    pause = SessionType.objects.get(slug="pause")
    pause.is_format = True
    pause.save()
    page = staff_client.get("/fr/programme/", {"type": "pause"})
    assert page.context["programme"].selected_type.slug == pause.slug
    assert "Ouverture officielle" not in page.text


# --- The language switch ------------------------------------------------------------------
SWITCH = re.compile(r'<nav class="lang-switch".*?</nav>', re.DOTALL)


def switch_links(response):
    (nav,) = SWITCH.findall(response.text)
    return {lang: href for href, lang in re.findall(r'<a href="([^"]*)" lang="(\w+)"', nav)}


@pytest.mark.parametrize(
    ("path", "french", "english"),
    [
        ("/fr/programme/?next=//evil.example/", "/fr/programme/", "/en/programme/"),
        (
            "/fr/programme/?type=atelier&next=//evil.example/&jour=2026-07-09",
            "/fr/programme/?jour=2026-07-09&amp;type=atelier",
            "/en/programme/?jour=2026-07-09&amp;type=atelier",
        ),
        (
            "/en/programme/?type=atelier",
            "/fr/programme/?type=atelier",
            "/en/programme/?type=atelier",
        ),
        ("/fr/programme/?type=inconnu&jour=2027-01-01", "/fr/programme/", "/en/programme/"),
        (
            "/fr/infos-pratiques/?type=atelier&next=/x",
            "/fr/infos-pratiques/",
            "/en/practical-information/",
        ),
        ("/fr/inscription/?next=//evil.example/", "/fr/inscription/", "/en/registration/"),
    ],
)
def test_language_switch_keeps_only_validated_parameters(
    client, edition_2026, path, french, english
):
    for _ in range(2):  # rendered, then from the cache
        assert switch_links(client.get(path)) == {"fr": french, "en": english}


def test_the_release_follows_the_code_templates_and_translations(monkeypatch, tmp_path):
    """A deployment that changes only Python code (a view, a form's labels, a template
    tag) is a new release too: pages cached by the previous one are not served."""
    import os

    from events import pagecache

    base = Path(settings.BASE_DIR)
    files = set(pagecache._release_files())
    assert {base / "events" / "views.py", base / "rencontres" / "templatetags" / "site.py"} <= files
    assert base / "templates" / "base.html" in files
    assert not any("site-packages" in path.parts for path in files)  # libraries: their own
    monkeypatch.delenv("RELEASE", raising=False)
    newest = tmp_path / "views.py"
    newest.write_text("")
    os.utime(newest, ns=(0, max(path.stat().st_mtime_ns for path in files) + 1))
    monkeypatch.setattr(pagecache, "_release_files", lambda: [*files, newest])
    assert pagecache.release_id.__wrapped__() == str(newest.stat().st_mtime_ns)
    monkeypatch.setenv("RELEASE", "abc123")
    assert pagecache.release_id.__wrapped__() == "abc123"
