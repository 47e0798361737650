"""The engine on a programme's data: a preview made by the task, applied in one
transaction, refused when something changed meanwhile; the people moved are told once each
and their .ics shows the new time."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.urls import reverse
from icalendar import Calendar

from meetings import planning, services
from meetings.availability import common_free_times
from meetings.models import Meeting, MeetingRequest, MeetingSeat, ScheduleRun
from meetings.services import Refused
from registration.emails import render
from registration.models import AccessKey, OutgoingEmail

from .conftest import MAY, taking_part

pytestmark = pytest.mark.django_db
THURSDAY = date(2026, 7, 8)


def meet(programme, a, b, time):
    request = services.request_create(sender=a, recipient=b, message="Parlons eau.")
    return services.request_accept(request=request, registration=b, time=time)


def accepted_without_meeting(programme, a, b):
    """An accepted request not placed yet: what the engine is for."""
    low, high = sorted((a.pk, b.pk))
    return MeetingRequest.objects.create(
        programme=programme,
        sender=a,
        recipient=b,
        low=low,
        high=high,
        message="Rencontrons-nous.",
        status=MeetingRequest.Status.ACCEPTED,
        expires_at=MAY.replace(month=6),
    )


@pytest.fixture
def crowded(programme):
    """Alice meets three people at the three Thursday times; Carol, there on Thursday only,
    was accepted by Alice but cannot be placed unless one of Alice's meetings moves."""
    alice = taking_part(programme)
    others = [taking_part(programme) for _ in range(3)]
    thursday = [t for t in programme.times.all() if t.starts_at.date() == THURSDAY]
    assert len(thursday) == 3
    meetings = [meet(programme, alice, o, t) for o, t in zip(others, thursday, strict=True)]
    carol = taking_part(programme, days=[THURSDAY])
    request = accepted_without_meeting(programme, alice, carol)
    return SimpleNamespace(alice=alice, carol=carol, meetings=meetings, request=request)


def emails_of(registration):
    return list(
        OutgoingEmail.objects.filter(registration=registration)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_preview_then_apply_places_the_newcomer_by_moving_one_meeting(crowded, client):
    alice, carol, request = crowded.alice, crowded.carol, crowded.request
    programme = request.programme
    run = ScheduleRun.objects.create(programme=programme, seconds=5)
    assert planning.build(run.pk) == ScheduleRun.Status.READY
    run.refresh_from_db()
    result = run.result
    assert (result["placed_before"], result["placed_after"], result["bound"]) == (3, 4, 4)
    assert result["first_come"] == 3
    assert [n["request"] for n in result["new"]] == [request.pk]
    assert len(result["moves"]) == 1 and result["unplaced"] == []
    (move,) = result["moves"]
    moved = Meeting.objects.get(request=move["request"])
    assert moved.time_id == move["from"][0]
    emails_before = OutgoingEmail.objects.count()

    assert planning.schedule_apply(run=run) is True
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.APPLIED
    moved.refresh_from_db()
    assert (moved.time_id, moved.table_id) == tuple(move["to"])
    assert moved.time.starts_at.date() != THURSDAY and moved.sequence == 1
    assert set(MeetingSeat.objects.filter(meeting=moved).values_list("time", flat=True)) == {
        moved.time_id
    }
    placed = Meeting.objects.get(request=request)
    assert placed.time.starts_at.date() == THURSDAY

    # One email each: the two whose meeting moved, and the newly placed pair.
    the_other = moved.request.other(alice)
    assert emails_of(the_other)[-1] == "b2b_meetings_moved"
    assert emails_of(carol)[-1] == "b2b_meeting_accepted"
    assert emails_of(alice)[-2:] == [
        "b2b_meetings_moved",
        "b2b_meeting_accepted",
    ]
    assert OutgoingEmail.objects.count() == emails_before + 4
    email = OutgoingEmail.objects.filter(registration=the_other).order_by("pk").last()
    assert email.context["changes"][0]["other"]["name"] == alice.full_name
    render(email)
    assert email.subject.startswith("Vos rendez-vous B2B changent")
    assert alice.full_name in email.body and "désormais :" in email.body
    assert "<s>" in email.html_body and email.context["changes"][0]["before"] in email.html_body

    # The .ics of the one moved shows the new time, SEQUENCE 1.
    token = AccessKey.issue(the_other)
    feed = client.get(reverse("registration:agenda", kwargs={"token": token}))
    (event,) = [
        e
        for e in Calendar.from_ical(feed.content).walk("VEVENT")
        if str(e["uid"]) == f"b2b-{moved.guid}@rencontres-aict"
    ]
    assert event["dtstart"].dt == moved.time.starts_at
    assert int(event["sequence"]) == 1


def test_applying_is_refused_when_a_meeting_changed_since_the_preview(crowded):
    programme = crowded.request.programme
    run = ScheduleRun.objects.create(programme=programme, seconds=5)
    planning.build(run.pk)
    dan, eve = taking_part(programme), taking_part(programme)
    meet(programme, dan, eve, common_free_times(programme, [dan.pk, eve.pk])[0])
    before = list(Meeting.objects.order_by("pk").values_list("pk", "time", "table"))

    assert planning.schedule_apply(run=run) is False
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.STALE
    assert list(Meeting.objects.order_by("pk").values_list("pk", "time", "table")) == before
    with pytest.raises(Refused):
        planning.schedule_apply(run=run)


def test_applying_is_refused_when_someone_blocked_a_time_since_the_preview(crowded):
    programme = crowded.request.programme
    run = ScheduleRun.objects.create(programme=programme, seconds=5)
    planning.build(run.pk)
    person = crowded.request.sender
    services.profile_save(
        registration=person, data={}, themes=[], blocked_times=[programme.times.last()]
    )
    assert planning.schedule_apply(run=run) is False
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.STALE


def test_locked_meetings_stay_and_the_reason_is_given(crowded):
    request = crowded.request
    Meeting.objects.filter(pk__in=[m.pk for m in crowded.meetings]).update(is_locked=True)
    run = ScheduleRun.objects.create(programme=request.programme, seconds=5)
    planning.build(run.pk)
    run.refresh_from_db()
    assert run.result["moves"] == [] and run.result["new"] == []
    assert run.result["unplaced"] == [{"request": request.pk, "reason": "times_taken"}]


def test_a_run_is_solved_once(crowded):
    run = ScheduleRun.objects.create(programme=crowded.request.programme, seconds=5)
    assert planning.build(run.pk) == ScheduleRun.Status.READY
    assert planning.build(run.pk) == ScheduleRun.Status.READY  # claimed already: not redone


def test_two_meetings_can_swap_places_in_one_apply(programme):
    """A table and time hold one scheduled meeting at any moment: a swap must still go
    through (checked by the database's unique constraint, on PostgreSQL too)."""
    first, second = list(programme.times.all()[:2])
    one = meet(programme, taking_part(programme), taking_part(programme), first)
    two = meet(programme, taking_part(programme), taking_part(programme), second)
    assert one.table_id == two.table_id
    run = ScheduleRun.objects.create(
        programme=programme,
        status=ScheduleRun.Status.READY,
        fingerprint=planning.fingerprint(programme),
        result={
            "moves": [
                {
                    "request": one.request_id,
                    "from": [first.pk, one.table_id],
                    "to": [second.pk, one.table_id],
                },
                {
                    "request": two.request_id,
                    "from": [second.pk, two.table_id],
                    "to": [first.pk, two.table_id],
                },
            ],
            "new": [],
            "unplaced": [],
        },
    )
    assert planning.schedule_apply(run=run) is True
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.time_id, two.time_id) == (second.pk, first.pk)
    assert (one.sequence, two.sequence) == (1, 1)
    assert MeetingSeat.objects.filter(meeting=one, time=second).count() == 2
