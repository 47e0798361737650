"""On the day at the Espace des Partenaires: the « next meetings » screen (its secret link
minted in admin), each person's printed agenda, the desk's card and the day-before
reminder."""

import io
from datetime import date, datetime, timedelta
from email import message_from_string, policy
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from meetings import services
from meetings.models import ScreenKey
from meetings.screen import board
from registration.models import AccessKey, OutgoingEmail
from rencontres.logging import redact_links
from tests.factories import PARIS, make_registration
from tests.registration.conftest import workshop
from tests.staff.conftest import grant, sign_up, staff_user  # noqa: F401 (the fixture)

from .conftest import taking_part
from .test_planning import meet

pytestmark = pytest.mark.django_db
WEDNESDAY, THURSDAY = date(2026, 7, 8), date(2026, 7, 9)


def at(day, hour, minute, second=0):
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=PARIS)


@pytest.fixture
def day_of_meetings(programme):
    """Wednesday's three times: Alice meets Bob at the first (table 1) and Chloé at the
    second; Dan meets Eve at the first (table 2). Thursday: Alice meets Dan."""
    alice = taking_part(programme, first_name="Alice", last_name="Arnaud", organisation="Lyon")
    bob = taking_part(programme, first_name="Bob", last_name="Bernard", organisation="Dakar")
    chloe = taking_part(
        programme, first_name="Chloé", last_name="Colin", organisation="Hué", language="en"
    )
    dan = taking_part(programme, first_name="Dan", last_name="Dupont", organisation="Rabat")
    eve = taking_part(programme, first_name="Eve", last_name="Evrard", organisation="Lomé")
    times = list(programme.times.order_by("starts_at"))
    wednesday = [t for t in times if t.starts_at.astimezone(PARIS).date() == WEDNESDAY]
    thursday = [t for t in times if t.starts_at.astimezone(PARIS).date() == THURSDAY]
    return SimpleNamespace(
        programme=programme,
        alice=alice,
        bob=bob,
        chloe=chloe,
        dan=dan,
        eve=eve,
        wednesday=wednesday,
        thursday=thursday,
        meetings=[
            meet(programme, alice, bob, wednesday[0]),
            meet(programme, dan, eve, wednesday[0]),
            meet(programme, chloe, alice, wednesday[1]),
            meet(programme, dan, alice, thursday[0]),
        ],
    )


# --- the screen ------------------------------------------------------------------------


def test_the_board_around_the_boundaries_of_a_block(day_of_meetings, time_machine):
    programme = day_of_meetings.programme
    first, second, third = day_of_meetings.wednesday
    assert (first.starts_at, first.ends_at) == (at(WEDNESDAY, 14, 30), at(WEDNESDAY, 14, 50))
    second_ends = second.ends_at

    before = board(programme, first.starts_at - timedelta(seconds=1))
    assert (before.state, before.current, before.upcoming) == ("before", None, first)
    assert [row.number for row in before.upcoming_tables] == [1, 2]
    assert before.changes_at == first.starts_at

    on = board(programme, first.starts_at)
    assert (on.state, on.current, on.upcoming) == ("on", first, second)
    (alice_bob, dan_eve) = on.current_tables
    assert (alice_bob.first.name, alice_bob.second.name) == ("Alice Arnaud", "Bob Bernard")
    assert (alice_bob.first.organisation, alice_bob.second.organisation) == ("Lyon", "Dakar")
    assert dan_eve.number == 2
    assert [(r.first.name, r.second.name) for r in on.upcoming_tables] == [
        ("Chloé Colin", "Alice Arnaud")
    ]
    assert board(programme, first.ends_at - timedelta(seconds=1)).current == first

    changeover = board(programme, first.ends_at)  # 14:50, the next begins at 14:55
    assert (changeover.state, changeover.current, changeover.upcoming) == ("between", None, second)
    assert changeover.current_tables == [] and len(changeover.upcoming_tables) == 1
    assert changeover.changes_at == second.starts_at

    last_of_the_day = board(programme, third.starts_at)
    assert last_of_the_day.upcoming == day_of_meetings.thursday[0]  # tomorrow's first
    assert last_of_the_day.current_tables == []  # nobody at 15:20
    assert board(programme, second_ends).upcoming == third

    last = max(programme.times.all(), key=lambda t: t.starts_at)
    assert board(programme, last.ends_at).state == "after"


def test_tables_that_do_not_fit_rotate_over_pages(
    day_of_meetings, client, monkeypatch, time_machine
):
    from meetings import screen

    programme = day_of_meetings.programme
    first, second, _third = day_of_meetings.wednesday
    shown = board(programme, first.starts_at)
    (one, two) = screen.pages(shown, per_page=2)
    assert [(part.kind, len(part.tables)) for part in one] == [("now", 2)]
    assert [(part.kind, part.time, len(part.tables)) for part in two] == [("next", second, 1)]
    (together,) = screen.pages(shown, per_page=3)
    assert [(part.kind, len(part.tables)) for part in together] == [("now", 2), ("next", 1)]
    # A time without a meeting still says so, in the place of one table.
    empty = board(programme, _third.starts_at)
    assert [len(page) for page in screen.pages(empty, per_page=1)] == [1, 1]

    monkeypatch.setattr(screen, "TABLES_PER_PAGE", 2)
    token = services.screen_key_issue(programme=programme)
    time_machine.move_to(first.starts_at + timedelta(minutes=5), tick=False)
    path = f"/fr/b2b/ecran/{token}/"
    page = client.get(path).content.decode()
    assert '<meta http-equiv="refresh" content="15; url=?page=2">' in page
    assert "page 1 / 2" in page and "Bob Bernard" in page and "Chloé Colin" not in page
    page = client.get(path, {"page": "2"}).content.decode()
    assert '<meta http-equiv="refresh" content="15; url=?page=1">' in page
    assert "Chloé Colin" in page and "Bob Bernard" not in page
    for junk in ("0", "3", "-1", "²", "1e3", "x" * 50):
        assert "page 1 / 2" in client.get(path, {"page": junk}).content.decode()


def screen_token(admin_client, programme):
    response = admin_client.post(
        reverse("admin:meetings_programme_changelist"),
        {"action": "screen_link", "_selected_action": [programme.pk]},
    )
    # Shown on a page no one keeps, never in a message (messages travel in a cookie).
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "/b2b/ecran/" not in str(response.cookies)
    return response.text.split("/b2b/ecran/")[1].split("/")[0]


def test_staff_mint_the_screen_link_in_admin_and_only_its_hash_is_kept(
    day_of_meetings, admin_client, client, time_machine
):
    programme = day_of_meetings.programme
    token = screen_token(admin_client, programme)
    selector, _sep, secret = token.partition("-")
    assert len(secret) >= 43  # 256 bits in URL-safe base64 (the rule: at least 128)
    key = ScreenKey.objects.get(programme=programme)
    assert key.selector == selector and secret not in key.verifier_hash

    time_machine.move_to(at(WEDNESDAY, 14, 40), tick=False)
    response = client.get(f"/fr/b2b/ecran/{token}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    page = response.content.decode()
    assert '<meta http-equiv="refresh" content="15">' in page  # all on one page
    assert "En ce moment" in page and "14h30–14h50" in page
    assert "Prochains rendez-vous" in page and "14h55–15h15" in page
    for name in ("Alice Arnaud", "Bob Bernard", "Chloé Colin", "Dan Dupont", "Eve Evrard"):
        assert name in page
    assert "Rabat" in page
    # What a printed table plan shows, nothing more: no address, no phone.
    assert "@example.org" not in page and "<script" not in page and "style=" not in page

    english = client.get(f"/en/b2b/screen/{token}/").content.decode()
    assert "Now" in english and "14:30–14:50" in english and "Next meetings" in english

    # A wrong secret, a selector alone, another link: 404; a new link closes the old one.
    assert client.get(f"/fr/b2b/ecran/{selector}-{'x' * 43}/").status_code == 404
    assert client.get(f"/fr/b2b/ecran/{selector}/").status_code == 404
    newer = services.screen_key_issue(programme=programme)
    assert client.get(f"/fr/b2b/ecran/{token}/").status_code == 404
    assert client.get(f"/fr/b2b/ecran/{newer}/").status_code == 200
    assert ScreenKey.objects.count() == 1


def test_the_screen_says_when_it_is_over_and_reads_few_rows(
    day_of_meetings, client, time_machine, django_assert_num_queries
):
    token = services.screen_key_issue(programme=day_of_meetings.programme)
    time_machine.move_to(at(WEDNESDAY, 14, 52), tick=False)
    with django_assert_num_queries(3):  # the key with its programme and edition, times, meetings
        page = client.get(f"/fr/b2b/ecran/{token}/").content.decode()
    assert "En ce moment" not in page and "14h55–15h15" in page
    time_machine.move_to(at(THURSDAY, 23, 0), tick=False)
    page = client.get(f"/fr/b2b/ecran/{token}/").content.decode()
    assert "Les rendez-vous B2B sont terminés" in page


def test_the_screen_link_is_cut_from_log_lines():
    line = "Not Found: /fr/b2b/ecran/0123456789abcdef-s3cr3tS3cr3t/ and /en/b2b/screen/ab-cd/"
    redacted = redact_links(line)
    assert "s3cr3t" not in redacted and "/ecran/0123456789abcdef-[redacted]/" in redacted
    assert "/screen/ab-[redacted]/" in redacted


# --- the printed agenda -----------------------------------------------------------------


def pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    width, height = pdf.pages[0].mediabox.width, pdf.pages[0].mediabox.height
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    return " ".join(page.extract_text() for page in pdf.pages)


def test_the_printed_agenda_from_the_personal_page(day_of_meetings, client):
    alice = day_of_meetings.alice
    token = AccessKey.issue(alice)
    manage = client.get(reverse("registration:manage", args=[token])).content.decode()
    path = reverse("meetings:printed_agenda", args=[token])
    assert f'href="{path}"' in manage and "Mon agenda à imprimer (PDF)" in manage
    b2b = client.get(reverse("meetings:home", args=[token])).content.decode()
    assert f'href="{path}"' in b2b

    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    text = " ".join(pdf_text(response).split())
    assert "Alice Arnaud" in text
    assert "Mercredi 8 juillet 2026" in text and "Jeudi 9 juillet 2026" in text
    assert "Bob Bernard (Dakar)" in text and "Chloé Colin (Hué)" in text
    assert "Dan Dupont (Rabat)" in text and "Table 1" in text
    assert "PLÉNIÈRE Ouverture officielle" in text  # the plenaries of her days
    assert "Espace des Partenaires" in text and "Salons de l'Hôtel des Arts" in text
    assert "14h30–14h50" in text

    assert client.get(path.replace(token[-6:], "abcdef")).status_code == 404


def test_the_printed_agenda_lists_sessions_with_rooms_in_english(programme, client):
    session = workshop(1)
    person = sign_up(programme.edition, email="zoe@example.org", sessions=[session])
    person.language = "en"
    person.save()
    token = AccessKey.issue(person)
    with translation.override("en"):
        path = reverse("meetings:printed_agenda", args=[token])
    text = " ".join(pdf_text(client.get(path)).split())
    assert "My agenda" in text and "Wednesday 8 July 2026" in text
    room = session.room.name_en or session.room.name
    assert (session.title_en or session.title) in text and room in text
    assert "PLENARY Official opening of the Rencontres" in text  # the day's plenaries


# --- the desk ---------------------------------------------------------------------------


def test_the_desk_shows_the_meetings_of_the_day_after_a_scan(
    day_of_meetings,
    client,
    staff_user,  # noqa: F811 (the fixture)
    time_machine,
):
    alice = day_of_meetings.alice
    time_machine.move_to(at(WEDNESDAY, 9, 5), tick=False)
    client.force_login(grant(staff_user, "check_in"))
    page = client.post("/admin/outils/accueil/scan/", {"q": alice.checkin_code}).content.decode()
    assert "Rendez-vous B2B du jour" in page
    assert "14:30 — table 1, avec Bob Bernard (Dakar)" in page
    assert "14:55 — table 1, avec Chloé Colin (Hué)" in page
    assert "Dan Dupont" not in page  # Thursday's
    time_machine.move_to(at(THURSDAY, 9, 5), tick=False)
    page = client.post("/admin/outils/accueil/scan/", {"q": alice.checkin_code}).content.decode()
    assert "table 1, avec Dan Dupont (Rabat)" in page and "Bob Bernard" not in page
    nobody = make_registration(day_of_meetings.programme.edition)
    page = client.get(f"/admin/outils/accueil/?personne={nobody.pk}").content.decode()
    assert "Rendez-vous B2B du jour" not in page


# --- the day-before reminder ------------------------------------------------------------


def test_the_day_before_reminder_lists_the_meetings_and_links_the_printed_agenda(
    day_of_meetings, client, smtp_port, time_machine
):
    from outreach import services as outreach
    from tests.smtp import start_smtp
    from tests.worker import run_worker

    inbox, controller = start_smtp(smtp_port)
    try:
        run_worker()  # the B2B emails so far
        time_machine.move_to(at(date(2026, 7, 7), 10, 0), tick=False)
        outreach.reminders_send_due()
        run_worker()
    finally:
        controller.stop()
    parsed = [message_from_string(raw, policy=policy.default) for raw in inbox.messages]
    received = {m["To"]: m for m in parsed if m["Subject"].startswith(("Les Rencontres", "The"))}
    alice = received[day_of_meetings.alice.email]
    body = alice.get_body(("plain",)).get_content()
    assert "Vos rendez-vous B2B, à l'Espace des Partenaires :" in body
    assert "- Mercredi 8 juillet, 14h30-14h50 — table 1, avec Bob Bernard (Dakar)" in body
    assert "- Jeudi 9 juillet, 9h30-9h50 — table 1, avec Dan Dupont (Rabat)" in body
    assert "Votre agenda à imprimer (PDF) :" in body
    link = body.split("Votre agenda à imprimer (PDF) :")[1].split()[0]
    path = link.removeprefix("http://127.0.0.1:8000")
    assert path.startswith("/fr/inscription/espace/") and path.endswith("/agenda-imprimable.pdf")
    assert client.get(path).status_code == 200
    html = alice.get_body(("html",)).get_content()
    assert "Bob Bernard" in html and path in html

    chloe = received[day_of_meetings.chloe.email].get_body(("plain",)).get_content()
    assert "Your B2B meetings, at the Partners' Area:" in chloe
    assert "- Wednesday 8 July, 14:55-15:15 — table 1, with Alice Arnaud (Lyon)" in chloe
    assert "/en/registration/space/" in chloe

    # Someone with no meeting gets the link alone; the outbox keeps no secret.
    stored = OutgoingEmail.objects.get(kind="reminder", to=day_of_meetings.alice.email)
    assert path not in stored.body and "agenda-imprimable.pdf" in stored.body


def test_a_person_without_meetings_gets_the_printed_agenda_link_alone(day_of_meetings):
    from meetings.day_before import reminder_section

    nobody = make_registration(day_of_meetings.programme.edition)
    section = reminder_section(nobody)
    assert section.lines == [] and section.url_name == "meetings:printed_agenda"


def test_a_persons_meetings_take_one_query(day_of_meetings, django_assert_num_queries):
    from meetings.queries import meetings_of

    for person, count in ((day_of_meetings.alice, 3), (day_of_meetings.eve, 1)):
        with django_assert_num_queries(1):
            found = meetings_of(person)
        assert len(found) == count
    with django_assert_num_queries(1):
        (only,) = meetings_of(day_of_meetings.alice, THURSDAY)
    assert (only.counterpart, only.organisation, only.table) == ("Dan Dupont", "Rabat", 1)


def test_the_printed_agenda_reads_as_many_rows_for_one_meeting_as_for_three(
    day_of_meetings, client
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for person in (day_of_meetings.alice, day_of_meetings.eve):
        token = AccessKey.issue(person)
        path = reverse("meetings:printed_agenda", args=[token])
        client.get(path)  # the programme's sessions, kept per version
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        counts[person.pk] = len(queries)
    # the link (with its meetings), the B2B programme, the B2B room
    assert list(counts.values()) == [3, 3]
