"""The calendar rules live in the services (services.CALENDAR), whatever the door: the
attendee's pages, the admin, a command. Tested at their edges with time-machine."""

import uuid
from datetime import timedelta

import pytest

from registration import services
from registration.models import Booking, OutgoingEmail, Registration
from tests.factories import paris
from tests.registration.conftest import change_data, form_data, last_link, workshop
from tests.staff.conftest import sign_up

# The 2026 edition: registration closes on 6 July 2026 at 23:59 (Paris), the event
# ends on 9 July 2026 at 23:59:59.
CLOSES = paris(2026, 7, 6, 23, 59)
ENDS = paris(2026, 7, 9, 23, 59, 59)
SECOND = timedelta(seconds=1)


@pytest.fixture
def person(edition_2026):
    return sign_up(edition_2026, email="a@example.org", sessions=[workshop(1)])


def test_the_fixture_dates_are_those_tested(edition_2026):
    assert edition_2026.registration_closes_at == CLOSES
    assert edition_2026.ends_at.replace(microsecond=0) == ENDS


@pytest.mark.parametrize(("moment", "allowed"), [(CLOSES - SECOND, True), (CLOSES, False)])
def test_changes_stop_when_registration_closes(person, moment, allowed):
    def change():
        services.registration_update(
            registration=person,
            data={"position": "Maire"},
            days=[workshop(1).starts_at.date()],
            session_ids=[workshop(1).pk],
            now=moment,
        )

    if allowed:
        change()
    else:
        with pytest.raises(services.RegistrationClosed):
            change()
    person.refresh_from_db()
    assert (person.position == "Maire") is allowed


@pytest.mark.parametrize(("moment", "allowed"), [(ENDS - SECOND, True), (ENDS + SECOND, False)])
def test_cancelling_stops_when_the_event_is_over(person, moment, allowed):
    def cancel():
        services.registration_cancel(registration=person, now=moment)

    if allowed:
        cancel()
    else:
        with pytest.raises(services.RegistrationClosed):
            cancel()
    person.refresh_from_db()
    assert person.is_cancelled is allowed


def test_no_seat_is_given_after_the_session_began(edition_2026):
    """A seat freed once the workshop has started goes to nobody: no « place freed »
    email after the fact."""
    session = workshop(1)
    session.capacity = 1
    session.save()
    first, second = (
        sign_up(edition_2026, email=f"p{n}@example.org", sessions=[session]) for n in range(2)
    )
    services.registration_cancel(registration=first, now=session.starts_at + SECOND)
    assert Booking.objects.get(registration=second).status == Booking.Status.WAITLISTED
    assert not OutgoingEmail.objects.filter(kind="booking_promoted").exists()


def test_a_seat_freed_before_the_session_goes_to_the_next(edition_2026):
    session = workshop(1)
    session.capacity = 1
    session.save()
    first, second = (
        sign_up(edition_2026, email=f"p{n}@example.org", sessions=[session]) for n in range(2)
    )
    services.registration_cancel(registration=first, now=session.starts_at - SECOND)
    assert Booking.objects.get(registration=second).status == Booking.Status.CONFIRMED


def test_a_session_that_began_cannot_be_booked(edition_2026):
    """Staff register a late guest on 8 July at 15:00: the 14:30 workshop is refused."""
    session = workshop(1)
    with pytest.raises(services.InvalidBooking):
        services.registration_create(
            edition=edition_2026,
            data={
                "last_name": "Tardif",
                "email": "late@example.org",
                "organisation": "Ville",
                "organisation_type": "collectivite",
                "country": "FR",
            },
            days=[session.starts_at.date()],
            session_ids=[session.pk],
            form_token=uuid.uuid4(),
            by_staff=True,
            now=session.starts_at + timedelta(minutes=30),
        )
    assert not Registration.objects.exists()


def test_the_personal_page_follows_the_rules(client, open_edition, send, time_machine):
    send(client.post, "/fr/inscription/", form_data())
    link = last_link("awa.diallo@example.org")
    page = client.get(link).text
    assert "modifier/" in page and "annuler/" in page

    time_machine.move_to(CLOSES + SECOND, tick=False)
    page = client.get(link).text
    assert "modifier/" not in page and "annuler/" in page
    assert "Les inscriptions sont closes" in page
    refused = client.post(link + "modifier/", change_data(position="Maire"))
    assert refused.status_code == 302
    assert Registration.objects.get().position == "Adjointe au maire"

    time_machine.move_to(ENDS + SECOND, tick=False)
    assert "annuler/" not in client.get(link).text
    client.post(link + "annuler/")
    assert Registration.objects.get().status == Registration.Status.CONFIRMED
