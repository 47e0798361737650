"""The attendee's own page, opened by the secret link from the email."""

import re

import icalendar
import pytest
from django.core import mail

from registration.models import AccessKey, Booking, Registration
from tests.registration.conftest import change_data, form_data, last_link, workshop

pytestmark = pytest.mark.sqlite  # read by hand-written SQL (registration/queries.py)


def test_personal_page_headers_and_content(client, registered):
    _registration, link = registered
    response = client.get(link)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert "Ville de Dakar" in response.text
    assert "Atelier thématique 1 (intitulé à venir)" in response.text
    assert "Mercredi 8 juillet" in response.text


def test_only_a_hash_of_the_secret_is_stored(registered):
    _registration, link = registered
    token = link.rstrip("/").rsplit("/", 1)[1]
    selector, verifier = token.split("-", 1)
    key = AccessKey.objects.get(selector=selector)
    assert verifier not in key.verifier_hash
    assert len(verifier) >= 43  # 32 random bytes: 256 bits


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # last character of the secret
        lambda t: t.split("-", 1)[0],  # selector alone
        lambda t: "-" + t.split("-", 1)[1],  # secret alone
        lambda t: "0" * 16 + "-" + t.split("-", 1)[1],  # another selector
        lambda t: "nonsense",
    ],
)
def test_wrong_token_is_a_404(client, registered, mangle):
    _registration, link = registered
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert client.get(link.replace(token, mangle(token))).status_code == 404


def test_token_swap_matrix(client, open_edition, send):
    """A's link never reveals nor changes B, on any page, with any mix of their tokens."""
    send(client.post, "/fr/inscription/", form_data())
    send(client.post, "/fr/inscription/", form_data(email="b@example.org", last_name="Bertin"))
    tokens = {
        email: last_link(email).rstrip("/").rsplit("/", 1)[1]
        for email in ("awa.diallo@example.org", "b@example.org")
    }
    a, b = tokens["awa.diallo@example.org"], tokens["b@example.org"]
    a_sel, a_ver = a.split("-", 1)
    b_sel, b_ver = b.split("-", 1)
    mixes = [f"{a_sel}-{b_ver}", f"{b_sel}-{a_ver}"]
    pages = ["", "modifier/", "annuler/", "agenda.ics"]
    for token in mixes:
        for page in pages:
            assert client.get(f"/fr/inscription/espace/{token}/{page}").status_code == 404
            response = client.post(f"/fr/inscription/espace/{token}/{page}", {"days": []})
            assert response.status_code in (404, 405)
    for token, own, other in [(a, "Diallo", "Bertin"), (b, "Bertin", "Diallo")]:
        for page in pages[:3]:
            html = client.get(f"/fr/inscription/espace/{token}/{page}").text
            assert other not in html
            assert own in html or page == "annuler/"
    assert Registration.objects.filter(status="cancelled").count() == 0


def test_change_bookings_frees_the_seat_for_the_waiting_list(client, registered, send):
    registration, link = registered
    session = workshop(1)
    session.capacity = 1
    session.save()
    send(client.post, "/fr/inscription/", form_data(email="b@example.org"))
    waiting = Registration.objects.get(email="b@example.org").bookings.get()
    assert waiting.status == Booking.Status.WAITLISTED

    data = change_data()
    data[f"slot_{session.slot_id}"] = str(workshop(2).pk)
    mail.outbox.clear()
    response = send(client.post, link + "modifier/", data)
    assert response.status_code == 302 and response["Location"] == link
    assert registration.bookings.get().session == workshop(2)
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED  # promoted in the same transaction
    assert {tuple(m.to) for m in mail.outbox} == {
        ("awa.diallo@example.org",),
        ("b@example.org",),
    }
    promoted = next(m for m in mail.outbox if m.to == ["b@example.org"])
    assert "votre place pour « Atelier thématique 1 (intitulé à venir) » est confirmée" in (
        promoted.body
    )
    page = client.get(link)
    assert "Vos modifications sont enregistrées." in page.text


def test_change_details_and_days(client, registered):
    registration, link = registered
    form = client.get(link + "modifier/")
    assert form.status_code == 200
    assert 'value="awa.diallo@example.org"' not in form.text  # the address is not editable here
    data = change_data(organisation="Région Occitanie", days=["2026-07-09"], lunch="on")
    data.pop(f"slot_{workshop(1).slot_id}")
    response = client.post(link + "modifier/", data)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.organisation == "Région Occitanie"
    assert registration.lunch is True
    assert [d.day.isoformat() for d in registration.days.all()] == ["2026-07-09"]
    assert registration.bookings.count() == 0


def test_cancel_asks_first_then_frees_everything(client, registered, send):
    registration, link = registered
    workshop(1).__class__.objects.filter(pk=workshop(1).pk).update(capacity=1)
    send(client.post, "/fr/inscription/", form_data(email="b@example.org"))
    confirm = client.get(link + "annuler/")
    assert "Oui, annuler mon inscription" in confirm.text
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED  # a GET changes nothing

    response = send(client.post, link + "annuler/")
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert registration.bookings.count() == 0
    assert (
        Registration.objects.get(email="b@example.org").bookings.get().status
        == Booking.Status.CONFIRMED
    )
    page = client.get(link)
    assert "Inscription annulée le" in page.text
    assert "Modifier mon inscription" not in page.text
    # Cancelled, the address may register again.
    send(client.post, "/fr/inscription/", form_data())
    assert Registration.objects.filter(email="awa.diallo@example.org").count() == 2


def test_cancelling_frees_a_place_in_the_edition(client, open_edition, send):
    open_edition.capacity = 1
    open_edition.save()
    send(client.post, "/fr/inscription/", form_data())
    send(client.post, "/fr/inscription/", form_data(email="b@example.org"))
    first = last_link("awa.diallo@example.org")
    send(client.post, first + "annuler/")
    late = Registration.objects.get(email="b@example.org")
    assert late.status == Registration.Status.CONFIRMED
    assert late.bookings.get().status == Booking.Status.CONFIRMED  # its seat follows
    assert "votre inscription aux Rencontres est confirmée" in mail.outbox[-2].body + (
        mail.outbox[-1].body
    )


def test_agenda_holds_confirmed_sessions_and_plenaries_of_my_days(client, open_edition, send):
    session = workshop(1)
    session.capacity = 1
    session.save()
    data = form_data(days=["2026-07-08", "2026-07-09"])
    data[f"slot_{workshop(3).slot_id}"] = str(workshop(3).pk)
    send(client.post, "/fr/inscription/", form_data(email="first@example.org"))
    send(client.post, "/fr/inscription/", data)
    link = last_link("awa.diallo@example.org")
    response = client.get(link + "agenda.ics")
    assert response["Cache-Control"] == "private, no-cache"
    assert response["Referrer-Policy"] == "no-referrer"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [
        "Ouverture officielle des Rencontres",
        "Conférence plénière thématique",
        "Atelier thématique 3 (intitulé à venir)",  # workshop 1 is waitlisted: not here
        "Plénière de mise à l'honneur d'un pays",
    ]
    # Subscribed calendars revalidate: unchanged, the feed answers 304.
    again = client.get(link + "agenda.ics", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
    assert 'href="webcal://127.0.0.1:8000/fr/inscription/espace/' in client.get(link).text


def test_agenda_follows_the_days_attended(client, registered):
    _registration, link = registered  # Wednesday only, workshop 1
    calendar = icalendar.Calendar.from_ical(client.get(link + "agenda.ics").content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [
        "Ouverture officielle des Rencontres",
        "Atelier thématique 1 (intitulé à venir)",
        "Conférence plénière thématique",
    ]


def test_lost_link_answers_the_same_for_any_address(client, registered, send):
    _registration, first_link = registered
    mail.outbox.clear()
    known = send(client.post, "/fr/inscription/lien-perdu/", {"email": "AWA.DIALLO@example.org"})
    known_page = client.get(known["Location"]).text
    unknown = send(client.post, "/fr/inscription/lien-perdu/", {"email": "nobody@example.org"})
    unknown_page = client.get(unknown["Location"]).text
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert csrf.sub("", known_page) == csrf.sub("", unknown_page)
    assert "Si cette adresse correspond à une inscription" in known_page
    (message,) = mail.outbox
    assert message.to == ["awa.diallo@example.org"]
    new_link = last_link("awa.diallo@example.org")
    assert new_link != first_link
    assert client.get(new_link).status_code == 200
    assert client.get(first_link).status_code == 200  # links already sent keep working


def test_lost_link_is_rate_limited(client, registered, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "lost_link": (1, 900)}
    assert client.post("/fr/inscription/lien-perdu/", {"email": "a@example.org"}).status_code == 302
    assert client.post("/fr/inscription/lien-perdu/", {"email": "a@example.org"}).status_code == 429


def test_form_pages_keep_the_secret_to_this_site(client, registered):
    _registration, link = registered
    for page in ("modifier/", "annuler/"):
        response = client.get(link + page)
        assert response["Referrer-Policy"] == "same-origin"  # forms post with a real Origin
        assert response["Cache-Control"] == "no-store"


def test_personal_pages_read_a_fixed_number_of_queries(client, open_edition):
    """The personal page and its change form cost the same queries with 1 booking as with
    8: rendered right after a programme change (its caches empty), rendered again, and
    kept (pagememo)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registration import pagememo
    from tests.registration.people import bookable, more_slots, sign_up

    more_slots(open_edition)
    slots = bookable(open_edition)
    assert len(slots) == 8
    _one, one = sign_up(open_edition, "Une", [slots[0][0]])
    eight, many = sign_up(open_edition, "Huit", [sessions[-1] for sessions in slots])
    assert eight.bookings.count() == 8

    def queries(path, *, programme_cached, kept):
        if not programme_cached:
            cache.clear()  # as after a staff edit: edition, sessions, slots read again
        if not kept:
            pagememo.pages.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, path
        assert bool(response.templates) is not kept  # kept: served without rendering
        return len(captured)

    for page, cold_cap, cap in (("", 3, 1), ("modifier/", 3, 1)):
        counts = {}
        for name, path in (("one", one), ("eight", many)):
            counts[name] = [
                queries(path + page, programme_cached=False, kept=False),
                queries(path + page, programme_cached=True, kept=False),
                queries(path + page, programme_cached=True, kept=True),
            ]
        assert counts["one"] == counts["eight"], (page, counts)
        cold, warm, kept = counts["one"]
        assert cold <= cold_cap and warm == kept == cap, (page, counts)
