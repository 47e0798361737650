"""The admin is the staff's workplace: every screen opens, and bad edits get clear errors."""

import pytest
from django.contrib.auth.models import User

from events.models import Room, Session, Slot, Speaker


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
        "starts_at_0": "",
        "starts_at_1": "",
        "ends_at_0": "",
        "ends_at_1": "",
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
        starts_at_0="08/07/2026",
        starts_at_1="17:00",
        ends_at_0="08/07/2026",
        ends_at_1="16:45",
    )
    assert response.status_code == 200
    assert "La fin doit suivre le début." in response.text


def test_session_must_sit_inside_its_slot(staff, edition_2026):
    response = post_session(
        staff,
        starts_at_0="08/07/2026",
        starts_at_1="18:00",
        ends_at_0="08/07/2026",
        ends_at_1="19:00",
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
