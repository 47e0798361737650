"""The reconfirmation links hold whatever is typed: no 500 for any token or post, no
secret in the logs, nothing opened once the person's data is erased."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.models import Reconfirmation
from outreach.services import campaign_open
from staff.privacy import registration_erase
from tests.outreach.test_reconfirmation import DEADLINE, JUNE, links_to
from tests.registration.test_log_secrets import logged  # noqa: F401 (the fixture)
from tests.worker import run_worker

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def asked(edition_2026, people, time_machine):
    time_machine.move_to(JUNE, tick=False)
    campaign_open(edition=edition_2026, deadline=DEADLINE, user=None)
    run_worker()
    return links_to("ana@example.org")


def test_any_token_or_post_is_a_page(client, asked):
    yes, _no = asked
    prefix = yes.split("/espace/")[0] + "/espace/"

    @FUZZ
    @given(
        token=st.text(
            alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="/?#%\x00"),
            min_size=1,
            max_size=120,
        ),
        answer=st.sampled_from(["oui", "non"]),
        post=st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=3),
    )
    def check(token, answer, post):
        path = f"{prefix}{token}/venue/{answer}/"
        assert client.get(path).status_code in (400, 404)
        assert client.post(path, post).status_code in (400, 403, 404)

    check()
    assert not Reconfirmation.objects.exclude(answer="").exists()


def test_a_refused_post_logs_the_selector_only(asked, logged):  # noqa: F811
    from django.test import Client

    yes, _no = asked
    token = yes.split("/espace/")[1].split("/")[0]
    selector, _sep, secret = token.partition("-")
    response = Client(enforce_csrf_checks=True).post(yes)
    assert response.status_code == 403
    output = logged()
    assert f"/espace/{selector}-[redacted]/venue/oui/" in output
    assert secret not in output


def test_an_erased_person_s_link_opens_nothing(client, asked, people):
    yes, _no = asked
    registration_erase(registration=people["ana"])
    assert client.get(yes).status_code == 404
