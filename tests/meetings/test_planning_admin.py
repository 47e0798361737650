"""Staff run the engine from admin: ask, watch it solve, read the preview, apply."""

import pytest
from django.urls import reverse

from meetings import planning
from meetings.models import Meeting, ScheduleRun

from .test_planning import crowded  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_staff_ask_for_a_run_read_the_preview_and_apply_it(admin_client, crowded):  # noqa: F811
    programme = crowded.request.programme
    page = admin_client.get(reverse("admin:meetings_schedulerun_add"))
    assert page.status_code == 200 and 'name="_save"' in page.text
    page = admin_client.post(
        reverse("admin:meetings_schedulerun_add"), {"programme": programme.pk, "seconds": 5}
    )
    run = ScheduleRun.objects.get()
    assert page.status_code == 302
    assert page["Location"] == reverse("admin:meetings_schedulerun_change", args=[run.pk])
    assert run.status == ScheduleRun.Status.PENDING
    url = reverse("admin:meetings_schedulerun_change", args=[run.pk])
    page = admin_client.get(url)
    assert 'http-equiv="refresh"' in page.text and "étape 0 sur 3" in page.text

    planning.build(run.pk)  # what the task worker does
    page = admin_client.get(url)
    assert page.status_code == 200 and 'http-equiv="refresh"' not in page.text
    assert "3 avant, 4 après" in page.text
    assert "1 rendez-vous déplacé" in page.text and crowded.carol.full_name in page.text
    assert "Appliquer ce planning" in page.text
    listing = admin_client.get(reverse("admin:meetings_schedulerun_changelist"))
    assert listing.status_code == 200 and "3 → 4 / 4 (4)" in listing.text

    page = admin_client.post(reverse("admin:meetings_schedulerun_apply", args=[run.pk]))
    assert page.status_code == 302
    assert Meeting.objects.filter(status=Meeting.Status.SCHEDULED).count() == 4
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.APPLIED
    page = admin_client.get(url)
    assert "Appliquer ce planning" not in page.text

    # Applying again is refused with a message, not an error page.
    page = admin_client.post(
        reverse("admin:meetings_schedulerun_apply", args=[run.pk]), follow=True
    )
    assert page.status_code == 200 and "lancez un nouveau calcul" in page.text


def test_preview_rows_take_three_queries(crowded, django_assert_num_queries):  # noqa: F811
    run = ScheduleRun.objects.create(programme=crowded.request.programme, seconds=5)
    planning.build(run.pk)
    run.refresh_from_db()
    with django_assert_num_queries(3):
        rows = planning.preview_rows(run)
    assert len(rows["moves"]) == 1 and len(rows["new"]) == 1


@pytest.mark.parametrize("seconds", ["0", "601", "-3", "abc", ""])
def test_a_time_limit_out_of_bounds_is_a_form_error(admin_client, programme, seconds):
    page = admin_client.post(
        reverse("admin:meetings_schedulerun_add"), {"programme": programme.pk, "seconds": seconds}
    )
    assert page.status_code == 200 and "errornote" in page.text
    assert not ScheduleRun.objects.exists()
