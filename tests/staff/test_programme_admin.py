"""The programme's admin moves sessions through registration/programme.py: an edit that
touches bookings asks before it saves, and says why it refuses."""

import pytest
from django.contrib.auth.models import User

from events.models import Edition, Room, Session
from registration.models import Booking, OutgoingEmail, ProgrammeNotice
from tests.admin_forms import form_values
from tests.registration.conftest import MAY, workshop
from tests.staff.conftest import sign_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_edition(edition_2026, time_machine):
    time_machine.move_to(MAY, tick=True)
    return edition_2026


@pytest.fixture
def staff(client, open_edition):
    client.force_login(User.objects.create_superuser("staff", "s@example.org", "pw-tests-only"))
    return client


def free_room():
    """A room free on Thursday at 15:30 (the Café des Rencontres ends then)."""
    return Session.objects.get(title_fr__startswith="Café des Rencontres 1").room


def session_form(session, **changes):
    data = {
        "title_fr": session.title_fr,
        "title_en": session.title_en or "",
        "description_fr": session.description_fr,
        "description_en": session.description_en or "",
        "type": session.type_id,
        "language": session.language,
        "slot": session.slot_id,
        "position": session.position,
        "room": session.room_id or "",
        "start": "",
        "end": "",
        "capacity": session.capacity or "",
        "is_published": "on" if session.is_published else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def post(staff, session, **changes):
    return staff.post(
        f"/admin/events/session/{session.pk}/change/", session_form(session, **changes)
    )


@pytest.fixture
def ben(open_edition):
    """Booked on workshop 1 (Wednesday) and workshop 5 (Thursday 15:30)."""
    return sign_up(open_edition, email="ben@example.org", sessions=[workshop(1), workshop(5)])


def test_a_move_that_makes_two_sessions_at_once_asks_first(staff, ben):
    one = workshop(1)
    response = post(staff, one, slot=workshop(5).slot_id, room=free_room().pk)
    assert response.status_code == 200, response.status_code
    text = response.text.replace("&#x27;", "'").replace("&laquo;", "«")
    assert "1 personne aurait deux sessions en même temps : Ben Test" in text
    assert Session.objects.get(pk=one.pk).slot_id == one.slot_id  # nothing saved
    response = post(
        staff, one, slot=workshop(5).slot_id, room=free_room().pk, resolution="waitlist_moved"
    )
    assert response.status_code == 302
    booking = Booking.objects.get(registration=ben, session=one)
    assert (booking.slot_id, booking.status) == (workshop(5).slot_id, "waitlisted")


def test_a_move_without_clash_saves_at_once_and_tells_the_booked(staff, ben):
    one = workshop(1)
    response = post(staff, one, start="15h", end="15:45")
    assert response.status_code == 302
    shown = [str(m) for m in staff.get(response["Location"]).context["messages"]]
    assert "1 personne inscrite recevra dans 5 minutes un courriel" in " ".join(shown)
    one.refresh_from_db()
    assert one.own_times
    notice = ProgrammeNotice.objects.get(registration=ben)
    assert notice.kind == "moved" and notice.old_starts_at != one.starts_at


def test_a_capacity_below_the_seats_given_is_refused_with_the_numbers(staff, open_edition, ben):
    sign_up(open_edition, email="ana@example.org", sessions=[workshop(1)])
    response = post(staff, workshop(1), capacity="1")
    assert response.status_code == 200
    assert "2 places sont déjà attribuées : la capacité ne peut pas descendre à 1." in (
        response.text.replace("&#x27;", "'")
    )
    assert workshop(1).capacity is None


def test_unpublishing_a_booked_session_asks_then_releases(staff, ben):
    one = workshop(1)
    response = post(staff, one, is_published=None)
    assert response.status_code == 200
    assert "1 personne a réservé cette session" in response.text
    assert Booking.objects.filter(session=one).exists()
    assert post(staff, one, is_published=None, confirm_release="on").status_code == 302
    assert not Booking.objects.filter(session=one).exists()
    assert ProgrammeNotice.objects.get(registration=ben, session=one).kind == "cancelled"


def test_deleting_a_booked_session_releases_its_bookings(staff, ben):
    one = workshop(1)
    response = staff.post(f"/admin/events/session/{one.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Session.objects.filter(pk=one.pk).exists()
    assert ProgrammeNotice.objects.get(registration=ben, kind="cancelled").title_fr == one.title_fr


def test_shifting_a_slot_moves_its_booked_sessions_and_says_who_is_told(staff, ben):
    five = workshop(5)
    slot = five.slot
    response = staff.post(
        f"/admin/events/slot/{slot.pk}/change/",
        {
            "edition": slot.edition_id,
            "title_fr": slot.title_fr,
            "title_en": slot.title_en or "",
            "day": "09/07/2026",
            "start": "15h45",
            "end": "17h",
            "sessions-TOTAL_FORMS": "0",
            "sessions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    shown = " ".join(str(m) for m in staff.get(response["Location"]).context["messages"])
    assert "1 personne inscrite recevra dans 5 minutes un courriel" in shown
    five.refresh_from_db()
    assert five.starts_at == five.slot.starts_at and five.sequence == 1
    assert ProgrammeNotice.objects.get(registration=ben).session == five


def test_room_changes_are_told_by_room_not_by_its_name_in_the_admin_s_language(
    staff, ben, time_machine
):
    """Staff read the admin in English; Ben reads French. Moved to another room and back:
    no message. Moved for good: the old room named in Ben's language."""
    from datetime import timedelta

    from django.core import mail
    from django.utils import translation

    from events.models import Room
    from tests.worker import run_worker

    def told():
        return [m for m in mail.outbox if m.to == [ben.email] and "programme" in m.subject]

    iena = workshop(1).room
    Room.objects.filter(pk=iena.pk).update(name_en="Iena Room")
    chaillot = Room.objects.create(
        venue=iena.venue, name_fr="Salle Chaillot", name_en="Chaillot room", capacity=80
    )
    staff.get("/en/admin/?next=/admin/")
    assert post(staff, workshop(1), room=chaillot.pk).status_code == 302
    assert post(staff, workshop(1), room=iena.pk).status_code == 302
    time_machine.shift(timedelta(minutes=6))
    translation.activate("fr")  # the worker runs in settings.LANGUAGE_CODE
    run_worker()
    assert told() == []

    staff.get("/en/admin/?next=/admin/")
    assert post(staff, workshop(1), room=chaillot.pk).status_code == 302
    time_machine.shift(timedelta(minutes=6))
    translation.activate("fr")
    run_worker()
    (message,) = told()
    before = next(line for line in message.body.splitlines() if "Avant :" in line)
    assert iena.name_fr in before and "Iena Room" not in message.body
    assert "Salle Chaillot" in message.body and "Chaillot room" not in message.body


def room_page(room):
    return f"/admin/events/room/{room.pk}/change/"


def test_a_room_too_small_for_the_seats_its_sessions_gave_is_refused(staff, open_edition, ben):
    """Workshop 1 has no capacity of its own: its room's is its own. Lowering the room
    below the seats given is refused on the room's page and on its venue's, naming the
    session and both numbers."""
    sign_up(open_edition, email="ana@example.org", sessions=[workshop(1)])
    room = workshop(1).room
    assert workshop(1).capacity is None and room.capacity > 2
    refusal = "a déjà 2 places attribuées et prend sa capacité de cette salle"
    data = form_values(staff, room_page(room))
    response = staff.post(room_page(room), {**data, "capacity": "1"})
    assert response.status_code == 200 and refusal in response.text.replace("&#x27;", "'")
    venue = f"/admin/events/venue/{room.venue_id}/change/"
    data = form_values(staff, venue)
    (field,) = [
        name for name, value in data.items() if name.endswith("-id") and value == str(room.pk)
    ]
    response = staff.post(venue, {**data, field.replace("-id", "-capacity"): "1"})
    assert response.status_code == 200 and refusal in response.text.replace("&#x27;", "'")
    room.refresh_from_db()
    assert room.capacity > 2


def test_a_room_made_larger_gives_its_sessions_seats_to_their_waiting_lists(
    staff, open_edition, ben
):
    room = workshop(1).room
    Session.objects.filter(room=room).exclude(pk=workshop(1).pk).update(capacity=500)
    room.capacity = 1
    room.save()
    ana = sign_up(open_edition, email="ana@example.org", sessions=[workshop(1)])
    assert Booking.objects.get(registration=ana, session=workshop(1)).status == "waitlisted"
    venue = f"/admin/events/venue/{room.venue_id}/change/"
    data = form_values(staff, venue)
    (field,) = [
        name for name, value in data.items() if name.endswith("-id") and value == str(room.pk)
    ]
    response = staff.post(venue, {**data, field.replace("-id", "-capacity"): "2"})
    assert response.status_code == 302
    assert Booking.objects.get(registration=ana, session=workshop(1)).status == "confirmed"
    shown = [str(m) for m in staff.get(response["Location"]).context["messages"]]
    assert "1 personne passe de la liste d'attente à une place confirmée." in shown
    response = staff.post(room_page(room), {**form_values(staff, room_page(room)), "capacity": "3"})
    assert response.status_code == 302 and Room.objects.get(pk=room.pk).capacity == 3


def edition_page(edition):
    return f"/admin/events/edition/{edition.pk}/change/"


def edition_form(staff, edition, **changes):
    data = {
        name: value
        for name, value in form_values(staff, edition_page(edition)).items()
        if name != "programme_pdf"
    }
    return {**data, **changes}


def test_the_edition_s_capacity_and_dates_hold_its_registrations(staff, open_edition, ben):
    """Below the places given, or without a day people registered for: refused, saying
    why; a raise gives the waiting list its places in order, with their emails."""
    sign_up(open_edition, email="ana@example.org", sessions=[workshop(1)])
    page = staff.post(edition_page(open_edition), edition_form(staff, open_edition, capacity="1"))
    assert page.status_code == 200
    assert "2 personnes ont déjà une place confirmée : la capacité ne peut pas descendre à 1." in (
        page.text.replace("&#x27;", "'")
    )
    page = staff.post(
        edition_page(open_edition), edition_form(staff, open_edition, end_date="2026-07-08")
    )
    assert page.status_code == 200
    assert "Des personnes sont inscrites le jeudi 9 juillet 2026" in page.text
    open_edition.refresh_from_db()
    assert (open_edition.capacity, str(open_edition.end_date)) == (600, "2026-07-09")

    Edition.objects.filter(pk=open_edition.pk).update(capacity=2)
    cleo = sign_up(open_edition, email="cleo@example.org", sessions=[workshop(1)])
    assert cleo.status == "waitlisted"
    page = staff.post(edition_page(open_edition), edition_form(staff, open_edition, capacity="3"))
    assert page.status_code == 302, page.context["adminform"].form.errors
    cleo.refresh_from_db()
    assert cleo.status == "confirmed"
    assert Booking.objects.get(registration=cleo, session=workshop(1)).status == "confirmed"
    shown = " ".join(str(m) for m in staff.get(page["Location"]).context["messages"])
    assert "1 personne passe de la liste d'attente des Rencontres à une place confirmée." in shown
    assert OutgoingEmail.objects.filter(registration=cleo, kind="registration_promoted").exists()


def test_a_type_with_bookings_stays_bookable(staff, open_edition, ben):
    atelier = workshop(1).type
    page = f"/admin/events/sessiontype/{atelier.pk}/change/"
    data = form_values(staff, page)
    data.pop("is_bookable", None)  # unticked
    response = staff.post(page, data)
    assert response.status_code == 200
    assert "2 réservations existent pour des sessions de ce type" in response.text
    atelier.refresh_from_db()
    assert atelier.is_bookable
    data["name_fr"] = "Atelier"  # any other change is saved
    response = staff.post(page, {**data, "is_bookable": "on"})
    assert response.status_code == 302


def test_a_slot_shifted_onto_other_sessions_asks_first_then_does_as_staff_chose(
    staff, open_edition
):
    """Thursday's 14:30 slot stretched to 16:00 meets workshop 5 (15:30): Zoé, booked on
    both, is named before anything is saved; staff put her on the workshop's waiting list,
    and its seat goes to the next in line."""
    from datetime import timedelta

    from tests.registration.conftest import cafe_alone_in_its_slot

    café = cafe_alone_in_its_slot()
    zoe = sign_up(open_edition, email="zoe@example.org", sessions=[café, workshop(5)])
    slot = café.slot
    Session.objects.filter(pk=workshop(5).pk).update(capacity=1)
    yann = sign_up(open_edition, email="yann@example.org", sessions=[workshop(5)])
    assert Booking.objects.get(registration=yann).status == "waitlisted"
    page = f"/admin/events/slot/{slot.pk}/change/"
    data = {**form_values(staff, page), "end": "16h"}
    response = staff.post(page, data)
    assert response.status_code == 200
    assert "1 personne aurait deux sessions en même temps : Zoe Test" in (
        response.text.replace("&#x27;", "'").replace("&laquo;", "«")
    )
    slot.refresh_from_db()
    assert slot.ends_at - slot.starts_at == timedelta(hours=1)  # nothing saved
    response = staff.post(page, {**data, "resolution": "waitlist_other"})
    assert response.status_code == 302
    mine = {b.session_id: b.status for b in Booking.objects.filter(registration=zoe)}
    assert mine == {café.pk: "confirmed", workshop(5).pk: "waitlisted"}
    assert Booking.objects.get(registration=yann).status == "confirmed"
