"""Reconfirmation: everyone confirmed is asked « do you still come? » with a deadline; the
links work without logging in, show a button on GET and act only on POST, idempotently;
one reminder to the silent; after the deadline staff release the silent people's seats,
which moves the waiting lists with the usual emails."""

import re
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from outreach import services
from outreach.models import Reconfirmation, ReconfirmationCampaign, ReconfirmationKey
from outreach.queries import campaign_figures, unanswered
from registration.models import Booking, OutgoingEmail, Registration
from tests.factories import PARIS
from tests.worker import run_worker

JUNE = datetime(2026, 6, 1, 10, 0, tzinfo=PARIS)
DEADLINE = datetime(2026, 6, 15, 18, 0, tzinfo=PARIS)
ADMIN = "/admin/outreach/reconfirmationcampaign/"

LINKS = re.compile(
    r"http://127\.0\.0\.1:8000(/(?:fr|en)/\S+/(?:venue|attendance)/(?:oui|non|yes|no)/)"
)


def links_to(address, nth=-1):
    """The (yes, no) paths of the last (or nth) reconfirmation email to this address."""
    messages = [m for m in mail.outbox if m.to == [address] and LINKS.search(m.body)]
    yes, no = LINKS.findall(messages[nth].body)
    return yes, no


def test_a_campaign_end_to_end(admin_client, client, edition_2026, people, time_machine):
    time_machine.move_to(JUNE, tick=False)
    ana, ben, chloe = people["ana"], people["ben"], people["chloe"]

    # Staff open the campaign: the form says how many will be asked.
    form = admin_client.get(f"{ADMIN}add/")
    assert "3 personnes confirmées recevront la question" in form.text
    response = admin_client.post(
        f"{ADMIN}add/", {"deadline_0": "15/06/2026", "deadline_1": "18:00:00"}
    )
    campaign = ReconfirmationCampaign.objects.get()
    assert response.status_code == 302
    assert (campaign.deadline, campaign.asked) == (DEADLINE, 3)
    run_worker()
    assert len([m for m in mail.outbox if "Confirmez-vous votre venue" in m.subject]) == 2
    english = [m for m in mail.outbox if m.to == ["chloe@example.org"]][-1]
    assert english.subject == "Will you still come? — Rencontres AICT 2026"
    assert (
        "Rencontres, mercredi 8 et jeudi 9 juillet 2026, Salons"
        in [m for m in mail.outbox if m.to == ["ana@example.org"]][-1].body
    )

    # No secret in what is stored; the links open without login.
    yes, _no = links_to("ben@example.org")
    secret = yes.split("/espace/")[1].split("/")[0].partition("-")[2]
    assert len(secret) >= 43  # 256 bits, urlsafe base64
    assert not any(secret in e.body + e.html_body for e in OutgoingEmail.objects.all())
    assert not ReconfirmationKey.objects.filter(verifier_hash__contains=secret).exists()

    # Ben comes: GET shows a button and changes nothing; POST records it, twice is once.
    page = client.get(yes)
    assert page.status_code == 200 and "Je confirme ma venue" in page.text
    assert "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "same-origin"
    assert Reconfirmation.objects.get(registration=ben).answer == ""
    assert client.post(yes).status_code == 302
    assert client.post(yes).status_code == 302
    text = client.get(yes).text
    assert "vous venez" in text, text[text.find("<main") :][:1500]
    assert Reconfirmation.objects.get(registration=ben).answer == "coming"

    # Chloé cannot come: her registration is cancelled, with the usual email.
    _yes, no_en = links_to("chloe@example.org")
    assert "/en/registration/space/" in no_en and no_en.endswith("/attendance/no/")
    assert "I will not be able to come" in client.get(no_en).text
    assert Registration.objects.get(pk=chloe.pk).status == "confirmed"  # GET changed nothing
    client.post(no_en)
    client.post(no_en)
    assert Registration.objects.get(pk=chloe.pk).status == "cancelled"
    run_worker()
    assert [m.subject for m in mail.outbox if m.to == ["chloe@example.org"]][-1].startswith(
        "Your registration is cancelled"
    )
    assert campaign_figures(campaign) == {
        "coming": 1,
        "not_coming": 1,
        "released": 0,
        "silent": 1,
        "total": 3,
    }

    # Two days before the deadline, one reminder, to Ana only; never a second one.
    before = len(mail.outbox)
    time_machine.move_to(DEADLINE - timedelta(days=2), tick=False)
    run_worker()
    run_worker()
    reminded = mail.outbox[before:]
    assert [m.to for m in reminded] == [["ana@example.org"]]
    assert reminded[0].subject.startswith("Rappel : confirmez-vous votre venue ?")
    assert services.campaign_remind(campaign=campaign) is None

    # Before the deadline, no seat may be released.
    with pytest.raises(services.TooEarly):
        services.campaign_release(campaign=campaign, user=None)
    assert admin_client.get(f"{ADMIN}{campaign.pk}/liberer/").status_code == 302

    # After it: the preview lists Ana; one action releases her seat; Ben gets it.
    time_machine.move_to(DEADLINE + timedelta(hours=1), tick=False)
    assert (
        "Libérer les places des sans-réponse"
        in admin_client.get(f"{ADMIN}{campaign.pk}/change/").text
    )
    preview = admin_client.get(f"{ADMIN}{campaign.pk}/liberer/")
    assert "ana@example.org" in preview.text and "Libérer 1 place" in preview.text
    assert Registration.objects.get(pk=ana.pk).status == "confirmed"  # a preview acts not
    before = len(mail.outbox)
    response = admin_client.post(f"{ADMIN}{campaign.pk}/liberer/", {"expected": "1"})
    assert response.status_code == 302
    assert Registration.objects.get(pk=ana.pk).status == "cancelled"
    assert Booking.objects.get(registration=ben).status == "confirmed"
    run_worker()
    sent = {m.to[0]: m.subject for m in mail.outbox[before:]}
    assert sent["ana@example.org"].startswith("Annulation de votre inscription")
    assert sent["ben@example.org"].startswith("Une place s'est libérée pour vous")
    assert len(sent) == 2
    campaign.refresh_from_db()
    assert campaign.released == 1 and campaign.released_at is not None

    # Again: nobody left; Ana's link now says her seat was released.
    assert admin_client.post(f"{ADMIN}{campaign.pk}/liberer/", {"expected": "0"}).status_code == 302
    assert Registration.objects.filter(status="cancelled").count() == 3  # Ana, Chloé, Dan
    yes_ana, _no = links_to("ana@example.org")
    assert client.post(yes_ana).status_code == 302
    assert Reconfirmation.objects.get(registration=ana).answer == ""


def test_unknown_or_forged_links_are_404(client, edition_2026, people, time_machine):
    time_machine.move_to(JUNE, tick=False)
    services.campaign_open(edition=edition_2026, deadline=DEADLINE, user=None)
    run_worker()
    yes, _no = links_to("ana@example.org")
    selector = yes.split("/espace/")[1].split("-")[0]
    for token in (f"{selector}-wrong", "nothing", f"{'x' * 200}-y", "-"):
        path = reverse("outreach:reconfirm_yes", args=[token])
        assert client.get(path).status_code == 404
        assert client.post(path).status_code == 404
    assert not Reconfirmation.objects.exclude(answer="").exists()


def test_the_silent_list_is_one_query(edition_2026, people, django_assert_num_queries):
    campaign = services.campaign_open(edition=edition_2026, deadline=DEADLINE, user=None, now=JUNE)
    with django_assert_num_queries(1):
        rows = unanswered(campaign)
        assert [r.registration.email for r in rows] == [
            "ana@example.org",
            "ben@example.org",
            "chloe@example.org",
        ]
    with django_assert_num_queries(1):
        assert campaign_figures(campaign)["silent"] == 3


def test_a_changed_list_is_caught_before_releasing(edition_2026, people):
    campaign = services.campaign_open(edition=edition_2026, deadline=DEADLINE, user=None, now=JUNE)
    after = DEADLINE + timedelta(minutes=1)
    with pytest.raises(services.RecipientsChanged):
        services.campaign_release(campaign=campaign, user=None, expected=2, now=after)
    assert Registration.objects.filter(status="cancelled").count() == 1  # Dan only


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_remind_once_and_release_once(edition_2026, people):
    from tests.registration.test_concurrency import run_in_threads

    campaign = services.campaign_open(edition=edition_2026, deadline=DEADLINE, user=None, now=JUNE)
    reminded, errors = run_in_threads(
        [lambda: services.campaign_remind(campaign=campaign, now=DEADLINE - timedelta(days=1))] * 6,
        workers=6,
    )
    assert errors == []
    assert sorted(reminded, key=str) == [3] + [None] * 5
    released, errors = run_in_threads(
        [lambda: services.campaign_release(campaign=campaign, user=None, now=DEADLINE)] * 4,
        workers=4,
    )
    assert errors == []
    assert sum(released) == 3
    assert Reconfirmation.objects.filter(released_at__isnull=False).count() == 3
    assert OutgoingEmail.objects.filter(kind="registration_cancelled").count() == 1 + 3


def test_no_release_once_the_event_is_over(admin_client, edition_2026, people, time_machine):
    """After the event cancelling is closed (registration.services.CALENDAR): the admin says
    so plainly and offers no button, and the service refuses; nobody is cancelled."""
    from registration.services import RegistrationClosed

    time_machine.move_to(JUNE, tick=False)
    campaign = services.campaign_open(edition=edition_2026, deadline=DEADLINE, user=None)
    time_machine.move_to(datetime(2026, 7, 10, 10, 0, tzinfo=PARIS), tick=False)
    change = admin_client.get(f"{ADMIN}{campaign.pk}/change/")
    assert change.status_code == 200
    assert f"{ADMIN}{campaign.pk}/liberer/" not in change.text
    for response in (
        admin_client.get(f"{ADMIN}{campaign.pk}/liberer/", follow=True),
        admin_client.post(f"{ADMIN}{campaign.pk}/liberer/", {"expected": "3"}, follow=True),
    ):
        assert response.status_code == 200
        assert "L&#x27;événement est terminé : plus de places à libérer." in response.text
        assert 'value="Libérer' not in response.text
    with pytest.raises(RegistrationClosed):
        services.campaign_release(campaign=campaign, user=None)
    assert Registration.objects.filter(status="cancelled").count() == 1  # Dan only
    assert not Reconfirmation.objects.filter(released_at__isnull=False).exists()
