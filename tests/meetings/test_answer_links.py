"""A person asked for many meetings keeps a working link in each request's email until that
request expires, and their own links too (AccessKey.issue(until=), meetings/emails.py)."""

import re
from datetime import timedelta

import pytest
from django.core import mail

from meetings import services
from registration import emails as registration_emails
from registration.models import AccessKey, OutgoingEmail

from .conftest import taking_part

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://[^/\s]+(/\S+/(?:b2b/demandes|b2b/requests)/[0-9a-f-]+/)")


def deliver_all(registration):
    for pk in OutgoingEmail.objects.filter(
        registration=registration, status=OutgoingEmail.Status.PENDING
    ).values_list("pk", flat=True):
        registration_emails.deliver(pk)


def test_eight_requests_keep_eight_answer_links_and_the_persons_own(
    client, programme, time_machine
):
    programme.max_meetings = 8
    programme.save()
    bob = taking_part(programme)
    senders = [taking_part(programme) for _ in range(8)]
    requests = []
    for number, sender in enumerate(senders):
        time_machine.shift(timedelta(hours=1))  # the first request expires first
        requests.append(
            services.request_create(sender=sender, recipient=bob, message=f"Bonjour {number}")
        )
        deliver_all(bob)
    answer_links = [LINK.search(m.body).group(1) for m in mail.outbox if m.to == [bob.email]]
    assert len(answer_links) == 8
    # Bob then asks for his own link five times (« renvoyer », « lien perdu »).
    for _ in range(5):
        registration_emails.confirmation_again(bob)
        deliver_all(bob)
    own = re.findall(r"http://\S+?(/fr/inscription/espace/[^/\s]+/)", mail.outbox[-1].body)
    assert own and client.get(own[0]).status_code == 200
    assert AccessKey.objects.filter(registration=bob).count() == 8 + 5

    # Every answer link opens its request, and nothing of them is stored in clear.
    for link in answer_links:
        page = client.get(link)
        assert page.status_code == 200
        assert 'name="action" value="accept"' in page.text
    stored = " ".join(
        OutgoingEmail.objects.filter(kind="b2b_request_received").values_list("body", flat=True)
    )
    assert all(link.split("/espace/")[1].split("/")[0] not in stored for link in answer_links)

    # One answer works through its link; past a request's expiry its link opens nothing.
    first = requests[0]
    time_machine.move_to(first.expires_at + timedelta(minutes=1))
    assert client.get(answer_links[0]).status_code == 404
    assert client.get(answer_links[-1]).status_code == 200
    assert client.get(own[0]).status_code == 200
    # Expired answer keys are cleared with the next key minted.
    AccessKey.issue(bob)
    assert AccessKey.objects.filter(registration=bob, counted=False).count() == 7


def test_a_digest_link_works_until_its_last_request_expires(client, programme, time_machine):
    from meetings.models import Profile

    bob = taking_part(programme)
    Profile.objects.filter(registration=bob).update(wants_digest=True)
    requests = []
    for _ in range(2):
        time_machine.shift(timedelta(hours=1))
        requests.append(
            services.request_create(sender=taking_part(programme), recipient=bob, message="x")
        )
    assert services.digests_send() == 1
    deliver_all(bob)
    (message,) = [m for m in mail.outbox if m.to == [bob.email]]
    links = LINK.findall(message.body)
    assert len(links) == 2
    for _ in range(6):
        AccessKey.issue(bob)  # six links since: the digest's still works
    assert all(client.get(link).status_code == 200 for link in links)
    time_machine.move_to(requests[-1].expires_at + timedelta(minutes=1))
    assert client.get(links[-1]).status_code == 404
