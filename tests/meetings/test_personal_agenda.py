"""The one personal agenda: the personal page lists the plenaries of the days attended, the
booked sessions and waiting-list places and the B2B meetings (with whom, their
organisation, the table, the time) in time order. The meetings are read by the link's one
statement (registration.hooks.link_reads); a page kept by pagememo is never stale about
them, whoever changes them (either party, the engine's apply, a counterpart's new name)."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation

from events.models import Session
from meetings import planning, services
from meetings.models import Meeting, MeetingSeat, ScheduleRun
from registration import pagememo, queries
from registration.models import AccessKey, Booking, Registration

from .conftest import taking_part
from .test_planning import crowded  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def page_of(registration, language="fr"):
    with translation.override(language):
        return reverse("registration:manage", kwargs={"token": AccessKey.issue(registration)})


def meet(a, b, time):
    request = services.request_create(sender=a, recipient=b, message="Parlons coopération.")
    return services.request_accept(request=request, registration=b, time=time)


def text_of(response):
    """The page's visible text, whitespace folded."""
    assert response.status_code == 200
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def test_the_page_lists_everything_in_time_order(client, programme):
    alice = taking_part(programme, first_name="Alice", last_name="Durand")
    bob = taking_part(
        programme, first_name="Bob", last_name="Ndiaye", organisation="Ville de Thiès"
    )
    first, *_ = programme.times.all()
    meeting = meet(bob, alice, first)
    # A place on a workshop's waiting list: a row of its own, at its time.
    workshop = Session.objects.get(title_fr="Atelier thématique 1 (intitulé à venir)")
    Booking.objects.create(
        registration=alice, session=workshop, slot=workshop.slot, status="waitlisted"
    )
    text = text_of(client.get(page_of(alice)))
    assert "Mon agenda" in text
    assert "Jours Mercredi 8 juillet, Jeudi 9 juillet" in text  # the days attended, named
    table = f"Table {meeting.table.number}"
    assert f"Rendez-vous B2B avec Bob Ndiaye Ville de Thiès Espace des Partenaires, {table}" in (
        text
    )
    assert "Liste d'attente : position 1" in text
    # In time order: each day's plenaries, the workshop and the meeting where they fall.
    events = sorted(
        [
            *(
                (s.starts_at, s.title_fr)
                for s in Session.objects.filter(
                    type__is_plenary=True, is_published=True, slot__edition=alice.edition
                )
            ),
            (workshop.starts_at, workshop.title_fr),
            (meeting.time.starts_at, "Rendez-vous B2B avec Bob Ndiaye"),
        ]
    )
    positions = [text.index(title) for _start, title in events]
    assert positions == sorted(positions), events
    # The counterpart's address is never shown; Bob's page shows Alice.
    assert bob.email not in text
    assert "Rendez-vous B2B avec Alice Durand" in text_of(client.get(page_of(bob)))


def test_in_english_too(client, programme):
    alice = taking_part(programme, language="en")
    bob = taking_part(programme, first_name="Bob", last_name="Ndiaye")
    meet(bob, alice, programme.times.first())
    text = text_of(client.get(page_of(alice, "en")))
    assert "My agenda" in text and "B2B meeting with Bob Ndiaye" in text
    assert "Partners' Area, Table 1" in text


def test_a_kept_page_follows_the_meetings(client, programme):
    """Accepted, then the counterpart renamed, then cancelled: each shows on the next view,
    and the same state asked again is served from memory (not rendered)."""
    alice = taking_part(programme)
    bob = taking_part(programme, first_name="Bob", last_name="Ndiaye")
    path = page_of(alice)
    pagememo.pages.clear()

    def view():
        response = client.get(path)
        again = client.get(path)
        assert not again.templates and again.content == response.content  # kept
        return text_of(response)

    assert "Rendez-vous B2B" not in view()
    meeting = meet(bob, alice, programme.times.first())
    assert "Rendez-vous B2B avec Bob Ndiaye" in view()
    Registration.objects.filter(pk=bob.pk).update(last_name="Ndiaye-Sarr")
    assert "Rendez-vous B2B avec Bob Ndiaye-Sarr" in view()
    services.meeting_cancel(meeting=meeting, registration=bob)
    assert "Rendez-vous B2B" not in view()


def test_a_kept_page_follows_the_engines_apply(client, crowded):  # noqa: F811
    """The staff engine moves one of Alice's meetings to place Carol's: Alice's page, kept
    before, shows the new times at once."""
    alice, carol = crowded.alice, crowded.carol
    path = page_of(alice)
    before = text_of(client.get(path))
    assert f"Rendez-vous B2B avec {carol.full_name}" not in before
    assert before.count("Rendez-vous B2B avec") == 3
    run = ScheduleRun.objects.create(programme=crowded.request.programme, seconds=5)
    assert planning.build(run.pk) == ScheduleRun.Status.READY
    run.refresh_from_db()
    assert planning.schedule_apply(run=run) is True
    after = text_of(client.get(path))
    assert after.count("Rendez-vous B2B avec") == 4
    assert f"Rendez-vous B2B avec {carol.full_name}" in after
    for meeting in Meeting.objects.filter(seats__registration=alice):
        other = meeting.request.other(alice)
        assert (
            f"Rendez-vous B2B avec {other.full_name} {other.organisation} "
            f"Espace des Partenaires, Table {meeting.table.number}"
        ) in after


def test_the_statement_reads_what_the_orm_reads(programme):
    """The link's read of the meetings (SQL written by hand) against the ORM's answer."""
    alice = taking_part(programme)
    partner = programme.edition.partners.first()
    programme.tables.filter(number=2).update(partner=partner)
    people = [taking_part(programme, organisation=f"Région {n}") for n in range(3)]
    times = list(programme.times.all())
    meetings = [meet(other, alice, time) for other, time in zip(people, times, strict=False)]
    services.meeting_cancel(meeting=meetings[-1], registration=alice)
    read = queries.registration_for_link(AccessKey.issue(alice))
    expected = []
    for meeting in Meeting.objects.filter(
        seats__registration=alice, status=Meeting.Status.SCHEDULED
    ).select_related("time", "table__partner", "request__sender", "request__recipient"):
        other = meeting.request.other(alice)
        expected.append(
            (
                meeting.time.starts_at, meeting.time.ends_at, meeting.table.number,
                meeting.table.partner.name if meeting.table.partner_id else "",
                other.first_name, other.last_name, other.organisation, str(meeting.guid),
            )
        )  # fmt: skip
    assert len(expected) == 2
    assert read.link_read["meetings"] == tuple(sorted(expected))
    # Read on its own (a registration not opened by its link): the same, in one query.
    assert queries.link_read(Registration.objects.get(pk=alice.pk), "meetings") == tuple(
        sorted(expected)
    )


def test_one_query_with_one_meeting_as_with_eight(client, programme):
    """The personal page of someone with 8 meetings costs what it costs with 1: the link's
    one statement, rendered (programme cached) or kept."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    programme.max_meetings = 8
    programme.save()
    for number in range(4, 9):
        programme.tables.create(number=number)
    one, eight = taking_part(programme), taking_part(programme)
    times = list(programme.times.all())
    meet(taking_part(programme), one, times[0])
    for time in times[:8]:
        meet(taking_part(programme), eight, time)
    assert MeetingSeat.objects.filter(registration=eight).count() == 8

    def queries_for(path, *, kept):
        if not kept:
            pagememo.pages.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200
        assert bool(response.templates) is not kept
        return len(captured)

    counts = {}
    for name, registration in (("one", one), ("eight", eight)):
        path = page_of(registration)
        client.get(path)  # the programme's caches filled
        counts[name] = [queries_for(path, kept=False), queries_for(path, kept=True)]
    assert counts == {"one": [1, 1], "eight": [1, 1]}
    assert text_of(client.get(page_of(eight))).count("Rendez-vous B2B avec") == 8


@pytest.mark.once  # judged by the Nu checker, not by the database
def test_the_page_with_meetings_is_valid_html(client, programme, tmp_path):
    from tests.rencontres.test_valid_html import checker_errors, failing, page

    alice = taking_part(programme)
    meet(taking_part(programme), alice, programme.times.first())
    workshop = Session.objects.get(title_fr="Atelier thématique 1 (intitulé à venir)")
    Booking.objects.create(
        registration=alice, session=workshop, slot=workshop.slot, status="waitlisted"
    )
    documents = {lang: page(client, page_of(alice, lang)) for lang in ("fr", "en")}
    assert all("agenda__item--meeting" in html for html in documents.values())
    assert failing(checker_errors(documents, tmp_path)) == ""


def test_the_same_rows_for_a_registration_loaded_otherwise(
    client, programme, django_assert_num_queries
):
    """A reminder or a printed agenda built by the worker has the registration from the
    ORM: the rows are the personal page's, in 3 queries (days, bookings, meetings)."""
    from registration.agenda import agenda_rows

    alice = taking_part(programme)
    meet(taking_part(programme), alice, programme.times.first())
    workshop = Session.objects.get(title_fr="Atelier thématique 1 (intitulé à venir)")
    Booking.objects.create(registration=alice, session=workshop, slot=workshop.slot)
    read = queries.registration_for_link(AccessKey.issue(alice))
    expected = agenda_rows(read)
    assert [row.kind for row in expected].count("meeting") == 1
    loaded = Registration.objects.select_related("edition__venue").get(pk=alice.pk)
    with django_assert_num_queries(3):
        assert agenda_rows(loaded) == expected
