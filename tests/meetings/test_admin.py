"""Staff set B2B up in admin, and approve or reject profiles (the reason is emailed)."""

import pytest
from django.urls import reverse

from events.models import Session
from meetings.models import MeetingTime, Profile, Programme
from registration.models import OutgoingEmail

from .conftest import taking_part

pytestmark = pytest.mark.django_db


def test_programme_added_in_admin_gets_its_meeting_times(admin_client, edition_2026, in_may):
    Programme.objects.all().delete()  # the fixture's
    sessions = Session.objects.filter(type__slug="b2b")
    response = admin_client.post(
        reverse("admin:meetings_programme_add"),
        {
            "edition": edition_2026.pk,
            "sessions": [s.pk for s in sessions],
            "meeting_minutes": 20,
            "changeover_minutes": 5,
            "opens_at_0": "2026-05-01", "opens_at_1": "09:00",
            "closes_at_0": "2026-07-07", "closes_at_1": "18:00",
            "max_pending": 10, "max_meetings": 8, "expiry_days": 5, "needs_approval": "on",
            "tables-TOTAL_FORMS": 2, "tables-INITIAL_FORMS": 0,
            "tables-0-number": 1, "tables-1-number": 2,
            "times-TOTAL_FORMS": 0, "times-INITIAL_FORMS": 0,
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content[:3000]
    programme = Programme.objects.get()
    assert programme.tables.count() == 2
    assert MeetingTime.objects.filter(programme=programme).count() == 11


def test_approval_queue(admin_client, programme):
    waiting = [taking_part(programme, approved=False) for _ in range(3)]
    changelist = reverse("admin:meetings_profile_changelist")
    page = admin_client.get(changelist, {"status__exact": "pending"})
    assert page.status_code == 200
    profiles = {p.registration_id: p.pk for p in Profile.objects.all()}
    admin_client.post(
        changelist, {"action": "approve", "_selected_action": [profiles[waiting[0].pk]]}
    )
    # Reject: a page asks the reason first, then it is sent.
    asked = admin_client.post(
        changelist, {"action": "reject", "_selected_action": [profiles[waiting[1].pk]]}
    )
    assert asked.status_code == 200 and 'name="reason"' in asked.text
    done = admin_client.post(
        changelist,
        {
            "action": "reject",
            "_selected_action": [profiles[waiting[1].pk]],
            "reason": "Profil incomplet : présentez votre collectivité.",
        },
    )
    assert done.status_code == 302
    states = dict(Profile.objects.values_list("registration", "status"))
    assert [states[r.pk] for r in waiting] == ["approved", "rejected", "pending"]
    rejected = OutgoingEmail.objects.get(kind="b2b_profile_rejected")
    assert rejected.registration_id == waiting[1].pk
    assert rejected.context["reason"].startswith("Profil incomplet")
    assert OutgoingEmail.objects.filter(
        kind="b2b_profile_approved", registration=waiting[0]
    ).exists()


def test_a_rejected_profile_corrected_goes_back_to_the_queue(programme):
    from meetings import services

    person = taking_part(programme, approved=False)
    profile = Profile.objects.get(registration=person)
    services.profile_reject(profile=profile, reason="Incomplet")
    services.profile_save(registration=person, data={"presentation": "Complet"}, themes=[])
    profile.refresh_from_db()
    assert profile.status == "pending" and profile.rejection_reason == ""


def test_staff_write_b2b_data_only_through_the_services(admin_client, programme):
    """Cancel a meeting (both told, the team named), withdraw a waiting request (the person
    asked is told), take a profile out of the directory: admin actions calling services;
    nothing in admin adds, changes or deletes these rows directly."""
    from meetings import services
    from meetings.models import Meeting, MeetingRequest

    alice, bob, carol = (taking_part(programme) for _ in range(3))
    meeting = services.request_accept(
        request=services.request_create(sender=alice, recipient=bob, message="x"),
        registration=bob,
        time=programme.times.first(),
    )
    waiting = services.request_create(sender=alice, recipient=carol, message="y")
    OutgoingEmail.objects.all().delete()

    changelist = reverse("admin:meetings_meeting_changelist")
    page = admin_client.get(changelist)
    assert 'value="cancel"' in page.text and 'value="delete_selected"' not in page.text
    admin_client.post(changelist, {"action": "cancel", "_selected_action": [meeting.pk]})
    meeting.refresh_from_db()
    assert meeting.status == "cancelled" and meeting.sequence == 1
    assert not meeting.seats.exists()
    told = OutgoingEmail.objects.filter(kind="b2b_meeting_cancelled")
    assert sorted(told.values_list("registration", flat=True)) == sorted([alice.pk, bob.pk])
    assert all(
        e.context["by_team"] and not e.context["no_show"] and not e.context["by_me"] for e in told
    )

    changelist = reverse("admin:meetings_meetingrequest_changelist")
    admin_client.post(changelist, {"action": "withdraw", "_selected_action": [waiting.pk]})
    assert MeetingRequest.objects.get(pk=waiting.pk).status == "cancelled"
    assert OutgoingEmail.objects.filter(kind="b2b_request_withdrawn", registration=carol).exists()

    profile = Profile.objects.get(registration=carol)
    changelist = reverse("admin:meetings_profile_changelist")
    admin_client.post(changelist, {"action": "hide", "_selected_action": [profile.pk]})
    assert not Profile.objects.get(pk=profile.pk).is_listed
    with pytest.raises(services.Refused):
        services.request_create(sender=bob, recipient=carol, message="z")

    for name in ("meeting", "meetingrequest", "profile"):
        assert admin_client.get(reverse(f"admin:meetings_{name}_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:meetings_meeting_delete", args=[meeting.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_a_table_with_meetings_is_not_deleted_from_admin(admin_client, programme):
    from meetings import services

    alice, bob = taking_part(programme), taking_part(programme)
    meeting = services.request_accept(
        request=services.request_create(sender=alice, recipient=bob, message="x"),
        registration=bob,
        time=programme.times.first(),
    )
    page = admin_client.get(reverse("admin:meetings_programme_change", args=[programme.pk]))
    assert page.status_code == 200
    delete = reverse("admin:meetings_programme_delete", args=[programme.pk])
    assert delete not in page.text  # the programme has requests: no delete
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    form = page.context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if k in form.fields and v is not None and not isinstance(v, list)
    }
    data["sessions"] = [s.pk for s in programme.sessions.all()]
    for name in ("opens_at", "closes_at"):
        local = form.initial[name].astimezone(programme.edition.tz)
        data[f"{name}_0"], data[f"{name}_1"] = f"{local:%Y-%m-%d}", f"{local:%H:%M}"
    tables = list(programme.tables.all())
    data.update({"tables-TOTAL_FORMS": len(tables), "tables-INITIAL_FORMS": len(tables)})
    for n, table in enumerate(tables):
        data.update({f"tables-{n}-id": table.pk, f"tables-{n}-number": table.number,
                     f"tables-{n}-programme": programme.pk})  # fmt: skip
        if table.pk == meeting.table_id:
            data[f"tables-{n}-DELETE"] = "on"
    data.update({"times-TOTAL_FORMS": 0, "times-INITIAL_FORMS": 0})
    response = admin_client.post(
        reverse("admin:meetings_programme_change", args=[programme.pk]), data
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "protégés" in response.text  # Django's own refusal (the meeting's PROTECT)
    assert programme.tables.filter(pk=meeting.table_id).exists()


def test_staff_who_may_only_look_cannot_cancel_withdraw_or_hide(
    client, programme, django_user_model
):
    """The write actions ask for the model's « change » right: someone with « view » only
    does not see them, and posting them changes nothing; with the right they work."""
    from meetings import services
    from meetings.models import Meeting, MeetingRequest
    from tests.staff.conftest import grant

    alice, bob, carol = (taking_part(programme) for _ in range(3))
    meeting = services.request_accept(
        request=services.request_create(sender=alice, recipient=bob, message="x"),
        registration=bob,
        time=programme.times.order_by("starts_at").first(),
    )
    waiting = services.request_create(sender=bob, recipient=carol, message="y")
    viewer = django_user_model.objects.create_user("lecture", is_staff=True)
    client.force_login(grant(viewer, "view_meeting", "view_meetingrequest", "view_profile"))
    posts = [
        ("meetings_meeting", "cancel", meeting.pk),
        ("meetings_meetingrequest", "withdraw", waiting.pk),
        ("meetings_profile", "hide", Profile.objects.get(registration=carol).pk),
    ]
    for model, action, pk in posts:
        changelist = reverse(f"admin:{model}_changelist")
        assert f'value="{action}"' not in client.get(changelist).text
        client.post(changelist, {"action": action, "_selected_action": [pk]})
    assert Meeting.objects.get(pk=meeting.pk).status == "scheduled"
    assert MeetingRequest.objects.get(pk=waiting.pk).status == "pending"
    assert Profile.objects.get(registration=carol).is_listed

    grant(viewer, "change_meeting", "change_meetingrequest", "change_profile")
    client.force_login(type(viewer).objects.get(pk=viewer.pk))
    for model, action, pk in posts:
        changelist = reverse(f"admin:{model}_changelist")
        assert f'value="{action}"' in client.get(changelist).text
        client.post(changelist, {"action": action, "_selected_action": [pk]})
    assert Meeting.objects.get(pk=meeting.pk).status == "cancelled"
    assert MeetingRequest.objects.get(pk=waiting.pk).status == "cancelled"
    assert not Profile.objects.get(registration=carol).is_listed


def test_staff_lock_a_meeting_the_scheduling_engine_then_never_moves(admin_client, programme):
    from meetings import planning, services

    alice, bob = taking_part(programme), taking_part(programme)
    meeting = services.request_accept(
        request=services.request_create(sender=alice, recipient=bob, message="x"),
        registration=bob,
        time=programme.times.first(),
    )
    changelist = reverse("admin:meetings_meeting_changelist")
    assert 'value="lock"' in admin_client.get(changelist).text
    page = admin_client.post(
        changelist, {"action": "lock", "_selected_action": [meeting.pk]}, follow=True
    )
    assert "1 rendez-vous verrouillé." in page.text
    meeting.refresh_from_db()
    assert meeting.is_locked
    (item,) = planning.problem_of(programme).items
    assert item.locked
    admin_client.post(changelist, {"action": "unlock", "_selected_action": [meeting.pk]})
    meeting.refresh_from_db()
    assert not meeting.is_locked
    (item,) = planning.problem_of(programme).items
    assert not item.locked
