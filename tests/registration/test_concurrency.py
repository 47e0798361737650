"""Capacity under concurrency, on PostgreSQL (SQLite runs writers one at a time).

Each worker thread has its own database connection, as gunicorn workers would.
"""

import contextlib
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from registration import services
from registration.models import Booking, Registration
from tests.registration.conftest import form_data, workshop

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WEDNESDAY = date(2026, 7, 8)
THURSDAY = date(2026, 7, 9)


def person(number):
    return {
        "civility": "",
        "first_name": "Test",
        "last_name": f"Personne {number}",
        "email": f"p{number}@example.org",
        "organisation": "Ville test",
        "organisation_type": "collectivite",
        "country": "FR",
    }


def run_in_threads(tasks, workers=40):
    """Start every task at once (a barrier), each worker with its own connection."""
    barrier = threading.Barrier(min(workers, len(tasks)))
    errors = []

    def run(task):
        try:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
            return task()
        except Exception as error:  # counted, and shown by the assertions
            errors.append(repr(error))
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run, tasks))
    return results, errors


def sign_up(edition, number, session_ids, days=(WEDNESDAY,)):
    def task():
        return services.registration_create(
            edition=edition,
            data=person(number),
            days=list(days),
            session_ids=session_ids,
            form_token=uuid.uuid4(),
        )

    return task


@pytest.fixture
def small_workshop(open_edition):
    session = workshop(1)
    session.capacity = 20
    session.save()
    return session


def test_200_sign_ups_on_20_seats(open_edition, small_workshop):
    assert connection.vendor == "postgresql"
    tasks = [sign_up(open_edition, n, [small_workshop.pk]) for n in range(200)]
    _results, errors = run_in_threads(tasks)
    assert errors == []
    assert Registration.objects.count() == 200  # none lost
    bookings = Booking.objects.filter(session=small_workshop)
    assert bookings.filter(status=Booking.Status.CONFIRMED).count() == 20
    assert bookings.filter(status=Booking.Status.WAITLISTED).count() == 180


def test_control_without_locks_oversells(open_edition, small_workshop, monkeypatch):
    """The same run with the locks switched off must break the rule: the test above really
    exercises concurrency."""
    monkeypatch.setattr(services, "LOCKING", False)
    tasks = [sign_up(open_edition, n, [small_workshop.pk]) for n in range(200)]
    _results, errors = run_in_threads(tasks)
    assert errors == []
    confirmed = Booking.objects.filter(session=small_workshop, status="confirmed").count()
    assert confirmed > 20


def test_edition_capacity_holds(open_edition):
    open_edition.capacity = 15
    open_edition.save()
    _results, errors = run_in_threads([sign_up(open_edition, n, []) for n in range(60)])
    assert errors == []
    assert Registration.objects.filter(status="confirmed").count() == 15
    assert Registration.objects.filter(status="waitlisted").count() == 45


def test_bookings_in_different_orders_never_deadlock(open_edition):
    """Half the people book Wednesday + Thursday workshops, the other half change theirs in
    the other direction, all at once: locks taken in one order, so no deadlock."""
    for session in (workshop(1), workshop(3), workshop(5)):
        session.capacity = 5
        session.save()
    a, b, c = workshop(1).pk, workshop(3).pk, workshop(5).pk
    both_days = (WEDNESDAY, THURSDAY)
    registrations = [
        services.registration_create(
            edition=open_edition,
            data=person(n),
            days=list(both_days),
            session_ids=[a, b] if n % 2 else [a, c],
            form_token=uuid.uuid4(),
        )
        for n in range(40)
    ]

    def change(registration, ids):
        def task():
            return services.registration_update(
                registration=registration, data={}, days=list(both_days), session_ids=ids
            )

        return task

    def cancel(registration):
        return lambda: services.registration_cancel(registration=registration)

    tasks = []
    for n, registration in enumerate(registrations):
        if n % 4 == 0:
            tasks.append(cancel(registration))
        else:
            tasks.append(change(registration, [c, a] if n % 2 else [b, a]))
    tasks += [sign_up(open_edition, 100 + n, [b, a], both_days) for n in range(20)]
    _results, errors = run_in_threads(tasks)
    assert errors == []  # a deadlock would show here as OperationalError
    for session_id in (a, b, c):
        confirmed = Booking.objects.filter(session_id=session_id, status="confirmed").count()
        waiting = Booking.objects.filter(session_id=session_id, status="waitlisted").count()
        assert confirmed == 5 or (confirmed < 5 and waiting == 0)


def test_20_identical_submissions_make_one_registration(open_edition):
    data = form_data()

    def post():
        client = Client()
        return client.post("/fr/inscription/", data).status_code

    results, errors = run_in_threads([post for _ in range(20)], workers=20)
    assert errors == []
    assert results == [302] * 20
    assert Registration.objects.count() == 1


def test_a_room_made_smaller_while_a_sign_up_waits_is_not_overbooked(open_edition):
    """Staff lower workshop 1's room (whose capacity is the workshop's) to the seats given
    while sign-ups wait for its lock: the first waiter had read the room's former capacity
    with the lock, and took a seat past the new one. Its seat is now decided on the
    capacity read after the locks."""
    import time

    from django.db import transaction

    from registration import programme

    session = workshop(1)
    room = session.room
    room.capacity = 10
    room.save()
    for number in range(5):
        sign_up(open_edition, number, [session.pk])()
    locked = threading.Event()

    def shrink():
        with transaction.atomic():  # the room's change and its locks held a while
            room.capacity = 5
            programme.room_save(room=room)
            locked.set()
            time.sleep(1.0)

    def late(number):
        def task():
            locked.wait(5)
            return sign_up(open_edition, number, [session.pk])()

        return task

    _results, errors = run_in_threads([shrink, *(late(n) for n in range(100, 104))], workers=5)
    assert errors == []
    assert Booking.objects.filter(session=session, status="confirmed").count() == 5
    assert Booking.objects.filter(session=session, status="waitlisted").count() == 4
