"""B2B data in the person's copy, their erasure and the yearly purge; their meetings CSV
cannot run a formula."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from meetings import services
from meetings.models import Meeting, MeetingRequest, Profile
from registration.models import AccessKey
from staff import privacy
from tests.worker import run_worker

from .conftest import taking_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def met(programme):
    alice = taking_part(programme, organisation='=HYPERLINK("http://evil")')
    bob = taking_part(programme, first_name="+Bob", organisation="@Ville")
    meeting = services.request_accept(
        request=services.request_create(sender=alice, recipient=bob, message="Message d'Alice"),
        registration=bob,
        time=programme.times.first(),
    )
    return alice, bob, meeting


def test_the_persons_copy_has_their_b2b_data(met):
    alice, bob, _meeting = met
    data = privacy.personal_data(alice)["b2b"]
    assert data["profile"]["presentation"] == "Coopération décentralisée"
    assert data["requests"][0]["message"] == "Message d'Alice"
    assert data["meetings"][0]["status"] == "Prévu"
    assert bob.email not in str(data)


def test_erasure_forgets_the_profile_and_messages_and_tells_the_other(met):
    alice, bob, meeting = met
    privacy.registration_erase(registration=alice)
    from registration.models import OutgoingEmail

    assert OutgoingEmail.objects.filter(registration=bob, kind="b2b_meeting_cancelled").exists()
    assert not Profile.objects.filter(registration=alice).exists()
    assert MeetingRequest.objects.get().message == "—"
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED


def test_erasure_deletes_the_persons_directory_cards_from_the_shared_cache(
    client, programme, django_capture_on_commit_callbacks, time_machine
):
    """The directory shares each card between processes (meetings/directory.py): once a
    person is erased, no card of theirs is left there, in any language, and the directory
    no longer shows them."""
    from django.core.cache import cache

    from meetings import directory

    alice = taking_part(programme)
    bob = taking_part(programme, first_name="Bérénice", last_name="Ouédraogo")
    bobs = Profile.objects.get(registration=bob).pk
    token = AccessKey.issue(alice)
    for language in ("fr", "en"):
        with translation.override(language):
            link = reverse("meetings:directory", kwargs={"token": token})
        page = client.get(link)
        assert "Ouédraogo" in page.text
        assert "Ouédraogo" in str(cache.get(directory.shared_key(bobs, language)))

    with django_capture_on_commit_callbacks(execute=True):
        privacy.registration_erase(registration=bob)

    assert cache.get(directory.shared_key(bobs, "fr")) is None
    assert cache.get(directory.shared_key(bobs, "en")) is None
    assert "Ouédraogo" not in client.get(link).text

    # A page that read Bob before the erasure committed stores his card after that first
    # deletion: the worker deletes it once more, minutes later.
    cache.set(directory.shared_key(bobs, "fr"), ("stale", "Ouédraogo"))
    run_worker(badges=False)
    assert cache.get(directory.shared_key(bobs, "fr")) is not None  # not yet
    time_machine.move_to(timezone.now() + directory.FORGET_AGAIN_AFTER + timedelta(seconds=1))
    run_worker(badges=False)
    assert cache.get(directory.shared_key(bobs, "fr")) is None


def test_purge_forgets_b2b_data(met, time_machine):
    from datetime import datetime

    from tests.factories import PARIS

    time_machine.move_to(datetime(2027, 7, 10, 3, tzinfo=PARIS))
    privacy.registrations_purge()
    assert not Profile.objects.exists()
    assert set(MeetingRequest.objects.values_list("message", flat=True)) == {"—"}


def test_meetings_csv_is_formula_safe(client, met):
    alice, bob, _meeting = met
    for person, other in ((alice, bob), (bob, alice)):
        token = AccessKey.issue(person)
        response = client.get(reverse("meetings:meetings_csv", kwargs={"token": token}))
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert len(rows) == 2
        assert all(not cell.startswith(("=", "+", "-", "@")) for cell in rows[1])
        assert rows[1][3] == "'" + other.organisation


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_erased_person_is_no_longer_named_in_the_other_partys_messages(programme, language):
    """Bob's messages about Alice (the acceptance already sent, the cancellation her
    erasure queues, a digest waiting) stop naming her, in what is stored and in what the
    worker renders later."""
    from django.core import mail

    from registration import emails as registration_emails
    from registration.models import OutgoingEmail

    alice = taking_part(programme, first_name="Aurélie", last_name="O'Quinlan",
                        organisation="Ville d'Ouessant")  # fmt: skip
    bob = taking_part(programme, language=language)
    carol = taking_part(programme)
    services.request_accept(
        request=services.request_create(
            sender=alice, recipient=bob, message="Bonjour, je suis adjointe : 06 12 34 56 78"
        ),
        registration=bob,
        time=programme.times.first(),
    )
    services.request_create(sender=carol, recipient=bob, message="y")
    Profile.objects.filter(registration=bob).update(wants_digest=True)
    services.request_create(sender=alice, recipient=carol, message="Mon portable : 0698765432")
    for pk in OutgoingEmail.objects.filter(registration=bob).values_list("pk", flat=True):
        registration_emails.deliver(pk)
    assert any("O'Quinlan" in m.body for m in mail.outbox if m.to == [bob.email])

    privacy.registration_erase(registration=alice)
    mail.outbox.clear()
    pending = OutgoingEmail.objects.filter(registration=bob, status="pending")
    assert pending.filter(kind="b2b_meeting_cancelled").exists()
    for pk in pending.values_list("pk", flat=True):
        registration_emails.deliver(pk)
    # Her request to Carol, not sent yet, is gone with the request; what she wrote to Bob
    # (a phone number) is cut from what was sent.
    assert not OutgoingEmail.objects.filter(registration=carol, kind="b2b_request_received")
    words = ("Aurélie", "Quinlan", "Ouessant", "06 12 34 56 78", "0698765432")
    for email in OutgoingEmail.objects.filter(registration__in=[bob, carol]):
        stored = f"{email.context} {email.subject} {email.body} {email.html_body}"
        assert not any(word in stored for word in words), email.kind
    (cancelled,) = mail.outbox
    assert not any(word in cancelled.body for word in words)
    expected = {"fr": "une personne qui ne participe plus", "en": "a person no longer taking part"}
    assert expected[language] in cancelled.body.replace("\n", " ").lower()
    assert carol.full_name in str(OutgoingEmail.objects.filter(registration=bob).values_list(
        "body", flat=True))  # fmt: skip
