"""B2B services: the rules of requests and meetings, each refusal with its reason."""

from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from meetings import services
from meetings.availability import common_free_times
from meetings.models import Meeting, MeetingRequest, MeetingSeat, MeetingTime, Profile
from registration import hooks
from registration import services as registration_services
from registration.models import OutgoingEmail
from tests.factories import PARIS

from .conftest import taking_part

pytestmark = pytest.mark.django_db


def kinds(registration):
    return list(
        OutgoingEmail.objects.filter(registration=registration)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_meeting_times_come_from_the_four_b2b_sessions(programme):
    starts = [t.starts_at.astimezone(PARIS).strftime("%d %H:%M") for t in programme.times.all()]
    assert starts == [
        "08 14:30", "08 14:55", "08 15:20",
        "09 09:30", "09 09:55", "09 10:20",
        "09 14:30", "09 14:55",
        "09 15:30", "09 15:55", "09 16:20",
    ]  # fmt: skip
    assert all(t.ends_at - t.starts_at == timedelta(minutes=20) for t in programme.times.all())


def test_changing_the_length_regenerates_unused_times(programme):
    programme.meeting_minutes, programme.changeover_minutes = 30, 0
    services.programme_save(programme=programme)
    services.times_generate(programme=programme)
    assert programme.times.count() == 3 + 3 + 2 + 3
    assert {t.ends_at - t.starts_at for t in programme.times.all()} == {timedelta(minutes=30)}


def test_request_accept_places_a_meeting_and_tells_both(programme):
    alice, bob = taking_part(programme), taking_part(programme, language="en")
    request = services.request_create(sender=alice, recipient=bob, message="Parlons eau.")
    assert kinds(bob) == ["b2b_request_received"]
    free = common_free_times(programme, [alice.pk, bob.pk])
    assert len(free) == 11
    meeting = services.request_accept(request=request, registration=bob, time=free[0])
    assert meeting.table.number == 1
    assert set(MeetingSeat.objects.values_list("registration", flat=True)) == {alice.pk, bob.pk}
    assert kinds(alice)[-1] == kinds(bob)[-1] == "b2b_meeting_accepted"
    # Both now busy then: that time is gone from their common free times.
    assert free[0] not in common_free_times(programme, [alice.pk, bob.pk])


@pytest.mark.parametrize(
    "case",
    ["oneself", "unlisted", "pending_profile", "cancelled", "closed", "twice", "reverse", "empty"],
)
def test_request_refusals_say_why(programme, case, time_machine):
    alice, bob = taking_part(programme), taking_part(programme)
    sender, recipient, message = alice, bob, "Bonjour"
    expected = None
    if case == "oneself":
        recipient, expected = alice, services.TO_ONESELF
    elif case == "unlisted":
        Profile.objects.filter(registration=bob).update(is_listed=False)
        expected = services.UNREACHABLE
    elif case == "pending_profile":
        Profile.objects.filter(registration=alice).update(status=Profile.Status.PENDING)
        expected = services.NOT_APPROVED
    elif case == "cancelled":
        registration_services.registration_cancel(registration=bob)
        bob.refresh_from_db()
        expected = services.UNREACHABLE
    elif case == "closed":
        time_machine.move_to(datetime(2026, 7, 7, 18, 0, tzinfo=PARIS))
        expected = services.CLOSED
    elif case in ("twice", "reverse"):
        services.request_create(sender=alice, recipient=bob, message="Premier")
        if case == "reverse":
            sender, recipient = bob, alice
        expected = services.ALREADY
    elif case == "empty":
        message, expected = "   ", services.EMPTY_MESSAGE
    with pytest.raises(services.Refused) as refused:
        services.request_create(sender=sender, recipient=recipient, message=message)
    assert refused.value.message == expected


def test_caps_on_pending_requests_and_meetings(programme):
    programme.max_pending, programme.max_meetings = 2, 1
    programme.save()
    alice = taking_part(programme)
    others = [taking_part(programme) for _ in range(4)]
    services.request_create(sender=alice, recipient=others[0], message="1")
    services.request_create(sender=alice, recipient=others[1], message="2")
    with pytest.raises(services.Refused, match="2 demandes"):
        services.request_create(sender=alice, recipient=others[2], message="3")
    # A meeting with one of them: now Alice is full, and nobody can ask her.
    request = MeetingRequest.objects.get(recipient=others[0])
    services.request_accept(request=request, registration=others[0], time=programme.times.first())
    with pytest.raises(services.Refused) as refused:
        services.request_create(sender=others[3], recipient=alice, message="4")
    assert refused.value.message == services.THEY_ARE_FULL


def test_database_refuses_double_booking_whatever_the_code(programme):
    alice, bob, carol = (taking_part(programme) for _ in range(3))
    time = programme.times.first()
    first = services.request_accept(
        request=services.request_create(sender=alice, recipient=bob, message="a"),
        registration=bob,
        time=time,
    )
    other = MeetingRequest.objects.create(
        programme=programme, sender=alice, recipient=carol, low=alice.pk, high=carol.pk,
        message="b", expires_at=programme.closes_at,
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():  # same table, same time
        Meeting.objects.create(request=other, time=time, table=first.table)
    second = Meeting.objects.create(request=other, time=time, table=programme.tables.last())
    with pytest.raises(IntegrityError), transaction.atomic():  # Alice twice at once
        MeetingSeat.objects.create(meeting=second, registration=alice, time=time)
    with pytest.raises(IntegrityError), transaction.atomic():  # a second open request
        MeetingRequest.objects.create(
            programme=programme, sender=bob, recipient=alice, low=alice.pk, high=bob.pk,
            message="c", expires_at=programme.closes_at,
        )  # fmt: skip


def test_accept_at_a_time_one_is_busy_is_refused(programme):
    alice, bob, carol = (taking_part(programme) for _ in range(3))
    time = programme.times.first()
    services.request_accept(
        request=services.request_create(sender=alice, recipient=bob, message="a"),
        registration=bob,
        time=time,
    )
    request = services.request_create(sender=carol, recipient=alice, message="b")
    with pytest.raises(services.Refused) as refused:
        services.request_accept(request=request, registration=alice, time=time)
    assert refused.value.message == services.NOT_FREE


def test_last_table_taken_says_pick_another_time(programme):
    time = programme.times.first()
    people = [taking_part(programme) for _ in range(8)]
    for a, b in zip(people[0:6:2], people[1:6:2], strict=True):
        services.request_accept(
            request=services.request_create(sender=a, recipient=b, message="x"),
            registration=b,
            time=time,
        )
    request = services.request_create(sender=people[6], recipient=people[7], message="y")
    # Not offered any more, and taken if asked for all the same.
    assert time not in common_free_times(programme, [people[6].pk, people[7].pk])
    with pytest.raises(services.TimeTaken):
        services.request_accept(request=request, registration=people[7], time=time)
    later = MeetingTime.objects.filter(programme=programme).order_by("starts_at")[1]
    assert services.request_accept(request=request, registration=people[7], time=later)


def test_no_time_offered_when_every_table_is_a_partners_stand(programme):
    """Two people without a stand have no table at all when the tables all belong to
    partners: no time is offered them (and taking one all the same is refused)."""
    alice, bob = taking_part(programme), taking_part(programme)
    for table in programme.tables.all():
        table.host = taking_part(programme)
        table.save()
    assert common_free_times(programme, [alice.pk, bob.pk]) == []
    request = services.request_create(sender=alice, recipient=bob, message="a")
    with pytest.raises(services.TimeTaken):
        services.request_accept(request=request, registration=bob, time=programme.times.first())
    # A partner still meets at their own stand.
    host = programme.tables.first().host
    assert common_free_times(programme, [alice.pk, host.pk])


def test_only_the_recipient_answers(programme):
    alice, bob = taking_part(programme), taking_part(programme)
    request = services.request_create(sender=alice, recipient=bob, message="a")
    with pytest.raises(services.Refused):
        services.request_accept(request=request, registration=alice, time=programme.times.first())
    with pytest.raises(services.Refused):
        services.request_decline(request=request, registration=alice)


def test_decline_with_a_word(programme):
    alice, bob = taking_part(programme), taking_part(programme)
    request = services.request_create(sender=alice, recipient=bob, message="a")
    services.request_decline(request=request, registration=bob, note="Pas cette fois")
    request.refresh_from_db()
    assert request.status == "declined"
    email = OutgoingEmail.objects.get(registration=alice, kind="b2b_request_declined")
    assert email.context["note"] == "Pas cette fois"
    assert bob.email not in str(email.context)
    # The pair may ask again.
    services.request_create(sender=bob, recipient=alice, message="Finalement ?")


def test_cancel_tells_the_other_and_frees_the_time(programme):
    alice, bob = taking_part(programme), taking_part(programme)
    time = programme.times.first()
    meeting = services.request_accept(
        request=services.request_create(sender=alice, recipient=bob, message="a"),
        registration=bob,
        time=time,
    )
    services.meeting_cancel(meeting=meeting, registration=alice)
    meeting.refresh_from_db()
    assert meeting.status == "cancelled" and meeting.sequence == 1
    assert not MeetingSeat.objects.exists()
    assert kinds(bob)[-1] == "b2b_meeting_cancelled"
    assert time in common_free_times(programme, [alice.pk, bob.pk])


def test_leaving_cancels_meetings_and_requests(programme):
    alice, bob, carol = (taking_part(programme) for _ in range(3))
    meeting = services.request_accept(
        request=services.request_create(sender=alice, recipient=bob, message="a"),
        registration=bob,
        time=programme.times.first(),
    )
    pending = services.request_create(sender=alice, recipient=carol, message="b")
    services.profile_leave(registration=alice)
    meeting.refresh_from_db()
    pending.refresh_from_db()
    assert meeting.status == "cancelled" and pending.status == "cancelled"
    assert kinds(bob)[-1] == "b2b_meeting_cancelled"
    assert kinds(carol)[-1] == "b2b_request_withdrawn"
    assert Profile.objects.get(registration=alice).status == "left"


def test_cancelling_the_registration_leaves_b2b(programme):
    alice, bob = taking_part(programme), taking_part(programme)
    meeting = services.request_accept(
        request=services.request_create(sender=alice, recipient=bob, message="a"),
        registration=bob,
        time=programme.times.first(),
    )
    registration_services.registration_cancel(registration=alice)
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
    assert kinds(bob)[-1] == "b2b_meeting_cancelled"


def test_requests_expire_and_the_sender_is_told(programme, time_machine):
    alice, bob = taking_part(programme), taking_part(programme)
    request = services.request_create(sender=alice, recipient=bob, message="a")
    assert services.requests_expire() == 0
    time_machine.shift(timedelta(days=5, minutes=1))
    with pytest.raises(services.Refused):  # expired, even before the task runs
        services.request_accept(request=request, registration=bob, time=programme.times.last())
    assert services.requests_expire() == 1
    request.refresh_from_db()
    assert request.status == "expired"
    assert kinds(alice)[-1] == "b2b_request_expired"


def test_requests_expire_at_the_latest_when_the_window_closes(programme, time_machine):
    time_machine.move_to(datetime(2026, 7, 6, 12, 0, tzinfo=PARIS))
    alice, bob = taking_part(programme), taking_part(programme)
    request = services.request_create(sender=alice, recipient=bob, message="a")
    assert request.expires_at == programme.closes_at


def test_booking_a_session_over_a_meeting_is_refused(programme):
    from events.models import Session

    alice, bob = taking_part(programme), taking_part(programme)
    meeting = services.request_accept(
        request=services.request_create(sender=alice, recipient=bob, message="a"),
        registration=bob,
        time=programme.times.first(),  # Wednesday 14:30
    )
    workshop = Session.objects.filter(
        type__slug="atelier", slot=meeting.time.session.slot_id
    ).first()
    with pytest.raises(hooks.BookingConflict, match="rendez-vous B2B"):
        registration_services.registration_update(
            registration=alice, data={}, days=alice.edition.days, session_ids=[workshop.pk]
        )
    # A workshop at another time is fine, and the meeting's time is not offered when busy.
    other = Session.objects.filter(type__slug="atelier").exclude(slot=workshop.slot_id).first()
    registration_services.registration_update(
        registration=bob, data={}, days=bob.edition.days, session_ids=[other.pk]
    )
    busy = {t.pk for t in programme.times.all()} - {
        t.pk for t in common_free_times(programme, [bob.pk])
    }
    assert {
        t.pk
        for t in programme.times.filter(starts_at__lt=other.ends_at, ends_at__gt=other.starts_at)
    } <= busy


def test_not_free_on_a_day_not_attended(programme):
    alice = taking_part(programme, days=[programme.edition.start_date])
    free = common_free_times(programme, [alice.pk])
    assert {t.starts_at.astimezone(PARIS).day for t in free} == {8}


def test_the_worker_expires_a_request_when_its_time_comes(programme, time_machine):
    from tests.worker import run_worker

    alice, bob = taking_part(programme), taking_part(programme)
    request = services.request_create(sender=alice, recipient=bob, message="a")
    run_worker()  # the received email goes; the expiry task is not due yet
    request.refresh_from_db()
    assert request.status == "pending"
    time_machine.shift(timedelta(days=5, minutes=1))
    run_worker()
    request.refresh_from_db()
    assert request.status == "expired"
    assert kinds(alice)[-1] == "b2b_request_expired"


def test_daily_digest_instead_of_one_email_per_request(programme, time_machine):
    from tests.worker import run_worker

    alice, bob, carol = (taking_part(programme) for _ in range(3))
    services.profile_save(registration=alice, data={"wants_digest": True}, themes=[])
    services.request_create(sender=bob, recipient=alice, message="De Bob")
    services.request_create(sender=carol, recipient=alice, message="De Carol")
    assert kinds(alice) == []  # nothing at once
    time_machine.shift(timedelta(days=1, minutes=1))
    run_worker()
    (digest,) = OutgoingEmail.objects.filter(registration=alice)
    assert digest.kind == "b2b_digest"
    assert "De Bob" in digest.body and "De Carol" in digest.body
    assert digest.body.count("/b2b/demandes/") == 2
    assert bob.email not in digest.body and carol.email not in digest.body
    # The next day, nothing new: no message.
    time_machine.shift(timedelta(days=1))
    run_worker()
    assert OutgoingEmail.objects.filter(registration=alice).count() == 1


def test_every_b2b_message_names_the_event_s_dates_and_venue(programme):
    """Each message reads on its own in a mailbox months later: its text part names the
    event's dates and venue, in the person's language."""
    from django.utils import translation

    from registration.emails import event_dates
    from tests.worker import run_worker

    alice, bob, carol = (taking_part(programme) for _ in range(3))
    carol.language = "en"
    carol.save()
    asked = services.request_create(sender=bob, recipient=alice, message="Bonjour")
    meeting = services.request_accept(
        request=asked, registration=alice, time=programme.times.first()
    )
    services.meeting_cancel(meeting=meeting, registration=bob)
    declined = services.request_create(sender=carol, recipient=alice, message="Hello")
    services.request_decline(request=declined, registration=alice, note="Pas cette fois")
    run_worker(badges=False)
    sent = OutgoingEmail.objects.filter(kind__startswith="b2b_").select_related("registration")
    assert {email.kind for email in sent} >= {
        "b2b_request_received",
        "b2b_meeting_accepted",
        "b2b_meeting_cancelled",
        "b2b_request_declined",
    }
    address = programme.edition.venue.full_address
    for email in sent:
        with translation.override(email.registration.language):
            dates = event_dates(programme.edition)
        assert dates in email.body and address in email.body, email.kind


def test_a_blocked_time_is_never_offered_nor_planned(programme):
    """Someone who keeps a meeting time free (their profile) is offered nobody then: not
    in the common free times an answer lists, not in the scheduling engine's problem; a
    time they already have a meeting at cannot be blocked, and says so."""
    from meetings import planning

    alice, bob, carol = taking_part(programme), taking_part(programme), taking_part(programme)
    first, second = common_free_times(programme, [alice.pk, bob.pk])[:2]
    meeting = services.request_accept(
        request=services.request_create(sender=bob, recipient=alice, message="Eau"),
        registration=alice,
        time=second,
    )
    services.profile_save(registration=alice, data={}, themes=[], blocked_times=[first])
    assert first not in common_free_times(programme, [alice.pk, carol.pk])
    assert first in common_free_times(programme, [bob.pk, carol.pk])
    problem = planning.problem_of(programme)
    assert first.pk not in problem.free[alice.pk] and first.pk in problem.free[bob.pk]
    with pytest.raises(services.Refused, match="Vous avez un rendez-vous à ce créneau"):
        services.profile_save(registration=alice, data={}, themes=[], blocked_times=[second])
    assert list(Profile.objects.get(registration=alice).blocked_times.all()) == [first]
    meeting.refresh_from_db()
    assert meeting.time == second
