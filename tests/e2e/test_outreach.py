"""The reconfirmation link in a real browser: the page it opens passes axe-core, and one
click on its button records the answer (no JavaScript needed, no login)."""

from django.core import mail
from playwright.sync_api import expect

from outreach.models import Reconfirmation
from outreach.services import campaign_open
from tests.e2e.test_accessibility import audit  # noqa: F401 (the fixture)
from tests.outreach.test_reconfirmation import DEADLINE, JUNE, links_to
from tests.staff.conftest import sign_up
from tests.worker import run_worker


def test_answering_from_the_email(page, audit, live_server, live_edition, time_machine):  # noqa: F811
    time_machine.move_to(JUNE, tick=True)
    for language in ("fr", "en"):
        person = sign_up(live_edition, email=f"{language}@example.org")
        person.language = language
        person.save()
    campaign_open(edition=live_edition, deadline=DEADLINE, user=None)
    run_worker()
    assert len(mail.outbox) == 4  # two confirmations, two questions

    for language, (yes_label, no_label) in {
        "fr": ("Je confirme ma venue", "Je ne pourrai pas venir"),
        "en": ("I confirm I will come", "I will not be able to come"),
    }.items():
        yes, no = links_to(f"{language}@example.org")
        for path in (yes, no):
            assert audit(live_server.url + path)[1] == [], path

        page.goto(live_server.url + yes)
        page.get_by_role("button", name=yes_label).click()
        expect(page.get_by_role("status")).to_be_visible()
        assert audit(page.url)[1] == []  # the page after answering
        page.goto(live_server.url + no)
        expect(page.get_by_role("button", name=no_label)).to_be_visible()

    answers = Reconfirmation.objects.values_list("registration__email", "answer")
    assert sorted(answers) == [("en@example.org", "coming"), ("fr@example.org", "coming")]
