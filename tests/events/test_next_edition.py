"""Next year (N8): staff copy an edition in admin — venue, rooms, partners, slots and
sessions moved to the new dates at the same times, marked provisional — registrations stay
behind, and the past edition stays readable as an archive (programme and practical
information, no registration)."""

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import User

from events import services
from events.models import Edition, Session, Slot
from tests.factories import PARIS, make_edition, make_registration, paris

CHANGELIST = "/admin/events/edition/"


@pytest.fixture
def staff(client, db):
    client.force_login(User.objects.create_superuser("staff", "s@example.org", "pw-tests-only"))
    return client


def copy_in_admin(staff, edition, **form):
    data = {"action": "copy_for_next_year", "_selected_action": [edition.pk]}
    staff.post(CHANGELIST, data)  # the form, asking for the number and date
    return staff.post(CHANGELIST, {**data, "apply": "1", **form})


def local(moment):
    return moment.astimezone(PARIS).replace(tzinfo=None)


def test_admin_action_prepares_next_year(staff, edition_2026):
    make_registration(edition_2026)
    provisional_before = list(
        Session.objects.filter(slot__edition=edition_2026).values_list("is_provisional")
    )
    form = staff.post(
        CHANGELIST, {"action": "copy_for_next_year", "_selected_action": [edition_2026.pk]}
    )
    assert form.status_code == 200
    assert form.context["form"].initial == {"number": 18, "start_date": date(2027, 7, 7)}
    assert 'type="date" name="start_date" value="2027-07-07"' in form.text

    response = copy_in_admin(staff, edition_2026, number="18", start_date="2027-07-07")
    new = Edition.objects.get(number=18)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/events/edition/{new.pk}/change/"

    assert not new.is_current and Edition.objects.current() == edition_2026
    assert (new.start_date, new.end_date, new.lunch_day) == (
        date(2027, 7, 7),
        date(2027, 7, 8),
        date(2027, 7, 8),
    )
    assert new.registration_opens_at == paris(2027, 4, 14, 0, 0)
    assert (new.title_fr, new.title_en, new.editorial_fr) == (
        edition_2026.title_fr,
        edition_2026.title_en,
        edition_2026.editorial_fr,
    )
    assert new.venue != edition_2026.venue and new.venue.name == edition_2026.venue.name
    assert new.venue.access_options.count() == 3
    assert sorted(new.venue.rooms.values_list("name_fr", "capacity")) == sorted(
        edition_2026.venue.rooms.values_list("name_fr", "capacity")
    )
    assert new.partners.get().name == "PLATFORMA"
    assert new.registrations.count() == 0 and edition_2026.registrations.count() == 1

    old = {
        (local(s.starts_at), s.title_fr, s.position): s
        for s in Session.objects.filter(slot__edition=edition_2026)
    }
    copied = Session.objects.filter(slot__edition=new).select_related("room", "slot")
    assert len(copied) == len(old) == 24
    for session in copied:
        source = old[
            (local(session.starts_at) - timedelta(days=364), session.title_fr, session.position)
        ]
        assert local(session.ends_at) - local(session.starts_at) == local(source.ends_at) - local(
            source.starts_at
        )
        assert session.is_provisional
        assert session.code != source.code and session.guid != source.guid
        assert session.slot.edition == new
        assert (session.room is None) == (source.room is None)
        if session.room:
            assert session.room.venue == new.venue and session.room.name_fr == source.room.name_fr
    assert Slot.objects.filter(edition=new).count() == 13
    assert (
        list(Session.objects.filter(slot__edition=edition_2026).values_list("is_provisional"))
        == provisional_before
    )  # the original is untouched


def test_times_are_kept_across_a_change_of_daylight_saving(db):
    edition = make_edition(start=date(2026, 7, 8))
    slot = Slot.objects.create(
        edition=edition,
        starts_at=paris(2026, 7, 8, 9, 0),
        ends_at=paris(2026, 7, 8, 10, 30),
        title="Matin",
    )
    new = services.edition_copy(edition=edition, number=999, start_date=date(2027, 1, 13))
    copied = new.slots.get()
    assert local(copied.starts_at) == datetime(2027, 1, 13, 9, 0)
    assert local(copied.ends_at) == datetime(2027, 1, 13, 10, 30)
    assert copied.ends_at - copied.starts_at == slot.ends_at - slot.starts_at


def test_an_existing_number_is_refused(staff, edition_2026):
    response = copy_in_admin(staff, edition_2026, number="17", start_date="2027-07-07")
    assert response.status_code == 200
    assert "existe déjà" in response.text
    assert Edition.objects.count() == 1
    with pytest.raises(services.EditionExists):
        services.edition_copy(edition=edition_2026, number=17, start_date=date(2027, 7, 7))


def test_copy_needs_one_edition(staff, edition_2026):
    other = make_edition(is_current=False)
    response = staff.post(
        CHANGELIST,
        {"action": "copy_for_next_year", "_selected_action": [edition_2026.pk, other.pk]},
        follow=True,
    )
    assert "Choisissez une seule édition à copier." in response.text
    assert Edition.objects.count() == 2


def make_next_year_current(edition_2026):
    new = services.edition_copy(edition=edition_2026, number=18, start_date=date(2027, 7, 7))
    Edition.objects.filter(pk=edition_2026.pk).update(is_current=False)
    new.is_current = True
    new.save()
    return new


def test_the_past_edition_is_an_archive_without_registration(client, edition_2026):
    assert client.get("/fr/archives/17/").status_code == 404  # still the current one
    make_next_year_current(edition_2026)
    Session.objects.filter(
        slot__edition__number=18, title_fr__startswith="Atelier thématique 1"
    ).update(title_fr="Atelier 2027")

    index = client.get("/fr/archives/").text
    assert 'href="/fr/archives/17/"' in index and "mercredi 8 et jeudi 9 juillet 2026" in index
    page = client.get("/fr/archives/17/")
    assert page.status_code == 200
    html = page.text
    assert "Atelier thématique 1 (intitulé à venir)" in html and "Atelier 2027" not in html
    assert "Mercredi 8 juillet 2026" in html
    assert "Métro" in html and "ligne 9" in html
    assert "Les inscriptions sont closes." in html
    main = html.split('<main id="main"')[1].split("</main>")[0]
    assert "/inscription/" not in main
    assert client.get("/en/archives/17/").status_code == 200
    # The programme and home page show the new edition.
    assert "Atelier 2027" in client.get("/fr/programme/").text


def test_a_prepared_edition_is_not_an_archive(client, edition_2026):
    services.edition_copy(edition=edition_2026, number=18, start_date=date(2027, 7, 7))
    assert client.get("/fr/archives/18/").status_code == 404
    assert "/fr/archives/18/" not in client.get("/fr/archives/").text
    for number in (16, 0, 99999999999999999999999):
        assert client.get(f"/fr/archives/{number}/").status_code == 404


@pytest.mark.parametrize("number", ["32768", "99999", "99999999999999999999"])
def test_a_number_beyond_what_the_column_holds_is_refused(staff, edition_2026, number):
    response = copy_in_admin(staff, edition_2026, number=number, start_date="2027-07-07")
    assert response.status_code == 200
    assert "32767" in response.text.replace("\u202f", "").replace(" ", "")
    assert Edition.objects.count() == 1
