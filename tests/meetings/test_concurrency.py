"""Meetings under concurrency, on PostgreSQL (SQLite runs writers one at a time)."""

import pytest
from django.db import connection

from meetings import services
from meetings.models import Meeting, MeetingRequest
from tests.registration.test_concurrency import run_in_threads

from .conftest import taking_part

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def pairs_with_requests(programme, count):
    requests = []
    for _ in range(count):
        sender, recipient = taking_part(programme), taking_part(programme)
        requests.append(services.request_create(sender=sender, recipient=recipient, message="x"))
    return requests


def accept(request, time):
    def task():
        try:
            return services.request_accept(
                request=request, registration=request.recipient, time=time
            )
        except services.TimeTaken:
            return "pick another time"

    return task


def test_50_acceptances_for_the_last_3_tables(programme):
    assert connection.vendor == "postgresql"
    time = programme.times.first()
    requests = pairs_with_requests(programme, 50)
    results, errors = run_in_threads([accept(r, time) for r in requests])
    assert errors == []
    assert Meeting.objects.filter(time=time).count() == 3
    assert results.count("pick another time") == 47
    assert sorted(Meeting.objects.values_list("table__number", flat=True)) == [1, 2, 3]


def test_control_without_locks_fails(programme, monkeypatch):
    """Without the time's lock, acceptances race for the same table: the database's
    constraint stops the double booking, but as an error instead of « pick another time »:
    the test above really exercises concurrency."""
    monkeypatch.setattr(services, "LOCKING", False)
    time = programme.times.first()
    requests = pairs_with_requests(programme, 50)
    _results, errors = run_in_threads([accept(r, time) for r in requests])
    assert errors, "no race seen without locks"
    assert Meeting.objects.filter(time=time).count() <= 3


def test_crossed_requests_give_one_meeting(programme):
    """Twenty pairs ask each other at the same moment: one request per pair; then both
    sides of each pair (the recipient twice, a double click) accept at once: one meeting."""
    people = [(taking_part(programme), taking_part(programme)) for _ in range(20)]

    def ask(sender, recipient):
        def task():
            try:
                return services.request_create(sender=sender, recipient=recipient, message="x")
            except services.Refused as refused:
                return refused.message

        return task

    tasks = [ask(a, b) for a, b in people] + [ask(b, a) for a, b in people]
    results, errors = run_in_threads(tasks)
    assert errors == []
    assert MeetingRequest.objects.count() == 20
    assert results.count(services.ALREADY) == 20

    times = list(programme.times.all())
    tasks = []
    for number, request in enumerate(MeetingRequest.objects.select_related("recipient")):
        tasks += [accept(request, times[number % len(times)])] * 2

    def accept_or_refused(task):
        def run():
            try:
                return task()
            except services.Refused as refused:
                return refused.message

        return run

    results, errors = run_in_threads([accept_or_refused(t) for t in tasks])
    assert errors == []
    assert Meeting.objects.count() == 20
    assert results.count(services.NOT_PENDING) == 20


def test_100_parallel_request_accept_pairs_without_error(programme):
    programme.tables.all().delete()
    for number in range(1, 51):
        programme.tables.create(number=number)
    pairs = [(taking_part(programme), taking_part(programme)) for _ in range(100)]
    times = list(programme.times.all())

    def pair(number, sender, recipient):
        def task():
            request = services.request_create(sender=sender, recipient=recipient, message="x")
            return services.request_accept(
                request=request, registration=recipient, time=times[number % len(times)]
            )

        return task

    _results, errors = run_in_threads([pair(n, a, b) for n, (a, b) in enumerate(pairs)])
    assert errors == []
    assert Meeting.objects.count() == 100


def to_place_for_one(programme):
    """Twenty people ask someone whose every meeting time of the one day they share is
    taken by other meetings: every acceptance is « à placer » (the scheduling engine could
    move those), and that person's cap leaves room for one more."""
    from datetime import date

    wednesday = date(2026, 7, 8)
    wanted = taking_part(programme, days=[wednesday])
    times = [t for t in programme.times.order_by("starts_at") if t.starts_at.date() == wednesday]
    for time in times:
        request = services.request_create(
            sender=taking_part(programme), recipient=wanted, message="x"
        )
        services.request_accept(request=request, registration=wanted, time=time)
    programme.max_meetings = len(times) + 1
    programme.save()
    requests = [
        services.request_create(
            sender=taking_part(programme, days=[wednesday]), recipient=wanted, message="x"
        )
        for _ in range(20)
    ]

    def accept_to_place(request):
        def task():
            try:
                return services.request_accept_to_place(request=request, registration=wanted)
            except services.Refused as refused:
                return refused.message

        return task

    return [accept_to_place(r) for r in requests]


def test_acceptances_to_place_respect_the_cap(programme):
    results, errors = run_in_threads(to_place_for_one(programme))
    assert errors == []
    accepted = MeetingRequest.objects.filter(status=MeetingRequest.Status.ACCEPTED)
    assert accepted.filter(meeting__isnull=True).count() == 1
    cap = programme.max_meetings
    assert results.count(services.TOO_MANY_MEETINGS % {"count": cap}) == 19


def test_control_acceptances_to_place_without_locks_overrun_the_cap(programme, monkeypatch):
    monkeypatch.setattr(services, "LOCKING", False)
    """Without the people's locks, acceptances count the cap at the same moment and more
    than one passes: the test above really exercises concurrency."""
    run_in_threads(to_place_for_one(programme))
    accepted = MeetingRequest.objects.filter(
        status=MeetingRequest.Status.ACCEPTED, meeting__isnull=True
    ).count()
    assert accepted > 1, "no race seen without locks"
