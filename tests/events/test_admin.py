"""The admin is the staff's workplace: every screen opens, and bad edits get clear errors."""

import pytest
from django.contrib.auth.models import User
from hypothesis import given
from hypothesis import strategies as st

from events.models import Room, Session, Slot, Speaker
from tests.factories import PARIS


@pytest.fixture
def staff(client, db):
    client.force_login(User.objects.create_superuser("staff", "s@example.org", "pw-tests-only"))
    return client


@pytest.mark.parametrize(
    "model", ["edition", "venue", "slot", "sessiontype", "room", "speaker", "session", "partner"]
)
def test_every_list_and_form_opens(staff, edition_2026, model):
    Speaker.objects.create(name="Une intervenante", role="Maire")
    listing = staff.get(f"/admin/events/{model}/")
    assert listing.status_code == 200
    assert staff.get(f"/admin/events/{model}/add/").status_code == 200
    obj = listing.context["cl"].result_list[0]
    assert staff.get(f"/admin/events/{model}/{obj.pk}/change/").status_code == 200


def test_admin_is_in_french_with_both_languages_editable(staff, edition_2026):
    html = staff.get("/admin/events/session/add/").text
    assert "Ajout de session" in html
    assert 'name="title_fr"' in html and 'name="title_en"' in html


def test_session_list_filters_and_searches(staff, edition_2026):
    response = staff.get("/admin/events/session/", {"q": '"Atelier thématique 3"'})
    assert [s.title for s in response.context["cl"].result_list] == [
        "Atelier thématique 3 (intitulé à venir)"
    ]
    slots = staff.get("/admin/events/slot/").context["cl"].result_list
    assert [s.starts_at for s in slots] == sorted(s.starts_at for s in slots)


# The slot page lists its sessions read-only: nothing of them is posted.
NO_INLINE = {"sessions-TOTAL_FORMS": "0", "sessions-INITIAL_FORMS": "0"}


def post_session(staff, session=None, **changes):
    data = {
        "title_fr": "Atelier ajouté",
        "title_en": "",
        "description_fr": "",
        "description_en": "",
        "type": 4,
        "language": "fr",
        "slot": Slot.objects.get(title_fr="Conférence plénière").pk,
        "room": "",
        "start": "",
        "end": "",
        "capacity": "",
        "position": "1",
        "is_published": "on",
    }
    data.update(changes)
    url = f"/admin/events/session/{session.pk}/change/" if session else "/admin/events/session/add/"
    return staff.post(url, data)


def test_session_takes_its_slot_times_when_left_empty(staff, edition_2026):
    assert post_session(staff).status_code == 302
    session = Session.objects.get(title_fr="Atelier ajouté")
    assert (session.starts_at, session.ends_at) == (session.slot.starts_at, session.slot.ends_at)


def test_session_must_end_after_it_starts(staff, edition_2026):
    response = post_session(
        staff,
        start="17h",
        end="16h45",
    )
    assert response.status_code == 200
    assert "La fin doit suivre le début." in response.text


def test_session_must_sit_inside_its_slot(staff, edition_2026):
    response = post_session(
        staff,
        start="18h",
        end="19h",
    )
    assert response.status_code == 200
    assert "La session doit se tenir dans son créneau" in response.text


def test_two_sessions_never_share_a_room(staff, edition_2026):
    grand_salon = Room.objects.get(name_fr="Grand Salon")
    response = post_session(staff, room=grand_salon.pk)  # the plenary is there
    assert response.status_code == 200
    assert (
        "La salle Grand Salon est déjà occupée à ce moment par « Conférence plénière thématique »."
        in response.text.replace("&#x27;", "'")
    )
    assert not Session.objects.filter(title_fr="Atelier ajouté").exists()


def test_colour_must_be_hexadecimal(staff, edition_2026):
    response = staff.post(
        "/admin/events/sessiontype/add/",
        {"slug": "x", "name_fr": "X", "colour": "red;}", "position": 1},
    )
    assert response.status_code == 200
    assert "Une couleur s&#x27;écrit #rrvvbb" in response.text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("15h30", "15:30"),
        ("15:30", "15:30"),
        ("15 h 30", "15:30"),
        ("9h", "09:00"),
        ("15.30", "15:30"),
        ("1530", "15:30"),
        ("16H45", "16:45"),
    ],
)
def test_friendly_times_are_understood(typed, expected):
    from events.forms import parse_time

    assert parse_time(typed).strftime("%H:%M") == expected


@pytest.mark.parametrize("typed", ["25h", "15h61", "midi", "15h3", "", "1h30h"])
def test_other_times_are_refused(typed):
    from events.forms import parse_time

    assert parse_time(typed) is None


def test_a_session_takes_staff_times_typed_as_they_write_them(staff, edition_2026):
    workshop = Session.objects.get(title_fr__startswith="Atelier thématique 5")
    data = {"slot": workshop.slot_id, "type": workshop.type_id, "title_fr": workshop.title_fr}
    assert post_session(staff, workshop, **data, start="15h45", end="16:30").status_code == 302
    workshop.refresh_from_db()
    assert workshop.own_times
    assert f"{workshop.starts_at.astimezone(PARIS):%H:%M}" == "15:45"
    assert f"{workshop.ends_at.astimezone(PARIS):%H:%M}" == "16:30"
    assert workshop.sequence == 1  # calendars replace their copy


def test_moving_a_session_to_another_slot_takes_that_slot_times(staff, edition_2026):
    """No more four date/time boxes to retype: a new slot is enough."""
    workshop = Session.objects.get(title_fr__startswith="Atelier thématique 5")
    morning = Slot.objects.get(
        pk=Session.objects.get(title_fr__startswith="Atelier thématique 3").slot_id
    )
    data = {"type": workshop.type_id, "title_fr": workshop.title_fr, "room": ""}
    assert post_session(staff, workshop, **data, slot=morning.pk).status_code == 302
    workshop.refresh_from_db()
    assert (workshop.starts_at, workshop.ends_at) == (morning.starts_at, morning.ends_at)
    assert not workshop.own_times


def test_shifting_a_slot_moves_its_sessions(staff, edition_2026):
    workshop = Session.objects.get(title_fr__startswith="Atelier thématique 5")
    slot = workshop.slot
    response = staff.post(
        f"/admin/events/slot/{slot.pk}/change/",
        {
            "edition": slot.edition_id,
            "title_fr": slot.title_fr,
            "title_en": "",
            "day": "09/07/2026",
            **NO_INLINE,
            "start": "15h45",
            "end": "17h",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    workshop.refresh_from_db()
    assert f"{workshop.starts_at.astimezone(PARIS):%H:%M}" == "15:45"
    assert f"{workshop.ends_at.astimezone(PARIS):%H:%M}" == "17:00"
    assert workshop.slot.starts_at == workshop.starts_at


def test_a_slot_too_short_for_a_session_with_its_own_times_is_refused(staff, edition_2026):
    workshop = Session.objects.get(title_fr__startswith="Atelier thématique 5")
    workshop.own_times = True
    workshop.save()
    slot = workshop.slot
    response = staff.post(
        f"/admin/events/slot/{slot.pk}/change/",
        {
            "edition": slot.edition_id,
            "title_fr": slot.title_fr,
            "title_en": "",
            "day": "09/07/2026",
            **NO_INLINE,
            "start": "15h30",
            "end": "16h30",
        },
    )
    assert response.status_code == 200
    assert "ne tient plus dans le créneau" in response.text
    slot.refresh_from_db()
    assert f"{slot.ends_at.astimezone(PARIS):%H:%M}" == "17:00"


@given(st.text(max_size=40))
def test_any_typed_time_gets_an_answer_never_a_crash(typed):
    from django.core.exceptions import ValidationError

    from events.forms import FriendlyTimeField

    try:
        value = FriendlyTimeField(required=False).clean(typed)
    except ValidationError:
        return
    assert value is None or value.strftime("%H:%M")
