"""The directory and the B2B page: one statement each, the page kept once rendered
(registration.pagememo) under everything it shows, never stale, nothing personal served to
another viewer, no secret kept; the directory's hand-written SQL finds what the ORM finds.
"""

import re

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings import directory_read, services
from meetings.models import Profile, Theme
from registration import pagememo
from registration.models import AccessKey, Registration
from tests.factories import make_registration

from .conftest import taking_part

# Hand-written SQL, one text per engine (meetings/directory_read.py): run on both.
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def url(name, token, language="fr", **kwargs):
    from django.utils import translation

    with translation.override(language):
        return reverse(f"meetings:{name}", kwargs={"token": token, **kwargs})


def view(client, path, query=None, *, rendered=True):
    """The page (rendered, unless a page already seen is shown again), then asked again:
    served from memory, byte for byte the same."""
    query = query or {}
    response = client.get(path, query)
    assert response.status_code == 200
    assert bool(response.templates) or not rendered
    again = client.get(path, query)
    assert again.status_code == 200 and not again.templates  # kept
    assert again.content == response.content
    return response.text


def names(text):
    return re.findall(r'<h2 class="h5 card-title"><a href="\d+/">([^<]+)</a>', text)


# --- The directory -----------------------------------------------------------------------
def test_a_kept_directory_is_the_fresh_render_byte_for_byte(client, programme, themes):
    viewer = taking_part(programme)
    for n in range(25):
        taking_part(programme, last_name=f"Nom{n:02}", themes=[themes["Eau"]])
    path = url("directory", AccessKey.issue(viewer))
    for query in ({}, {"page": "2"}, {"theme": themes["Eau"].pk, "q": "nom1"}):
        pagememo.pages.clear()
        fresh = view(client, path, query)
        pagememo.pages.clear()
        assert client.get(path, query).text == fresh
    # An unknown parameter changes nothing the page shows: the same page, kept.
    assert client.get(path, {"page": "2"}).templates
    assert not client.get(path, {"page": "2", "utm": "x"}).templates


def test_a_kept_directory_is_never_served_to_a_viewer_of_another_edition(client, programme):
    """Two editions' directories listing the same rows (none, as a B2B window opens) are
    two pages: each shows its own edition (the layout's title)."""
    from datetime import timedelta

    from meetings.models import Programme
    from tests.factories import make_edition

    other = make_edition(is_current=False, short_title="Autre édition")
    Programme.objects.create(
        edition=other, opens_at=programme.opens_at, closes_at=programme.closes_at + timedelta(1)
    )
    here = taking_part(programme)
    there = taking_part(Programme.objects.get(edition=other))
    assert "Autre édition" not in view(client, url("directory", AccessKey.issue(here)))
    assert "Autre édition" in client.get(url("directory", AccessKey.issue(there))).text


def test_the_directory_is_never_stale(client, programme, themes):
    """Every change to what the page shows, made through a service, the admin's queries or
    a bare SQL update, shows on the next view."""
    viewer, bob = taking_part(programme), taking_part(programme, first_name="Bob")
    path = url("directory", AccessKey.issue(viewer))
    pagememo.pages.clear()
    assert "Bob" in view(client, path)
    profile = Profile.objects.get(registration=bob)

    Profile.objects.filter(pk=profile.pk).update(presentation="Jumelage avec Saint-Louis")
    assert "Jumelage avec Saint-Louis" in view(client, path)
    Registration.objects.filter(pk=bob.pk).update(organisation="Ville de Podor")
    assert "Ville de Podor" in view(client, path)
    profile.themes.add(themes["Eau"])
    assert "Eau et assainissement" in view(client, path)
    Theme.objects.filter(pk=themes["Eau"].pk).update(name_fr="Eau potable")
    text = view(client, path)
    assert "Eau potable" in text and "Eau et assainissement" not in text
    services.profile_save(
        registration=bob, data={"presentation": "x", "is_listed": False}, themes=[]
    )
    assert "Bob" not in view(client, path)  # hidden
    Profile.objects.filter(pk=profile.pk).update(is_listed=True, status="approved")
    assert "Bob" in view(client, path)
    Registration.objects.filter(pk=bob.pk).update(status=Registration.Status.CANCELLED)
    assert "Bob" not in view(client, path, rendered=False)  # as when he was hidden
    carol = taking_part(programme, first_name="Carol")
    assert "Carol" in view(client, path)  # a new profile listed
    Profile.objects.filter(registration=carol).update(status="rejected")
    assert "Carol" not in view(client, path, rendered=False)  # the empty page again


def test_two_viewers_each_see_their_own_page(client, programme):
    """Same filters: each page has its viewer's links, lists the other and not them; what
    is kept holds no link."""
    alice = taking_part(programme, first_name="Alice")
    bob = taking_part(programme, first_name="Bob")
    a, b = AccessKey.issue(alice), AccessKey.issue(bob)
    pagememo.pages.clear()
    seen_by_alice = view(client, url("directory", a))
    seen_by_bob = view(client, url("directory", b))
    assert a in seen_by_alice and b not in seen_by_alice
    assert b in seen_by_bob and a not in seen_by_bob
    assert names(seen_by_alice) == [bob.full_name]
    assert names(seen_by_bob) == [alice.full_name]
    for page in pagememo.pages.entries.values():
        assert b"<html" in page.stored  # the page itself is searched
        for token in (a, b):
            assert token.partition("-")[0].encode() not in page.stored
            assert token.partition("-")[2].encode() not in page.stored


def test_the_directory_keeps_its_filters_in_its_links(client, programme, themes):
    viewer = taking_part(programme)
    for n in range(21):
        taking_part(programme, themes=[themes["Eau"]], last_name=f"Nom{n:02}")
    path = url("directory", AccessKey.issue(viewer))
    text = client.get(path, {"theme": themes["Eau"].pk, "country": "xx", "zz": "1"}).text
    # Only what the page validated goes into its links (the language switch, the pages).
    theme = themes["Eau"].pk
    assert f'href="?theme={theme}&amp;page=2"' in text
    (english,) = re.findall(r'href="([^"]+)" lang="en"', text)
    assert english.startswith("/en/") and english.endswith(f"/?theme={theme}")
    assert "zz=" not in text and "country=xx" not in text


def test_the_directory_is_one_statement_past_the_last_page_two(client, programme):
    viewer = taking_part(programme)
    for _ in range(25):
        taking_part(programme)
    path = url("directory", AccessKey.issue(viewer))
    client.get(path)  # the edition read once per programme version
    pages = {}
    for query, count in (({}, 1), ({"page": "2"}, 1), ({"page": "7"}, 2), ({"page": "x"}, 1)):
        pagememo.pages.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, query)
        assert response.status_code == 200 and len(captured) == count, query
        pages[query.get("page")] = response.text
    # Past the last page (25 profiles, 20 a page): the last page, as page 2 shows it.
    assert "2 / 2" in pages["7"] and pages["7"] == pages["2"]
    assert "1 / 2" in pages["x"]


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"theme": "eau"},
        {"theme": 999_999},  # no such theme: no filter
        {"organisation_type": "etat"},
        {"country": "SN"},  # where they are, or a country of interest
        {"language": "es"},
        {"q": "podor"},
        {"q": "VILLE   saint"},
        {"q": "100%"},
        {"q": "a_b"},
        {"q": "é"},
        {"q": "coop", "country": "SN", "language": "fr", "theme": "eau"},
    ],
)
def test_the_statement_finds_what_the_orm_finds(programme, themes, filters):
    """The directory's SQL, written by hand, against the ORM's filters on the same data."""
    viewer = taking_part(programme)
    people = [
        taking_part(programme, first_name="Aïcha", organisation="Ville de Podor", country="SN"),
        taking_part(programme, first_name="Jean", organisation="Ville de Saint-Louis"),
        taking_part(programme, first_name="Ana", organisation="100% Coop", country="BR"),
        taking_part(programme, first_name="Bob", organisation="a_b", organisation_type="etat"),
        taking_part(programme, first_name="Éric", organisation="Région"),
        taking_part(programme, first_name="Caché"),
        taking_part(programme, first_name="Attente", approved=False),
    ]
    Profile.objects.filter(registration=people[1]).update(countries="SN,ML", languages=",es,")
    Profile.objects.filter(registration=people[2]).update(offers="Coopération")
    Profile.objects.filter(registration=people[5]).update(is_listed=False)
    Profile.objects.get(registration=people[0]).themes.add(themes["Eau"], themes["Culture"])
    Profile.objects.get(registration=people[3]).themes.add(themes["Eau"])
    if filters.get("theme") == "eau":
        filters = {**filters, "theme": themes["Eau"].pk}

    profiles = (
        Profile.objects.listed()
        .filter(registration__edition_id=viewer.edition_id)
        .exclude(registration=viewer)
    )
    if Theme.objects.filter(pk=filters.get("theme") or 0).exists():
        profiles = profiles.filter(themes=filters["theme"])
    if kind := filters.get("organisation_type"):
        profiles = profiles.filter(registration__organisation_type=kind)
    if country := filters.get("country"):
        profiles = profiles.filter(
            Q(registration__country=country) | Q(countries__contains=country)
        )
    if language := filters.get("language"):
        profiles = profiles.filter(languages__contains=f",{language},")
    for word in filters.get("q", "").split():
        profiles = profiles.filter(
            Q(registration__first_name__icontains=word)
            | Q(registration__last_name__icontains=word)
            | Q(registration__organisation__icontains=word)
            | Q(presentation__icontains=word)
            | Q(offers__icontains=word)
            | Q(seeks__icontains=word)
        )
    expected = list(
        profiles.order_by("registration__last_name", "registration__first_name", "registration")
        .values_list("pk", flat=True)
    )  # fmt: skip
    read = directory_read.directory_read(
        token=AccessKey.issue(viewer), filters=filters, page=1, now=timezone.now()
    )
    rows, found = read.rows()
    assert [row["pk"] for row in rows] == expected and found == len(expected)


def test_every_page_is_the_orms_in_order_with_ties_and_people_left_out(programme):
    """Same names in other cases and accents, the same name twice (the registration breaks
    the tie), people hidden, waiting for approval or cancelled; page by page, then pages
    out of range."""
    viewer = taking_part(programme, last_name="Zed")
    people = [
        taking_part(
            programme,
            last_name=("Diallo", "diallo", "Ba", "Élan")[number % 4],
            first_name=("Awa", "Awa", "bob", "")[number % 3],
        )
        for number in range(45)
    ]
    # Two namesakes whose profiles were made in the other order than their registrations.
    twins = [make_registration(programme.edition, last_name="Ba", first_name="Awa") for _ in "ab"]
    for twin in reversed(twins):
        services.profile_save(registration=twin, data={"presentation": "Jumelle"}, themes=[])
    Profile.objects.filter(registration__in=twins).update(status=Profile.Status.APPROVED)
    Profile.objects.filter(registration=people[0]).update(is_listed=False)
    Profile.objects.filter(registration=people[1]).update(status=Profile.Status.PENDING)
    Registration.objects.filter(pk=people[2].pk).update(status=Registration.Status.CANCELLED)
    expected = list(
        Profile.objects.listed()
        .filter(registration__edition_id=viewer.edition_id)
        .exclude(registration=viewer)
        .order_by("registration__last_name", "registration__first_name", "registration")
        .values_list("pk", flat=True)
    )
    assert len(expected) == 44
    token, now = AccessKey.issue(viewer), timezone.now()
    for page, number in ((1, 1), (2, 2), (3, 3), (0, 1), (-3, 1), (4, 3), ("9" * 11, 3)):
        read = directory_read.directory_read(token=token, filters={}, page=page, now=now)
        rows, found = read.rows()
        assert (read.number, found) == (number, 44), page
        size = directory_read.PAGE_SIZE
        assert [row["pk"] for row in rows] == expected[(number - 1) * size : number * size]


def test_any_query_answers_without_a_server_error(client, programme, themes):
    viewer = taking_part(programme)
    taking_part(programme, themes=[themes["Eau"]])
    path = url("directory", AccessKey.issue(viewer))
    odd = st.one_of(
        st.text(max_size=120),
        st.sampled_from(["", "0", "-1", " 1", "١", "9" * 30, "SN", "fr", "etat", "\x00", "%", "_"]),
        st.sampled_from([str(themes["Eau"].pk), f"0{themes['Eau'].pk}"]),
    )

    @settings(
        deadline=None,
        max_examples=60,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.dictionaries(st.sampled_from([*directory_read.FILTERS, "q", "page"]), odd))
    def check(query):
        assert client.get(path, query).status_code in (200, 400)  # 400: a NUL refused

    check()


# --- The B2B page --------------------------------------------------------------------------
def test_the_b2b_page_is_kept_and_follows_the_requests_and_meetings(
    client, programme, time_machine
):
    alice = taking_part(programme, first_name="Alice")
    bob = taking_part(programme, first_name="Bob", organisation="Ville de Podor")
    carol = taking_part(programme, first_name="Carol")
    path = url("home", AccessKey.issue(alice))
    pagememo.pages.clear()
    assert "Demandes reçues" not in view(client, path)

    received = services.request_create(sender=bob, recipient=alice, message="Bonjour")
    text = view(client, path)
    assert "Demandes reçues" in text and "Bob" in text and "Ville de Podor" in text
    sent = services.request_create(sender=alice, recipient=carol, message="Bonjour")
    assert "Demandes envoyées" in view(client, path)
    services.request_withdraw(request=sent, registration=alice)
    assert "Demandes envoyées" not in view(client, path, rendered=False)  # as before
    Registration.objects.filter(pk=bob.pk).update(organisation="Ville de Matam")
    assert "Ville de Matam" in view(client, path)
    meeting = services.request_accept(
        request=received, registration=alice, time=programme.times.first()
    )
    text = view(client, path)
    assert "Demandes reçues" not in text and "Table 1" in text
    assert url("cancel", AccessKey.issue(alice), meeting=meeting.guid).split("/b2b/")[1] in text
    # Once the meeting is over: « did it take place? » instead of « cancel ».
    time_machine.move_to(meeting.time.ends_at, tick=False)
    text = view(client, path)
    assert "Il n'a pas eu lieu ?" in text and "Annuler</a>" not in text
    services.meeting_report_not_held(meeting=meeting, registration=alice)
    assert "Voir le signalement" in view(client, path)
    Profile.objects.filter(registration=alice).update(status="pending")
    assert "attend la validation" in view(client, path)


def test_the_b2b_page_kept_is_the_fresh_render_byte_for_byte(client, programme):
    alice, bob = taking_part(programme), taking_part(programme)
    services.request_accept(
        request=services.request_create(sender=bob, recipient=alice, message="x"),
        registration=alice,
        time=programme.times.first(),
    )
    services.request_create(sender=alice, recipient=taking_part(programme), message="y")
    for language in ("fr", "en"):
        path = url("home", AccessKey.issue(alice), language)
        pagememo.pages.clear()
        fresh = view(client, path)
        pagememo.pages.clear()
        assert client.get(path).text == fresh
    # It reads no parameter: with any added, the same page, kept once.
    assert not client.get(path, {"x": "1"}).templates
    assert len(pagememo.pages.entries) == 1


def test_the_b2b_page_of_two_people_is_their_own(client, programme):
    alice, bob = taking_part(programme, first_name="Alice"), taking_part(programme)
    services.request_create(sender=bob, recipient=alice, message="x")
    a, b = AccessKey.issue(alice), AccessKey.issue(bob)
    pagememo.pages.clear()
    seen_by_alice, seen_by_bob = view(client, url("home", a)), view(client, url("home", b))
    assert "Demandes reçues" in seen_by_alice and "Demandes envoyées" not in seen_by_alice
    assert "Demandes envoyées" in seen_by_bob and "Demandes reçues" not in seen_by_bob
    assert a in seen_by_alice and b not in seen_by_alice and a not in seen_by_bob
    kept = [page.stored for page in pagememo.pages.entries.values()]
    assert len(kept) == 2 and all(b"<html" in page for page in kept)
    assert all(a.encode() not in page and b.encode() not in page for page in kept)


def test_the_b2b_page_is_404_without_b2b_or_once_cancelled(client, programme):
    from meetings.models import Programme
    from tests.factories import make_registration

    alice = taking_part(programme)
    token = AccessKey.issue(alice)
    assert client.get(url("home", token)).status_code == 200
    Registration.objects.filter(pk=alice.pk).update(status=Registration.Status.CANCELLED)
    assert client.get(url("home", token)).status_code == 404
    other = make_registration(programme.edition)
    token = AccessKey.issue(other)
    assert client.get(url("home", token)).status_code == 200  # not taking part: invited
    Programme.objects.filter(pk=programme.pk).delete()
    assert client.get(url("home", token)).status_code == 404


def test_the_personal_page_neither_reads_nor_follows_the_b2b_requests(client, programme):
    """The B2B page's state is read for the B2B page alone (home_read, always=False): a
    request received changes nothing the personal page shows, so its kept page stands,
    while the B2B page shows the request at once."""
    from django.utils import translation

    alice, bob = taking_part(programme), taking_part(programme)
    token = AccessKey.issue(bob)
    with translation.override("fr"):
        personal = reverse("registration:manage", kwargs={"token": token})
    view(client, personal)
    b2b = view(client, url("home", token))
    services.request_create(sender=alice, recipient=bob, message="Bonjour")
    assert not client.get(personal).templates  # kept: nothing it shows changed
    assert client.get(url("home", token)).text != b2b
