"""« Maintenant / ensuite »: the current and next session of each room, for the venue's
screens, at every moment of the event's life, cached until the next session starts or ends."""

import re
from datetime import datetime
from html import unescape

import pytest

from events import queries
from events.models import Session
from tests.factories import PARIS

PAGE = "/fr/maintenant/"


def at(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=PARIS)


def rows(html):
    """{room: (now, next)} as the board shows them, tags stripped."""
    board = {}
    for row in re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", html, re.S):
        room, *cells = re.split(r"</th>|</td>", row)
        text = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in cells[:2]]
        board[unescape(room)] = tuple(unescape(t) for t in text)
    return board


def test_before_the_event_every_room_shows_its_first_session(client, edition_2026, time_machine):
    time_machine.move_to(at("2026-07-01 10:00"), tick=False)
    html = client.get(PAGE).text
    assert "Les Rencontres ont lieu mercredi 8 et jeudi 9 juillet 2026." in html
    board = rows(html)
    assert board["Hall d'accueil"] == ("—", "Mercredi 8 juillet, 13h00 Accueil des participants")
    assert board["Grand Salon"] == (
        "—",
        "Mercredi 8 juillet, 14h00 Ouverture officielle des Rencontres",
    )


def test_during_a_session_now_and_next_by_room(client, edition_2026, time_machine):
    time_machine.move_to(at("2026-07-08 14:45"), tick=False)
    board = rows(client.get(PAGE).text)
    assert board["Salon Iéna"] == (
        "14h30–16h00 Atelier thématique 1 (intitulé à venir)",
        "Jeudi 9 juillet, 9h30 Atelier thématique 3 (intitulé à venir)",
    )
    assert board["Grand Salon"] == ("—", "16h30 Conférence plénière thématique")
    assert board["Salons de l'Hôtel des Arts & Métiers"] == ("—", "16h00 Pause café")
    assert "Hall d'accueil" in board  # its next session is tomorrow morning's welcome
    assert list(board)[1:4] == ["Hall d'accueil", "Grand Salon", "Espace des Partenaires"]


def test_between_two_days_nothing_now_tomorrow_next(client, edition_2026, time_machine):
    time_machine.move_to(at("2026-07-08 21:00"), tick=False)
    html = client.get(PAGE).text
    assert "Pas de session en ce moment." in html
    board = rows(html)
    assert board["Hall d'accueil"] == ("—", "Jeudi 9 juillet, 8h00 Accueil des participants")
    assert all(now == "—" for now, _next in board.values())


def test_after_the_event_a_thank_you(client, edition_2026, time_machine):
    time_machine.move_to(at("2026-07-09 17:30"), tick=False)
    html = client.get(PAGE).text
    assert "Les Rencontres sont terminées." in html
    assert "<table" not in html


def test_the_cached_page_lasts_until_the_next_start_or_end(client, edition_2026, time_machine):
    time_machine.move_to(at("2026-07-08 14:45"), tick=False)
    first = client.get(PAGE)
    time_machine.move_to(at("2026-07-08 15:59"), tick=False)
    again = client.get(PAGE, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304  # nothing starts or ends before 16:00
    time_machine.move_to(at("2026-07-08 16:00"), tick=False)
    later = client.get(PAGE, headers={"if-none-match": first["ETag"]})
    assert later.status_code == 200
    assert rows(later.text)["Salons de l'Hôtel des Arts & Métiers"][0] == "16h00–16h30 Pause café"
    assert "max-age=0" in later["Cache-Control"]


def test_an_edit_shows_at_once(client, edition_2026, time_machine):
    time_machine.move_to(at("2026-07-08 14:45"), tick=False)
    client.get(PAGE)
    Session.objects.filter(title_fr="Atelier thématique 1 (intitulé à venir)").update(
        title_fr="Les villes et la paix"
    )
    Session.objects.get(title_fr="Les villes et la paix").save()  # the admin's save
    assert rows(client.get(PAGE).text)["Salon Iéna"][0] == "14h30–16h00 Les villes et la paix"


def test_only_the_screen_variant_reloads_itself(client, edition_2026, time_machine):
    time_machine.move_to(at("2026-07-08 14:45"), tick=False)
    screen = client.get(PAGE, {"ecran": "1"})
    assert '<meta http-equiv="refresh" content="60">' in screen.text
    assert "refresh" not in client.get(PAGE).text
    assert client.get(PAGE, {"ecran": "oui"}).content == client.get(PAGE).content
    # Meta refresh is not a CSP matter: the policy has no directive that could block it.
    policy = screen["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "navigate-to" not in policy


def test_english_page(client, edition_2026, time_machine):
    time_machine.move_to(at("2026-07-09 09:45"), tick=False)
    html = client.get("/en/now/").text
    assert "Now / next" in html and 'lang="en"' in html
    assert rows(html)["Salon Iéna"][0].startswith("09:30–11:00")


@pytest.mark.parametrize("moment", ["2026-07-01 10:00", "2026-07-08 14:45", "2026-07-10 09:00"])
def test_query_count(edition_2026, django_assert_num_queries, moment):
    edition = queries.current_edition()  # with its venue
    queries.programme_data(edition)  # the cached programme, as on any other page
    with django_assert_num_queries(0):
        queries.now_and_next(edition, at(moment))
