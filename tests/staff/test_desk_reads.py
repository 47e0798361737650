"""The desk's scan in few statements: the card read in one (staff.checkin._one) answers
what the ORM answers (each read's fallback, for a registration read otherwise), and an
arrival is one INSERT that a second desk scanning the same badge cannot double."""

from datetime import date, datetime

import pytest

from registration.models import Booking, Registration
from staff import checkin
from staff.models import CheckIn
from tests.factories import PARIS, make_registration
from tests.meetings.conftest import in_may, programme  # noqa: F401 (fixtures)
from tests.meetings.test_on_the_day import THURSDAY, WEDNESDAY, day_of_meetings  # noqa: F401
from tests.registration.test_concurrency import run_in_threads
from tests.staff.conftest import staff_user  # noqa: F401 (the fixture)

pytestmark = pytest.mark.sqlite  # the desk's hand-written SQL (staff/checkin.py)

FRIDAY = date(2026, 7, 10)  # not an event day


def morning(day):
    return datetime(day.year, day.month, day.day, 9, 5, tzinfo=PARIS)


def shown(card, counters):
    """What the card shows, as plain values."""
    arrival = card["arrival"]
    return {
        "person": card["person"].pk,
        "arrival": arrival
        and (arrival.pk, arrival.at, arrival.by_id, str(arrival.by), arrival.confirmed_exception),
        "bookings": [(b.session.pk, b.session.title, b.status) for b in card["bookings"]],
        "meetings": card["meetings"],
        "registered_days": card["registered_days"],
        "unusual": card["unusual"],
        "counters": counters,
    }


def read_by_the_desk(edition, registration, now):
    found = checkin.find_by_pk(edition, registration.pk, now=now)
    return shown(checkin.card(found, now=now), checkin.counters(edition, now, found))


def read_by_the_orm(edition, registration, now):
    plain = Registration.objects.select_related("edition").get(pk=registration.pk)
    return shown(checkin.card(plain, now=now), checkin.counters(edition, now))


@pytest.fixture
def busy_day(day_of_meetings, staff_user):  # noqa: F811 (the fixtures)
    """Alice: B2B meetings on both days, a booking each day and one on a waiting list,
    arrived on Wednesday (recorded by staff, an exception confirmed). Others: arrived or
    not, registered for one day only, on the edition's waiting list."""
    from events.models import Session

    people = day_of_meetings
    edition = people.programme.edition
    by_day = {}
    for session in Session.objects.filter(type__is_bookable=True).order_by("starts_at", "pk"):
        by_day.setdefault(session.starts_at.astimezone(PARIS).date(), {}).setdefault(
            session.slot_id, session
        )
    wednesday, thursday = list(by_day[WEDNESDAY].values()), list(by_day[THURSDAY].values())
    for session, status in ((wednesday[0], "confirmed"), (thursday[0], "confirmed")):
        Booking.objects.create(
            registration=people.alice, session=session, slot=session.slot, status=status
        )
    Booking.objects.create(
        registration=people.alice, session=thursday[-1], slot=thursday[-1].slot, status="waitlisted"
    )
    CheckIn.objects.create(
        registration=people.alice,
        day=WEDNESDAY,
        at=morning(WEDNESDAY),
        by=staff_user,
        confirmed_exception=CheckIn.Unusual.NOT_REGISTERED_THAT_DAY,
    )
    CheckIn.objects.create(registration=people.bob, day=THURSDAY, at=morning(THURSDAY))
    one_day = make_registration(edition, days=[WEDNESDAY], last_name="Mercredi")
    waiting = make_registration(edition, status="waitlisted")
    return edition, [people.alice, people.bob, people.chloe, people.dan, one_day, waiting]


@pytest.mark.parametrize("day", [WEDNESDAY, THURSDAY, FRIDAY])
def test_the_card_read_in_one_statement_is_what_the_orm_reads(
    busy_day, day, time_machine, django_assert_num_queries
):
    edition, people = busy_day
    time_machine.move_to(morning(day), tick=False)
    from registration.queries import sessions_of

    sessions_of(edition.pk)  # the programme's sessions, kept under its version
    for person in people:
        expected = read_by_the_orm(edition, person, morning(day))
        with django_assert_num_queries(1):
            assert read_by_the_desk(edition, person, morning(day)) == expected
    alice = read_by_the_desk(edition, people[0], morning(day))
    # What the comparison compares is there to compare.
    if day == WEDNESDAY:
        assert alice["arrival"][3:] == ("agent", "not_registered_day")
        assert [m.counterpart for m in alice["meetings"]] == ["Bob Bernard", "Chloé Colin"]
        assert alice["counters"]["arrived"] == 1
    if day == THURSDAY:
        assert [status for *_, status in alice["bookings"]] == ["confirmed", "waitlisted"]
        assert [m.counterpart for m in alice["meetings"]] == ["Dan Dupont"]
    assert alice["registered_days"] == [WEDNESDAY, THURSDAY]


def test_an_arrival_recorded_updates_what_the_card_read(busy_day, time_machine):
    edition, people = busy_day
    time_machine.move_to(morning(THURSDAY), tick=False)
    found = checkin.find_by_code(edition, people[0].checkin_code)
    before = checkin.counters(edition, registration=found)["arrived"]
    arrival = checkin.checkin_record(registration=found, by=None)
    assert arrival.created and CheckIn.objects.filter(registration=people[0]).count() == 2
    assert checkin.arrival_today(found) == arrival.checkin
    assert checkin.counters(edition, registration=found)["arrived"] == before + 1
    assert checkin.counters(edition)["arrived"] == before + 1  # the database agrees


def test_a_badge_scanned_at_another_desk_meanwhile_is_recorded_once(busy_day, time_machine):
    """Two desks read the same card, the other one records first: this one's INSERT does
    nothing and the arrival shown is the other desk's."""
    edition, people = busy_day
    time_machine.move_to(morning(THURSDAY), tick=False)
    here = checkin.find_by_code(edition, people[2].checkin_code)
    there = checkin.find_by_code(edition, people[2].checkin_code)
    first = checkin.checkin_record(registration=there, by=None)
    second = checkin.checkin_record(registration=here, by=None)
    assert first.created and not second.created
    assert second.checkin.pk == first.checkin.pk == CheckIn.objects.get(registration=people[2]).pk
    assert checkin.arrival_today(here).pk == first.checkin.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_desks_scanning_one_badge_at_once_record_one_arrival(edition_2026, time_machine):
    """Eight desks scan the same badge at the same moment (threads, each with its own
    connection, as gunicorn's workers): one arrival, recorded by one of them, no error."""
    time_machine.move_to(morning(THURSDAY), tick=False)
    person = make_registration(edition_2026)

    def scan():
        found = checkin.find_by_code(edition_2026, person.checkin_code)
        return checkin.checkin_record(registration=found, by=None)

    results, errors = run_in_threads([scan] * 8, workers=8)
    assert errors == []
    assert sum(result.created for result in results) == 1
    assert {result.checkin.pk for result in results} == {CheckIn.objects.get().pk}
