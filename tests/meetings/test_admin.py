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
