"""Acceptance when no time is left: the recipient accepts « à placer par les organisateurs »;
the request is accepted without a meeting, both are told, it counts against the caps, and
the scheduling engine's run places it (with the usual « accepted » message)."""

from datetime import date

import pytest
from django.urls import reverse

from meetings import planning, services
from meetings.models import Meeting, MeetingRequest, ScheduleRun
from registration import emails
from registration.models import AccessKey, OutgoingEmail

from .conftest import taking_part

pytestmark = pytest.mark.django_db
THURSDAY = date(2026, 7, 8)


def url(name, token, **kwargs):
    return reverse(f"meetings:{name}", kwargs={"token": token, **kwargs})


def meet(programme, a, b, time):
    request = services.request_create(sender=a, recipient=b, message="Parlons eau.")
    return services.request_accept(request=request, registration=b, time=time)


@pytest.fixture
def crowded(programme):
    """Alice meets three people at the three Thursday times; Carol, there on Thursday only,
    asks Alice: they have no common free time left."""
    alice = taking_part(programme)
    thursday = [t for t in programme.times.all() if t.starts_at.date() == THURSDAY]
    for time in thursday:
        meet(programme, alice, taking_part(programme), time)
    carol = taking_part(programme, days=[THURSDAY])
    request = services.request_create(sender=carol, recipient=alice, message="Et nous ?")
    return {"alice": alice, "carol": carol, "request": request}


def kinds(registration):
    return list(
        OutgoingEmail.objects.filter(registration=registration)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_accepted_to_place_through_the_page_both_told_both_pages_say_so(client, crowded):
    alice, carol, request = crowded["alice"], crowded["carol"], crowded["request"]
    a = AccessKey.issue(alice)
    address = url("request", a, request_id=request.public_id)
    page = client.get(address)
    assert 'value="to_place"' in page.text and 'name="time"' not in page.text
    assert client.post(address, {"action": "to_place"}).status_code == 302

    request.refresh_from_db()
    assert request.status == MeetingRequest.Status.ACCEPTED
    assert not Meeting.objects.filter(request=request).exists()
    assert kinds(alice)[-1] == kinds(carol)[-1] == "b2b_request_to_place"
    for person, other in ((alice, carol), (carol, alice)):
        email = OutgoingEmail.objects.filter(registration=person).order_by("pk").last()
        emails.render(email)
        assert other.full_name in email.body and "placera ce rendez-vous" in email.body
        assert other.email not in email.body
        home = client.get(url("home", AccessKey.issue(person)))
        assert "À placer" in home.text and other.full_name in home.text


def test_english_email(programme):
    alice = taking_part(programme, language="en")
    thursday = [t for t in programme.times.all() if t.starts_at.date() == THURSDAY]
    for time in thursday:
        meet(programme, alice, taking_part(programme), time)
    carol = taking_part(programme, days=[THURSDAY])
    request = services.request_create(sender=carol, recipient=alice, message="Et nous ?")
    services.request_accept_to_place(request=request, registration=alice)
    email = OutgoingEmail.objects.filter(registration=alice).order_by("pk").last()
    emails.render(email)
    assert "will place this meeting" in email.body and "You accepted to meet" in email.body


def test_refused_while_a_common_time_is_free(client, programme):
    alice, bob = taking_part(programme), taking_part(programme)
    request = services.request_create(sender=alice, recipient=bob, message="Bonjour")
    with pytest.raises(services.Refused) as refused:
        services.request_accept_to_place(request=request, registration=bob)
    assert refused.value.message == services.TIME_LEFT
    # The page offers the times, and a post of « à placer » changes nothing.
    b = AccessKey.issue(bob)
    page = client.post(url("request", b, request_id=request.public_id), {"action": "to_place"})
    assert page.status_code == 200 and 'name="time"' in page.text
    request.refresh_from_db()
    assert request.status == MeetingRequest.Status.PENDING


def test_offered_when_every_table_is_taken_at_the_common_times(client, programme):
    """Both free on Thursday only, and the one table left is taken at every Thursday time."""
    programme.tables.filter(number__gt=1).delete()
    thursday = [t for t in programme.times.all() if t.starts_at.date() == THURSDAY]
    for time in thursday:
        meet(programme, taking_part(programme), taking_part(programme), time)
    dan, eve = (taking_part(programme, days=[THURSDAY]) for _ in range(2))
    request = services.request_create(sender=dan, recipient=eve, message="Bonjour")
    page = client.get(url("request", AccessKey.issue(eve), request_id=request.public_id))
    assert 'value="to_place"' in page.text
    services.request_accept_to_place(request=request, registration=eve)
    assert MeetingRequest.objects.get(pk=request.pk).status == MeetingRequest.Status.ACCEPTED


def test_not_offered_when_they_are_never_both_there(client, programme):
    """One attends the first day, the other the second: no plan could ever place their
    meeting, so it is not accepted « à placer » (it would hold both caps for nothing)."""
    first, last = sorted(programme.edition.days)[0], sorted(programme.edition.days)[-1]
    dan, eve = taking_part(programme, days=[first]), taking_part(programme, days=[last])
    request = services.request_create(sender=dan, recipient=eve, message="Bonjour")
    page = client.get(url("request", AccessKey.issue(eve), request_id=request.public_id))
    assert 'value="to_place"' not in page.text and "jamais libres en même temps" in page.text
    with pytest.raises(services.Refused) as refused:
        services.request_accept_to_place(request=request, registration=eve)
    assert refused.value.message == services.NEVER_FREE
    assert MeetingRequest.objects.get(pk=request.pk).status == MeetingRequest.Status.PENDING
    assert services._count_meetings(eve) == 0


def test_the_caps_count_it(programme, crowded):
    programme.max_meetings = 4  # Alice has 3 meetings
    programme.save()
    alice, carol, request = crowded["alice"], crowded["carol"], crowded["request"]
    services.request_accept_to_place(request=request, registration=alice)
    dan = taking_part(programme)
    with pytest.raises(services.Refused) as refused:
        services.request_create(sender=alice, recipient=dan, message="Encore ?")
    assert "maximum" in str(refused.value.message)
    with pytest.raises(services.Refused) as refused:
        services.request_create(sender=dan, recipient=alice, message="Et moi ?")
    assert refused.value.message == services.THEY_ARE_FULL
    assert carol  # Carol's count holds it too
    assert services._count_meetings(carol) == 1


def test_only_the_recipient_and_only_once(crowded):
    alice, carol, request = crowded["alice"], crowded["carol"], crowded["request"]
    with pytest.raises(services.Refused):
        services.request_accept_to_place(request=request, registration=carol)
    services.request_accept_to_place(request=request, registration=alice)
    with pytest.raises(services.Refused):
        services.request_accept_to_place(request=request, registration=alice)
    assert kinds(carol).count("b2b_request_to_place") == 1


def test_the_engine_places_it_and_both_get_the_usual_message(client, crowded):
    alice, carol, request = crowded["alice"], crowded["carol"], crowded["request"]
    services.request_accept_to_place(request=request, registration=alice)
    run = ScheduleRun.objects.create(programme=request.programme, seconds=5)
    assert planning.build(run.pk) == ScheduleRun.Status.READY
    run.refresh_from_db()
    assert [n["request"] for n in run.result["new"]] == [request.pk]
    assert planning.schedule_apply(run=run) is True

    meeting = Meeting.objects.get(request=request)
    assert meeting.time.starts_at.date() == THURSDAY
    assert kinds(carol)[-1] == "b2b_meeting_accepted"
    assert "b2b_meeting_accepted" in kinds(alice)[-2:]
    home = client.get(url("home", AccessKey.issue(carol)))
    assert "À placer" not in home.text and alice.full_name in home.text


@pytest.mark.once
def test_to_place_pages_and_email_are_valid_html(client, crowded, tmp_path):
    from tests.rencontres.test_valid_html import checker_errors, failing, page

    alice, carol, request = crowded["alice"], crowded["carol"], crowded["request"]
    a, c = AccessKey.issue(alice), AccessKey.issue(carol)
    documents = {"offered": page(client, url("request", a, request_id=request.public_id))}
    services.request_accept_to_place(request=request, registration=alice)
    documents["home"] = page(client, url("home", c))
    documents["request"] = page(client, url("request", c, request_id=request.public_id))
    services.request_cancel_to_place(request=request, registration=carol)
    for email in OutgoingEmail.objects.filter(
        kind__in=["b2b_request_to_place", "b2b_to_place_cancelled"]
    ):
        emails.render(email)
        documents[f"email-{email.pk}.html"] = email.html_body
    assert len(documents) == 6
    assert failing(checker_errors(documents, tmp_path)) == ""


def test_either_party_calls_it_off_the_other_is_told_and_the_caps_freed(client, crowded):
    alice, carol, request = crowded["alice"], crowded["carol"], crowded["request"]
    services.request_accept_to_place(request=request, registration=alice)
    assert services._count_meetings(carol) == 1
    c = AccessKey.issue(carol)
    address = url("request", c, request_id=request.public_id)
    assert url("request", c, request_id=request.public_id) in client.get(url("home", c)).text
    assert 'value="cancel_to_place"' in client.get(address).text
    # Someone else's link: 404, nothing changes.
    other = AccessKey.issue(taking_part(request.programme))
    stranger = url("request", other, request_id=request.public_id)
    assert client.post(stranger, {"action": "cancel_to_place"}).status_code == 404
    assert MeetingRequest.objects.get(pk=request.pk).status == MeetingRequest.Status.ACCEPTED

    assert client.post(address, {"action": "cancel_to_place"}).status_code == 302
    assert MeetingRequest.objects.get(pk=request.pk).status == MeetingRequest.Status.CANCELLED
    assert services._count_meetings(carol) == 0
    assert kinds(alice)[-1] == "b2b_to_place_cancelled"
    email = OutgoingEmail.objects.filter(registration=alice).order_by("pk").last()
    emails.render(email)
    assert carol.full_name in email.body and "devait placer" in email.body
    with pytest.raises(services.Refused):
        services.request_cancel_to_place(request=request, registration=alice)


def test_leaving_tells_the_other_of_a_meeting_to_place(crowded):
    alice, carol, request = crowded["alice"], crowded["carol"], crowded["request"]
    services.request_accept_to_place(request=request, registration=alice)
    services.profile_leave(registration=alice)
    assert MeetingRequest.objects.get(pk=request.pk).status == MeetingRequest.Status.CANCELLED
    assert kinds(carol)[-1] == "b2b_to_place_cancelled"
