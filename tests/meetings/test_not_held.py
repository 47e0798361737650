"""The meeting check: after a meeting's end either party says « n'a pas eu lieu » (and may
take it back until the end of the event); staff see held / not held per time and the people
reported absent, flagged on their meetings of the next day."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from meetings import followup, services
from meetings.models import Meeting
from registration.models import AccessKey
from tests.factories import PARIS

from .conftest import taking_part

pytestmark = pytest.mark.django_db


def url(name, token, **kwargs):
    return reverse(f"meetings:{name}", kwargs={"token": token, **kwargs})


def meet(programme, sender, recipient, time):
    request = services.request_create(sender=sender, recipient=recipient, message="Bonjour")
    return services.request_accept(request=request, registration=recipient, time=time)


@pytest.fixture
def day_one(programme):
    """Alice and Bob meet at the first time of day 1; Bob also meets Carol on day 2."""
    alice, bob, carol = (taking_part(programme) for _ in range(3))
    times = list(programme.times.order_by("starts_at"))
    first = times[0]
    second_day = next(t for t in times if t.starts_at.date() > first.starts_at.date())
    return {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "meeting": meet(programme, alice, bob, first),
        "tomorrow": meet(programme, carol, bob, second_day),
    }


def after(meeting, minutes=1):
    return meeting.time.ends_at + timedelta(minutes=minutes)


def test_refused_before_the_end_with_the_time_it_ends(day_one, time_machine):
    meeting = day_one["meeting"]
    time_machine.move_to(meeting.time.ends_at - timedelta(minutes=1), tick=False)
    with translation.override("en"), pytest.raises(services.Refused) as refused:
        services.meeting_report_not_held(meeting=meeting, registration=day_one["alice"])
    assert "has not ended" in str(refused.value.message)
    assert f"{meeting.time.ends_at.astimezone(PARIS):%H:%M}" in str(refused.value.message)
    meeting.refresh_from_db()
    assert meeting.not_held_at is None


def test_either_party_reports_once_and_only_the_reporter_takes_it_back(day_one, time_machine):
    meeting, alice, bob = day_one["meeting"], day_one["alice"], day_one["bob"]
    time_machine.move_to(after(meeting), tick=False)
    services.meeting_report_not_held(meeting=meeting, registration=alice)
    services.meeting_report_not_held(meeting=meeting, registration=bob)  # twice is once
    meeting.refresh_from_db()
    assert meeting.not_held_by_id == alice.pk and meeting.not_held_at is not None
    with pytest.raises(services.Refused):
        services.meeting_report_undo(meeting=meeting, registration=bob)
    services.meeting_report_undo(meeting=meeting, registration=alice)
    meeting.refresh_from_db()
    assert meeting.not_held_at is None and meeting.not_held_by is None
    # Bob may report it himself now.
    services.meeting_report_not_held(meeting=meeting, registration=bob)
    assert Meeting.objects.get(pk=meeting.pk).not_held_by_id == bob.pk


def test_a_meeting_not_held_frees_its_place_under_the_cap(programme, day_one, time_machine):
    """Staff kept the window open into the event (on-site booking): Alice, at her cap of one
    meeting, may ask someone else once hers is reported as not held, and not before."""
    meeting, alice = day_one["meeting"], day_one["alice"]
    carol = taking_part(programme)  # free of any meeting
    programme.max_meetings = 1
    programme.closes_at = programme.edition.ends_at
    programme.save()
    time_machine.move_to(after(meeting), tick=False)
    with pytest.raises(services.Refused):
        services.request_create(sender=alice, recipient=carol, message="Un autre rendez-vous ?")
    services.meeting_report_not_held(meeting=meeting, registration=alice)
    request = services.request_create(sender=alice, recipient=carol, message="Un autre ?")
    assert request.status == "pending"
    # The scheduling engine counts the same: the meeting not held is not in its problem.
    from meetings import planning

    problem = planning.problem_of(programme)
    assert meeting.request_id not in {item.key for item in problem.items}


def test_someone_else_cannot_report(day_one, time_machine):
    time_machine.move_to(after(day_one["meeting"]), tick=False)
    with pytest.raises(services.Refused):
        services.meeting_report_not_held(meeting=day_one["meeting"], registration=day_one["carol"])


def test_frozen_after_the_event(day_one, time_machine):
    meeting, alice = day_one["meeting"], day_one["alice"]
    time_machine.move_to(after(meeting), tick=False)
    services.meeting_report_not_held(meeting=meeting, registration=alice)
    time_machine.move_to(datetime(2026, 7, 10, 0, 1, tzinfo=PARIS), tick=False)
    with pytest.raises(services.Refused):
        services.meeting_report_undo(meeting=meeting, registration=alice)
    with pytest.raises(services.Refused):
        services.meeting_report_not_held(meeting=day_one["tomorrow"], registration=day_one["bob"])
    assert Meeting.objects.get(pk=meeting.pk).not_held_by_id == alice.pk


def test_page_refuses_before_the_end_then_reports_and_the_agenda_says_so(
    client, day_one, time_machine
):
    meeting, alice, bob = day_one["meeting"], day_one["alice"], day_one["bob"]
    a = AccessKey.issue(alice)
    address = url("not_held", a, meeting=meeting.guid)
    time_machine.move_to(meeting.time.starts_at + timedelta(minutes=5), tick=False)
    page = client.get(address)
    assert page.status_code == 200 and "pas terminé" in page.text
    assert 'value="report"' not in page.text
    page = client.post(address, {"action": "report"})
    assert page.status_code == 200 and "alert-danger" in page.text and "pas terminé" in page.text
    assert Meeting.objects.get(pk=meeting.pk).not_held_at is None
    # The agenda offers cancelling, not reporting, before the end.
    assert address not in client.get(url("home", a)).text

    time_machine.move_to(after(meeting), tick=False)
    assert address in client.get(url("home", a)).text
    assert client.post(address, {"action": "report"}).status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).not_held_by_id == alice.pk
    assert "Voir le signalement" in client.get(url("home", a)).text
    # Bob sees it reported by the other party, without a button to take it back.
    page = client.get(url("not_held", AccessKey.issue(bob), meeting=meeting.guid))
    assert "autre personne a signalé" in page.text and 'value="undo"' not in page.text
    # Alice takes it back.
    assert client.post(address, {"action": "undo"}).status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).not_held_at is None


def test_english_page_says_it_has_not_ended(client, day_one, time_machine):
    meeting = day_one["meeting"]
    time_machine.move_to(meeting.time.starts_at, tick=False)
    with translation.override("en"):
        address = url("not_held", AccessKey.issue(day_one["alice"]), meeting=meeting.guid)
    page = client.post(address, {"action": "report"})
    assert "has not ended" in page.text


def test_someone_elses_link_is_a_404(client, day_one, time_machine):
    meeting = day_one["meeting"]
    time_machine.move_to(after(meeting), tick=False)
    carol = AccessKey.issue(day_one["carol"])
    address = url("not_held", carol, meeting=meeting.guid)
    assert client.get(address).status_code == 404
    assert client.post(address, {"action": "report"}).status_code == 404
    bad = url("not_held", "0000000000000000-nope", meeting=meeting.guid)
    assert client.post(bad, {"action": "report"}).status_code == 404
    assert Meeting.objects.get(pk=meeting.pk).not_held_at is None


def test_staff_see_held_and_not_held_per_time_and_the_absent(day_one, programme, time_machine):
    meeting, alice, bob = day_one["meeting"], day_one["alice"], day_one["bob"]
    time_machine.move_to(after(meeting), tick=False)
    services.meeting_report_not_held(meeting=meeting, registration=alice)
    rows = {row.time.pk: row for row in followup.held_per_time(programme)}
    first = rows[meeting.time_id]
    assert (first.scheduled, first.not_held, first.held) == (1, 1, 0)
    later = rows[day_one["tomorrow"].time_id]
    assert (later.scheduled, later.not_held, later.held) == (1, 0, None)  # not ended yet

    (day, people), *rest = followup.no_shows(programme).items()
    assert rest == [] and day == meeting.time.starts_at.astimezone(PARIS).date()
    (absent,) = people
    assert absent.registration == bob  # the other party, not the one who reported
    assert [m.pk for m in absent.missed] == [meeting.pk]
    assert [m.pk for m in absent.upcoming] == [day_one["tomorrow"].pk]


def test_followup_reads_take_fixed_queries(
    day_one, programme, time_machine, django_assert_num_queries
):
    """One query for the figures, two for the absent, whatever the number of people."""
    times = list(programme.times.order_by("starts_at"))[1:4]
    pairs = [(taking_part(programme), taking_part(programme)) for _ in times]
    extra = [meet(programme, x, y, time) for (x, y), time in zip(pairs, times, strict=True)]
    time_machine.move_to(after(extra[-1]), tick=False)
    services.meeting_report_not_held(meeting=day_one["meeting"], registration=day_one["alice"])
    for meeting, (x, _y) in zip(extra, pairs, strict=True):
        services.meeting_report_not_held(meeting=meeting, registration=x)
    with django_assert_num_queries(1):
        figures = followup.held_per_time(programme)
    assert sum(row.not_held for row in figures) == 4
    with django_assert_num_queries(2):
        found = followup.no_shows(programme)
    absent = {entry.registration for people in found.values() for entry in people}
    assert absent == {day_one["bob"], *(y for _x, y in pairs)}


def test_staff_page_and_admin_flag_the_absent_on_their_next_meetings(
    admin_client, day_one, time_machine
):
    meeting, alice, bob = day_one["meeting"], day_one["alice"], day_one["bob"]
    time_machine.move_to(after(meeting), tick=False)
    services.meeting_report_not_held(meeting=meeting, registration=alice)
    page = admin_client.get(reverse("staff:b2b_followup"))
    assert page.status_code == 200
    assert bob.full_name in page.text
    assert reverse("admin:meetings_meeting_change", args=[day_one["tomorrow"].pk]) in page.text

    changelist = reverse("admin:meetings_meeting_changelist")
    flagged = admin_client.get(changelist, {"absent": "oui"})
    assert flagged.status_code == 200
    assert list(flagged.context["cl"].result_list) == [day_one["tomorrow"]]
    assert "⚠ " + bob.full_name in flagged.text
    not_held = admin_client.get(changelist, {"tenu": "non"})
    assert list(not_held.context["cl"].result_list) == [meeting]
    held = admin_client.get(changelist, {"tenu": "oui"})
    assert list(held.context["cl"].result_list) == []
    per_time = admin_client.get(changelist, {"time__id__exact": meeting.time_id})
    assert per_time.status_code == 200 and len(per_time.context["cl"].result_list) == 1


@pytest.mark.once
def test_staff_followup_with_absent_people_is_valid_html(
    admin_client, day_one, time_machine, tmp_path
):
    from tests.rencontres.test_valid_html import checker_errors, failing, page

    time_machine.move_to(after(day_one["meeting"]), tick=False)
    services.meeting_report_not_held(meeting=day_one["meeting"], registration=day_one["alice"])
    changelist = reverse("admin:meetings_meeting_changelist")
    documents = {
        "followup": page(admin_client, reverse("staff:b2b_followup")),
        "meetings": page(admin_client, changelist),
        "flagged": page(admin_client, changelist + "?absent=oui"),
    }
    # Staff cancel Bob's meeting to come: the page after, and Carol's email.
    from registration import emails
    from registration.models import OutgoingEmail

    address = reverse("staff:b2b_cancel_upcoming", args=[day_one["bob"].pk])
    documents["after cancelling"] = page(admin_client, address, {})
    email = OutgoingEmail.objects.filter(registration=day_one["carol"]).order_by("pk").last()
    emails.render(email)
    documents["cancelled by the team.html"] = email.html_body
    assert failing(checker_errors(documents, tmp_path)) == ""


def test_staff_cancel_the_meetings_to_come_of_someone_absent(
    admin_client, client, day_one, time_machine, django_user_model
):
    from registration import emails
    from registration.models import OutgoingEmail
    from tests.staff.conftest import grant

    meeting, alice, bob, carol = (day_one[k] for k in ("meeting", "alice", "bob", "carol"))
    time_machine.move_to(after(meeting), tick=False)
    services.meeting_report_not_held(meeting=meeting, registration=alice)
    address = reverse("staff:b2b_cancel_upcoming", args=[bob.pk])
    assert admin_client.get(address).status_code == 405
    viewer = django_user_model.objects.create_user("lecture", is_staff=True)
    client.force_login(grant(viewer, "view_meeting"))
    assert client.post(address).status_code == 403
    assert 'action="' + address not in client.get(reverse("staff:b2b_followup")).text

    page = admin_client.post(address, follow=True)
    assert "1 rendez-vous de " + bob.full_name + " annulé" in page.text
    tomorrow = Meeting.objects.get(pk=day_one["tomorrow"].pk)
    assert tomorrow.status == Meeting.Status.CANCELLED and not tomorrow.seats.exists()
    assert tomorrow.request.status == "cancelled"
    # The meeting already past stays as it was, reported.
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.SCHEDULED
    email = OutgoingEmail.objects.filter(registration=carol).order_by("pk").last()
    assert email.kind == "b2b_meeting_cancelled"
    emails.render(email)
    assert "L'équipe de Cités Unies France a annulé" in email.body
    assert bob.full_name in email.body
    # Carol is free again at that time, and may ask Bob again.
    assert services._count_meetings(carol) == 0


@pytest.mark.parametrize("pairs", [1, 3])
def test_the_followup_reads_as_many_queries_when_tables_belong_to_partners(
    programme, time_machine, pairs
):
    """Tables named after their partner (« Table 3 (Partenaire) »): the follow-up still
    reads in 2 queries, whatever the number of people reported absent."""
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test.utils import CaptureQueriesContext

    from events.models import Partner

    partner = Partner.objects.filter(edition=programme.edition).first()
    programme.tables.update(partner=partner)
    times = list(programme.times.order_by("starts_at"))
    later = [t for t in times if t.starts_at.date() > times[0].starts_at.date()]
    reported = []
    for i in range(pairs):
        a, b, c = (taking_part(programme) for _ in range(3))
        reported.append((meet(programme, a, b, times[0] if i < 3 else times[1]), a))
        meet(programme, c, b, later[i])
    time_machine.move_to(times[1].ends_at + timedelta(minutes=1), tick=False)
    for meeting, person in reported:
        services.meeting_report_not_held(meeting=meeting, registration=person)
    with CaptureQueriesContext(connection) as queries:
        shows = followup.no_shows(programme)
        html = render_to_string(
            "staff/b2b_followup.html", {"programme": programme, "times": [], "no_shows": shows}
        )
    assert len(queries) == 2
    assert partner.name in html
