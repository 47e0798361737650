"""B2B pages behind the personal link: a whole journey through the client, the IDOR
matrix, the .ics, the emails as rendered, and the directory's query count."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from meetings import services
from meetings.models import Meeting, MeetingRequest, Profile
from registration import emails as registration_emails
from registration.models import AccessKey, OutgoingEmail

from .conftest import MAY, taking_part

pytestmark = pytest.mark.django_db


def url(name, token, **kwargs):
    return reverse(f"meetings:{name}", kwargs={"token": token, **kwargs})


def test_journey_through_the_pages(client, programme, themes):
    alice, bob = taking_part(programme), taking_part(programme, country="SN", language="en")
    Profile.objects.filter(registration=bob).update(countries="SN,ML")
    Profile.objects.get(registration=bob).themes.add(themes["Eau"])
    a, b = AccessKey.issue(alice), AccessKey.issue(bob)

    # Alice finds Bob by theme and country, and asks.
    page = client.get(url("directory", a), {"theme": themes["Eau"].pk, "country": "SN"})
    assert page.status_code == 200
    assert bob.full_name in page.text and bob.email not in page.text
    profile = Profile.objects.get(registration=bob)
    page = client.post(url("person", a, pk=profile.pk), {"message": "Parlons d'eau à Dakar."})
    assert page.status_code == 302
    request = MeetingRequest.objects.get()

    # Bob answers: the earliest common time is the default.
    page = client.get(url("request", b, request_id=request.public_id))
    assert "checked" in page.text and "Parlons d" in page.text
    first = programme.times.first()
    page = client.post(
        url("request", b, request_id=request.public_id), {"action": "accept", "time": first.pk}
    )
    assert page.status_code == 302
    meeting = Meeting.objects.get()

    # Both agendas show it, at the same time and table, and both .ics feeds carry it.
    for token, other in ((a, bob), (b, alice)):
        page = client.get(url("home", token))
        assert other.full_name in page.text and "Table 1" in page.text
        feed = client.get(reverse("registration:agenda", kwargs={"token": token}))
        events = [
            e for e in Calendar.from_ical(feed.content).walk("VEVENT")
            if str(e["uid"]) == f"b2b-{meeting.guid}@rencontres-aict"
        ]  # fmt: skip
        assert len(events) == 1
        assert events[0]["dtstart"].dt == first.starts_at
        assert str(events[0]["status"]) == "CONFIRMED"

    # Alice cancels: both feeds keep it, cancelled, with a higher SEQUENCE.
    assert client.post(url("cancel", a, meeting=meeting.guid)).status_code == 302
    for token in (a, b):
        feed = client.get(reverse("registration:agenda", kwargs={"token": token}))
        (event,) = [
            e for e in Calendar.from_ical(feed.content).walk("VEVENT") if "b2b-" in str(e["uid"])
        ]
        assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 1


def test_idor_matrix(client, programme):
    """Every B2B URL with someone else's request, meeting or unlisted profile: 404; with a
    wrong token: 404."""
    alice, bob, carol = (taking_part(programme) for _ in range(3))
    hidden = taking_part(programme)
    Profile.objects.filter(registration=hidden).update(is_listed=False)
    meeting = services.request_accept(
        request=services.request_create(sender=alice, recipient=bob, message="x"),
        registration=bob,
        time=programme.times.first(),
    )
    request = meeting.request
    c = AccessKey.issue(carol)
    others = [
        url("request", c, request_id=request.public_id),
        url("cancel", c, meeting=meeting.guid),
        url("person", c, pk=Profile.objects.get(registration=hidden).pk),
        url("person", c, pk=Profile.objects.get(registration=carol).pk),  # oneself
    ]
    for address in others:
        assert client.get(address).status_code == 404, address
        assert client.post(address, {"action": "accept"}).status_code == 404, address
    bad = "0000000000000000-nope"
    for name, kwargs in [
        ("home", {}), ("profile", {}), ("leave", {}), ("directory", {}),
        ("person", {"pk": 1}), ("request", {"request_id": request.public_id}),
        ("cancel", {"meeting": meeting.guid}),
    ]:  # fmt: skip
        assert client.get(url(name, bad, **kwargs)).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_directory_needs_taking_part(client, programme):
    from tests.factories import make_registration

    outsider = make_registration(programme.edition)
    assert client.get(url("directory", AccessKey.issue(outsider))).status_code == 404


def test_directory_queries_do_not_grow(client, programme, themes):
    """The same number of queries for 10 and for 600 listed profiles (one page shown)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    viewer = taking_part(programme)
    token = AccessKey.issue(viewer)

    def queries_for_page():
        client.get(url("directory", token))  # warm the per-version caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("directory", token)).status_code == 200
        return len(captured.captured_queries)

    for _ in range(10):
        taking_part(programme, themes=[themes["Climat"]])
    with_10 = queries_for_page()
    for _ in range(590):
        taking_part(programme, themes=[themes["Climat"], themes["Eau"]])
    assert queries_for_page() == with_10 == 1  # the link, the page and its count: one statement
    # Past the last page: the last page, one count more.
    assert client.get(url("directory", token) + "?page=999").status_code == 200
    # Far past it (an OFFSET the database's integer cannot hold): the last page too.
    for page in ("9223372036854775807", "99999999999999999999"):
        response = client.get(url("directory", token) + f"?page={page}")
        assert response.status_code == 200 and "annuaire" in response.text.lower()


def test_directory_cards_are_shared_pieces_that_never_go_stale(client, programme, themes):
    """Cards and filter lists are kept between requests and viewers, keyed by what they
    show: an edit shows at once, and no viewer's link is in what is kept."""
    from django.core.cache import cache

    from meetings import directory

    alice, bob = taking_part(programme), taking_part(programme, first_name="Bob", country="SN")
    Profile.objects.get(registration=bob).themes.add(themes["Eau"])
    a = AccessKey.issue(alice)
    page = client.get(url("directory", a) + "?country=SN&language=fr&theme=zz&page=x")
    assert page.status_code == 200
    assert '<option value="SN" selected>' in page.text
    assert '<option value="fr" selected>' in page.text
    assert 'id="id_theme"><option value="" selected>' in page.text  # « zz » is no theme
    assert "Eau et assainissement" in page.text and "Bob" in page.text
    kept = list(directory._local.values())
    assert kept and all(a.partition("-")[0] not in html for html in kept)
    shared = [cache.get(directory.shared_key(p.pk, "fr")) for p in Profile.objects.all()]
    assert len([card for card in shared if card]) == 1  # Bob's: Alice is not in her directory
    assert all(a.partition("-")[0] not in str(card) for card in shared)
    person = url("person", a, pk=Profile.objects.get(registration=bob).pk)
    assert f'href="{person.rsplit("/", 2)[-2]}/"' in page.text  # relative to the directory

    Profile.objects.filter(registration=bob).update(presentation="Jumelage avec Saint-Louis")
    themes["Eau"].name_fr = "Eau potable"
    themes["Eau"].save()
    page = client.get(url("directory", a))
    assert "Jumelage avec Saint-Louis" in page.text and "Eau potable" in page.text
    assert "Eau et assainissement" not in page.text


def test_profile_form_opts_in(client, programme, themes):
    from tests.factories import make_registration

    person = make_registration(programme.edition)
    token = AccessKey.issue(person)
    page = client.post(
        url("profile", token),
        {
            "presentation": "Ville jumelée",
            "themes": [themes["Culture"].pk],
            "languages": ["fr", "es"],
            "countries": ["BF"],
            "is_listed": "on",
        },
    )
    assert page.status_code == 302
    profile = Profile.objects.get(registration=person)
    assert profile.status == "pending"  # approval needed by default
    assert profile.language_codes == ["es", "fr"]
    assert list(profile.countries) == ["BF"] or [c.code for c in profile.countries] == ["BF"]


def test_the_profile_keeps_the_times_blocked_and_says_when_one_has_a_meeting(client, programme):
    alice, bob = taking_part(programme), taking_part(programme)
    times = list(programme.times.all())
    meeting = services.request_accept(
        request=services.request_create(sender=bob, recipient=alice, message="Eau"),
        registration=alice,
        time=times[1],
    )
    token = AccessKey.issue(alice)
    page = client.get(url("profile", token))
    assert "Créneaux où je ne suis pas disponible" in page.text
    assert page.text.count('name="blocked_times"') == len(times)  # both days attended
    data = {"presentation": "Ville", "languages": ["fr"], "is_listed": "on"}
    page = client.post(url("profile", token), {**data, "blocked_times": [times[0].pk]})
    assert page.status_code == 302
    assert [t.pk for t in Profile.objects.get(registration=alice).blocked_times.all()] == [
        times[0].pk
    ]
    shown = client.get(url("profile", token)).text
    boxes = dict(re.findall(r'name="blocked_times" value="(\d+)"([^>]*)>', shown))
    assert "checked" in boxes[str(times[0].pk)] and "checked" not in boxes[str(times[1].pk)]
    page = client.post(url("profile", token), {**data, "blocked_times": [times[1].pk]})
    assert page.status_code == 200
    assert "Vous avez un rendez-vous à ce créneau" in page.text.replace("&#x27;", "'")
    assert meeting.time_id == times[1].pk
    page = client.post(url("profile", token), {**data, "blocked_times": ["999999", "x"]})
    assert page.status_code == 200 and "blocked_times" in page.text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_emails_render_in_the_recipients_language_without_the_other_address(programme, language):
    alice, bob = taking_part(programme, language="fr"), taking_part(programme, language=language)
    request = services.request_create(sender=alice, recipient=bob, message="Bonjour Bob")
    meeting = services.request_accept(
        request=request, registration=bob, time=programme.times.first()
    )
    services.meeting_cancel(meeting=meeting, registration=alice)
    for email in OutgoingEmail.objects.filter(registration=bob).select_related(
        "registration__edition"
    ):
        linked = registration_emails.KINDS[email.kind].linked
        token = AccessKey.issue(bob) if linked else None
        minted = registration_emails.render(email, token=token)
        message = registration_emails.build_message(email)
        assert alice.email not in email.body and alice.email not in email.html_body
        assert alice.full_name in email.body
        if token or minted:
            assert re.search(r"/b2b/(demandes|requests)/", email.body)
        if email.kind == "b2b_meeting_accepted":
            assert message.attachments, "the .ics is attached"
    kinds = OutgoingEmail.objects.filter(registration=bob).values_list("kind", flat=True)
    assert "b2b_request_received" in kinds
    subjects = list(kinds)
    assert len(subjects) == 3


def test_taking_part_can_be_ticked_at_sign_up(client, programme):
    from tests.registration.conftest import form_data

    page = client.get("/fr/inscription/")
    assert "participer aux rendez-vous B2B" in page.text
    response = client.post(
        "/fr/inscription/", form_data(client, option_b2b="on", email="b2b@example.org")
    )
    assert response.status_code == 302
    assert Profile.objects.get(registration__email="b2b@example.org").status == "pending"
    client.post("/fr/inscription/", form_data(client, email="sans@example.org"))
    assert not Profile.objects.filter(registration__email="sans@example.org").exists()


def test_the_sign_up_box_follows_the_b2b_window_and_its_edits(client, programme, time_machine):
    """The closing time is kept between requests (no query per form), yet the box goes
    at the closing time, and at once when staff move the closing or delete the setup."""
    box = "participer aux rendez-vous B2B"
    assert box in client.get("/fr/inscription/").text
    closes_at = programme.closes_at
    programme.closes_at = MAY - timedelta(minutes=1)
    programme.save()
    assert box not in client.get("/fr/inscription/").text
    programme.closes_at = MAY + timedelta(hours=1)
    programme.save()
    assert box in client.get("/fr/inscription/").text
    time_machine.move_to(MAY + timedelta(hours=2), tick=True)  # past the closing time
    assert box not in client.get("/fr/inscription/").text
    programme.closes_at = closes_at
    programme.save()
    assert box in client.get("/fr/inscription/").text
    programme.delete()
    assert box not in client.get("/fr/inscription/").text


def test_booking_a_session_over_a_meeting_says_so_on_the_change_form(client, programme):
    from events.models import Session

    alice, bob = taking_part(programme), taking_part(programme)
    meeting = services.request_accept(
        request=services.request_create(sender=alice, recipient=bob, message="x"),
        registration=bob,
        time=programme.times.first(),
    )
    workshop = Session.objects.filter(type__slug="atelier", slot=meeting.time.session.slot).first()
    token = AccessKey.issue(alice)
    change = reverse("registration:change", kwargs={"token": token})
    data = {
        "civility": "", "first_name": alice.first_name, "last_name": alice.last_name,
        "phone_0": "FR", "phone_1": "", "organisation": alice.organisation,
        "organisation_type": "collectivite", "country": "FR", "language": "fr",
        "days": [d.isoformat() for d in alice.edition.days],
        f"slot_{workshop.slot_id}": str(workshop.pk),
    }  # fmt: skip
    page = client.post(change, data)
    assert page.status_code == 200
    assert "Vous avez un rendez-vous B2B le mercredi 8 juillet, 14:30" in page.text
    assert not alice.bookings.exists()


def test_agenda_page_queries_do_not_grow_with_meetings(client, programme):
    """The B2B page (the one agenda) costs the same with 1 meeting as with 8."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    programme.max_meetings = 8
    programme.save()
    for number in range(4, 9):
        programme.tables.create(number=number)
    alice = taking_part(programme)
    token = AccessKey.issue(alice)
    times = list(programme.times.all())

    def meet(time):
        other = taking_part(programme)
        services.request_accept(
            request=services.request_create(sender=other, recipient=alice, message="x"),
            registration=alice,
            time=time,
        )

    def queries_for_page():
        client.get(url("home", token))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("home", token)).status_code == 200
        return len(captured.captured_queries)

    meet(times[0])
    with_one = queries_for_page()
    for time in times[1:8]:
        meet(time)
    assert queries_for_page() == with_one == 1  # the link's statement reads the B2B state too
    assert client.get(url("home", token)).text.count("Table ") == 8
