"""Programme changes that keep every booking right (issue 15): moving a session, a slot,
its capacity, unpublishing or deleting it — bookings updated in the same transaction,
waiting lists promoted in order, one message per person a few minutes after the edits."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from events.models import Session
from registration import programme
from registration.models import Booking, OutgoingEmail, ProgrammeNotice
from tests.factories import PARIS
from tests.registration.conftest import MAY, cafe_alone_in_its_slot, workshop
from tests.staff.conftest import sign_up
from tests.worker import run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(open_edition):
    """Ana booked workshop 1 (Wed 14:30); Ben booked workshops 1 and 5 (Thu 15:30)."""
    ana = sign_up(open_edition, email="ana@example.org", sessions=[workshop(1)])
    ben = sign_up(open_edition, email="ben@example.org", sessions=[workshop(1), workshop(5)])
    OutgoingEmail.objects.all().delete()
    return ana, ben


def moved_to_thursday(session):
    """Workshop `session`, edited (unsaved) into workshop 5's slot, in another room."""
    session.slot = workshop(5).slot
    session.room = free_room()
    return session


def free_room():
    """A room free on Thursday at 15:30 (the Café des Rencontres ends then)."""
    return Session.objects.get(title_fr__startswith="Café des Rencontres 1").room


def at(moment):
    return f"{moment.astimezone(PARIS):%a %H:%M}"


def test_the_plan_names_who_would_have_two_sessions_at_once(people):
    _ana, ben = people
    plan = programme.session_update_plan(session=moved_to_thursday(workshop(1)))
    assert plan.moved
    assert [c.booking.registration for c in plan.clashes] == [ben]
    assert plan.clashes[0].other.session == workshop(5)
    assert Session.objects.get(pk=workshop(1).pk).slot != workshop(5).slot  # nothing saved


def test_keeping_both_moves_the_bookings_with_their_session(people):
    ana, ben = people
    session = programme.session_update(
        session=moved_to_thursday(workshop(1)), resolution=programme.Resolution.KEEP
    )
    assert session.promoted_bookings == []
    one = workshop(1)
    assert at(one.starts_at) == "Thu 15:30" and one.sequence == 1
    bookings = Booking.objects.filter(session=one)
    assert {b.slot_id for b in bookings} == {one.slot_id}  # no booking keeps the old slot
    assert {b.registration.email: b.status for b in bookings} == {
        "ana@example.org": "confirmed",
        "ben@example.org": "confirmed",
    }
    assert Booking.objects.get(registration=ben, session=one).overlap_accepted
    assert not Booking.objects.get(registration=ana, session=one).overlap_accepted
    kinds = sorted(ProgrammeNotice.objects.values_list("registration__email", "kind"))
    assert kinds == [
        ("ana@example.org", "moved"),
        ("ben@example.org", "moved"),
        ("ben@example.org", "overlap"),
    ]


def test_the_person_s_next_unrelated_change_keeps_both_seats(people):
    from registration import services

    _ana, ben = people
    programme.session_update(session=moved_to_thursday(workshop(1)))
    # The change form offers one choice per slot: Ben leaves it as it shows (workshop 5).
    services.registration_update(
        registration=ben,
        data={"organisation": "Autre ville"},
        days=[MAY.date().replace(month=7, day=8), MAY.date().replace(month=7, day=9)],
        session_ids=[workshop(5).pk],
    )
    assert set(ben.bookings.values_list("session", flat=True)) == {workshop(1).pk, workshop(5).pk}


def test_choosing_the_other_held_session_drops_the_shown_one(admin_client, people, open_edition):
    """Staff on the phone (or Ben himself) keep only one of the two overlapping sessions:
    the form shows one choice for the slot; picking the other held session gives up the
    shown one, whose seat goes to its waiting list."""
    from tests.admin_forms import form_values
    from tests.staff.test_admin_change_and_cancel import BOOKINGS

    _ana, ben = people
    five = workshop(5)
    five.capacity = 1
    five.save()
    cat = sign_up(open_edition, email="cat@example.org", sessions=[five])
    assert cat.bookings.get().status == "waitlisted"
    programme.session_update(
        session=moved_to_thursday(workshop(1)), resolution=programme.Resolution.KEEP
    )
    data = form_values(admin_client, BOOKINGS.format(ben.pk))
    slot = f"slot_{five.slot_id}"
    assert data[slot] == [str(five.pk)]  # the latest booked of the two
    data[slot] = [str(workshop(1).pk)]
    assert admin_client.post(BOOKINGS.format(ben.pk), data).status_code == 302
    kept = Booking.objects.get(registration=ben)
    assert (kept.session, kept.status, kept.overlap_accepted) == (workshop(1), "confirmed", False)
    assert cat.bookings.get().status == "confirmed"
    # Leaving the choice as shown still keeps both (the test above), and a form shown now
    # offers what Ben holds.
    assert form_values(admin_client, BOOKINGS.format(ben.pk))[slot] == [str(workshop(1).pk)]


def test_waitlisting_the_moved_session_gives_its_seat_to_the_next_in_line(people, open_edition):
    _ana, ben = people
    full = workshop(1)
    full.capacity = 2
    full.save()
    cat = sign_up(open_edition, email="cat@example.org", sessions=[full])
    assert cat.bookings.get().status == "waitlisted"
    programme.session_update(
        session=moved_to_thursday(workshop(1)), resolution=programme.Resolution.WAITLIST_MOVED
    )
    states = dict(Booking.objects.filter(session=full).values_list("registration__email", "status"))
    assert states == {
        "ana@example.org": "confirmed",
        "ben@example.org": "waitlisted",
        "cat@example.org": "confirmed",
    }
    assert ben.bookings.get(session=workshop(5)).status == "confirmed"
    assert OutgoingEmail.objects.filter(kind="booking_promoted").get().to == "cat@example.org"


def test_waitlisting_their_other_session(people, open_edition):
    _ana, ben = people
    programme.session_update(
        session=moved_to_thursday(workshop(1)), resolution=programme.Resolution.WAITLIST_OTHER
    )
    assert ben.bookings.get(session=workshop(1)).status == "confirmed"
    other = ben.bookings.get(session=workshop(5))
    assert (other.status, other.overlap_accepted) == ("waitlisted", True)
    notice = ProgrammeNotice.objects.get(registration=ben, kind="waitlisted")
    assert notice.session == workshop(5)


def test_a_waitlisted_person_with_a_seat_at_that_time_is_not_promoted(people, open_edition):
    """Ben gave up workshop 1's seat when it met workshop 5: a freed seat there goes to
    the next person, not back to him."""
    _ana, ben = people
    programme.session_update(
        session=moved_to_thursday(workshop(1)), resolution=programme.Resolution.WAITLIST_MOVED
    )
    one = workshop(1)
    one.capacity = 5
    programme.session_update(session=one)
    assert ben.bookings.get(session=one).status == "waitlisted"


def test_the_database_still_refuses_two_unflagged_bookings_in_one_slot(people):
    ana, _ben = people
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            registration=ana, session=workshop(2), slot=workshop(2).slot, status="confirmed"
        )


def test_raising_a_capacity_promotes_the_waiting_list_in_order(open_edition):
    one = workshop(1)
    one.capacity = 1
    one.save()
    _first, second, third = (
        sign_up(open_edition, email=f"p{i}@example.org", sessions=[one]) for i in range(3)
    )
    one.capacity = 2
    changes = programme.session_update(session=one)
    assert [b.registration for b in changes.promoted_bookings] == [second]
    assert third.bookings.get().status == "waitlisted"
    promoted = OutgoingEmail.objects.filter(kind="booking_promoted")
    assert list(promoted.values_list("to", flat=True)) == ["p1@example.org"]


def test_a_capacity_below_the_seats_given_is_refused_with_the_numbers(people):
    one = workshop(1)
    one.capacity = 1
    with pytest.raises(programme.CapacityTooLow) as refused:
        programme.session_update(session=one)
    assert (refused.value.confirmed, refused.value.capacity) == (2, 1)
    assert Session.objects.get(pk=one.pk).capacity is None


def test_unpublishing_releases_the_bookings_and_promotes_nobody(people, open_edition):
    _ana, _ben = people
    one = workshop(1)
    one.capacity = 2
    one.save()
    sign_up(open_edition, email="cat@example.org", sessions=[one])
    one.is_published = False
    changes = programme.session_update(session=one)
    assert changes.promoted_bookings == []
    assert not Booking.objects.filter(session=one).exists()
    assert sorted(
        ProgrammeNotice.objects.filter(kind="cancelled").values_list(
            "registration__email", flat=True
        )
    ) == ["ana@example.org", "ben@example.org", "cat@example.org"]
    assert not OutgoingEmail.objects.filter(kind="booking_promoted").exists()


def test_deleting_a_booked_session_releases_its_bookings(people):
    one = workshop(1)
    programme.session_delete(session=one)
    assert not Session.objects.filter(pk=one.pk).exists()
    notice = ProgrammeNotice.objects.filter(kind="cancelled").first()
    assert notice.session is None and notice.title_fr == one.title_fr


def test_shifting_a_slot_tells_the_people_of_its_sessions(people):
    slot = workshop(1).slot
    slot.starts_at += timedelta(minutes=15)
    programme.slot_save(slot=slot)
    assert at(workshop(1).starts_at) == "Wed 14:45"
    assert ProgrammeNotice.objects.filter(kind="moved").count() == 2


def test_several_edits_make_one_email_listing_old_and_new(people, time_machine):
    _ana, _ben = people
    one = moved_to_thursday(workshop(1))
    programme.session_update(session=one)
    time_machine.shift(timedelta(minutes=2))
    one = workshop(1)
    one.room = workshop(4).room
    programme.session_update(session=one)
    time_machine.shift(timedelta(minutes=2))
    run_worker()  # the first task finds a later change: nothing yet
    assert not OutgoingEmail.objects.filter(kind="programme_changed").exists()
    time_machine.shift(timedelta(minutes=4))
    run_worker()
    sent = [m for m in mail.outbox if m.to == ["ana@example.org"]]
    assert len(sent) == 1
    body = sent[0].body
    assert "Atelier thématique 1" in body
    assert "mercredi 8 juillet, 14:30–16:00" in body  # before
    assert "jeudi 9 juillet, 15:30–17:00, " + workshop(4).room.name in body  # now
    assert "8–9 juillet 2026" in body and "avenue d'Iéna" in body
    calendar = sent[0].attachments[0]
    assert calendar.mimetype.startswith("text/calendar")
    ics = calendar.content.decode() if isinstance(calendar.content, bytes) else calendar.content
    assert "DTSTART;TZID=Europe/Paris:20260709T153000" in ics
    assert "SEQUENCE:2" in ics
    assert ProgrammeNotice.objects.filter(told_at=None).count() == 0
    run_worker()
    assert len([m for m in mail.outbox if m.to == ["ana@example.org"]]) == 1  # once


def test_a_session_moved_and_moved_back_makes_no_email(people, time_machine):
    one = workshop(1)
    room = one.room
    one.room = workshop(3).room
    programme.session_update(session=one)
    one = workshop(1)
    one.room = room
    programme.session_update(session=one)
    time_machine.shift(timedelta(minutes=6))
    run_worker()
    assert not OutgoingEmail.objects.filter(kind="programme_changed").exists()


def test_the_email_is_in_the_person_s_language(open_edition, time_machine):
    person = sign_up(open_edition, email="eve@example.org", sessions=[workshop(1)])
    person.language = "en"
    person.save()
    programme.session_update(session=moved_to_thursday(workshop(1)))
    time_machine.shift(timedelta(minutes=6))
    run_worker()
    sent = [m for m in mail.outbox if "Programme" in m.subject]
    assert len(sent) == 1
    assert "Thursday 9 July, 15:30–17:00" in sent[0].body
    assert "8–9 July 2026" in sent[0].body


def test_every_email_reads_on_its_own_dates_venue_and_each_session_s_day_time_room(
    open_edition,
):
    """The confirmation used to say « Atelier thématique 1 — confirmée » and nothing more."""
    one = workshop(1)
    one.capacity = 1
    one.save()
    sign_up(open_edition, email="ana@example.org", sessions=[one])
    ben = sign_up(open_edition, email="ben@example.org", sessions=[one])
    one.capacity = 2
    programme.session_update(session=one)  # Ben gets the seat
    run_worker()
    room = one.room.name
    confirmation = next(m for m in mail.outbox if m.to == ["ana@example.org"])
    line = f"Atelier thématique 1 (intitulé à venir) — mercredi 8 juillet, 14:30–16:00, {room}"
    assert f"{line} — confirmée" in confirmation.body
    promoted = [m for m in mail.outbox if m.to == [ben.email]][-1]
    assert "Une place s'est libérée" in promoted.subject
    assert f"mercredi 8 juillet, 14:30–16:00, {room}" in promoted.body
    for message in mail.outbox:
        assert "8–9 juillet 2026" in message.body
        assert "Salons de l'Hôtel des Arts & Métiers, 9bis, avenue d'Iéna, 75116 Paris" in (
            message.body
        )
        html = message.alternatives[0].content
        assert "8–9 juillet 2026" in html


@pytest.mark.parametrize("how", ["unpublish", "delete"])
def test_a_cancelled_session_is_cancelled_in_the_attached_agenda(people, time_machine, how):
    """Unpublished or deleted: the attachment writes the session (its UID, a higher
    SEQUENCE, its old times) as cancelled, so calendars that imported it drop it."""
    one = workshop(1)
    guid, starts_at = one.guid, one.starts_at
    if how == "unpublish":
        one.is_published = False
        programme.session_update(session=one)
    else:
        programme.session_delete(session=one)
    time_machine.shift(timedelta(minutes=6))
    run_worker()
    (message,) = [m for m in mail.outbox if m.to == ["ana@example.org"]]
    assert "Annulée. Elle était prévue : mercredi 8 juillet, 14:30–16:00" in message.body
    ics = message.attachments[0].content
    ics = ics.decode() if isinstance(ics, bytes) else ics
    (event,) = [e for e in ics.split("BEGIN:VEVENT")[1:] if f"UID:{guid}@rencontres-aict" in e]
    assert "STATUS:CANCELLED" in event and "SEQUENCE:1" in event
    assert f"DTSTART;TZID=Europe/Paris:{starts_at.astimezone(PARIS):%Y%m%dT%H%M%S}" in event
    assert "SUMMARY:Atelier thématique 1" in event


def test_a_slot_moved_onto_the_next_one_tells_who_now_has_two_sessions_at_once(open_edition):
    café = cafe_alone_in_its_slot()
    zoe = sign_up(open_edition, email="zoe@example.org", sessions=[café, workshop(5)])
    slot = café.slot
    slot.ends_at += timedelta(minutes=30)  # 14:30–16:00, over workshop 5 (15:30)
    programme.slot_save(slot=slot)
    kinds = sorted(ProgrammeNotice.objects.filter(registration=zoe).values_list("kind", flat=True))
    assert kinds == ["moved", "overlap"]
    assert zoe.bookings.filter(status="confirmed").count() == 2
