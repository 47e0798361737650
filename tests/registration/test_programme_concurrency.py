"""Moving a session while people sign up for it, on PostgreSQL: no double booking, no
oversell, no booking left in its session's old slot."""

import pytest
from django.db import connection
from django.db.models import Count, F

from events.models import Session
from registration import programme
from registration.models import Booking
from registration.services import InvalidBooking
from tests.registration.conftest import workshop
from tests.registration.test_concurrency import THURSDAY, WEDNESDAY, run_in_threads, sign_up

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "resolution", [programme.Resolution.WAITLIST_MOVED, programme.Resolution.WAITLIST_OTHER]
)
def test_moving_a_session_during_a_sign_up_burst(open_edition, resolution):
    assert connection.vendor == "postgresql"
    for number in (1, 5):
        session = workshop(number)
        session.capacity = 15
        session.save()
    one, five = workshop(1).pk, workshop(5).pk
    thursday = workshop(5).slot_id

    def move():
        session = Session.objects.select_related("room").get(pk=one)
        session.slot_id = thursday
        session.room = Session.objects.get(title_fr__startswith="Café des Rencontres 1").room
        return programme.session_update(session=session, resolution=resolution)

    days = (WEDNESDAY, THURSDAY)
    tasks = [sign_up(open_edition, n, [one, five], days) for n in range(60)]
    tasks.insert(20, move)
    _results, errors = run_in_threads(tasks)
    # Sign-ups that came after the move asked for two sessions of one slot: refused.
    assert set(errors) <= {repr(InvalidBooking(five))}, errors
    assert Session.objects.get(pk=one).slot_id == thursday

    bookings = Booking.objects.all()
    assert not bookings.exclude(slot=F("session__slot")).exists()  # none in the old slot
    for pk in (one, five):
        assert bookings.filter(session=pk, status="confirmed").count() <= 15  # no oversell
    doubled = (
        bookings.filter(status="confirmed")
        .values("registration", "slot")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert list(doubled) == []  # nobody holds two seats at once
    # Seats freed by the move went to the next in line who had no seat at that time.
    for pk in (one, five):
        confirmed = bookings.filter(session=pk, status="confirmed").count()
        waiting_free = (
            bookings.filter(session=pk, status="waitlisted")
            .exclude(
                registration__in=bookings.filter(slot=thursday, status="confirmed").values(
                    "registration"
                )
            )
            .count()
        )
        assert confirmed == 15 or waiting_free == 0
