"""The B2B pages: valid HTML (Nu checker) in French and English, including emails, and no
server error whatever is posted or asked (hypothesis)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings import services
from meetings.models import Meeting, Profile
from registration import emails
from registration.models import AccessKey, OutgoingEmail
from tests.pages import LANGUAGES, b2b_paths
from tests.rencontres.test_valid_html import checker_errors, failing, page

from .conftest import taking_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(programme, themes):
    alice, bob, carol = (taking_part(programme, themes=[themes["Eau"]]) for _ in range(3))
    meeting = services.request_accept(
        request=services.request_create(sender=alice, recipient=bob, message="Bonjour"),
        registration=bob,
        time=programme.times.first(),
    )
    pending = services.request_create(sender=carol, recipient=alice, message="Et nous ?")
    return {
        "token": AccessKey.issue(alice),
        "person": Profile.objects.get(registration=carol).pk,
        "request_id": pending.public_id,
        "meeting": meeting.guid,
        "alice": alice,
    }


@pytest.mark.once  # judged by the Nu checker, like the other valid-HTML tests
def test_b2b_pages_and_emails_are_valid_html(client, scene, tmp_path, time_machine):
    documents = {}
    token = scene["token"]
    for lang in LANGUAGES:
        paths = b2b_paths(
            lang, token, person=scene["person"], request_id=scene["request_id"],
            meeting=scene["meeting"],
        )  # fmt: skip
        for path in paths:
            documents[path] = page(client, path)
        documents[f"{paths[4]} (errors)"] = page(client, paths[4], {"message": ""})
        documents[f"{paths[3]}?filtered"] = page(client, paths[3] + "?theme=1&country=FR&q=a")
    for email in OutgoingEmail.objects.filter(kind__startswith="b2b_"):
        token = AccessKey.issue(email.registration) if "received" in email.kind else None
        emails.render(email, token=token)
        documents[f"{email.kind}-{email.pk}.html"] = email.html_body
    # After the meeting's end: the agenda offers the check, then shows it reported.
    meeting = Meeting.objects.select_related("time").get(guid=scene["meeting"])
    time_machine.move_to(meeting.time.ends_at + timedelta(minutes=1), tick=False)
    for lang in LANGUAGES:
        home, *_rest, check = b2b_paths(
            lang, token, person=scene["person"], request_id=scene["request_id"],
            meeting=scene["meeting"],
        )  # fmt: skip
        documents[f"{check} (ended)"] = page(client, check)
        documents[f"{home} (ended)"] = page(client, home)
    services.meeting_report_not_held(meeting=meeting, registration=scene["alice"])
    for lang in LANGUAGES:
        home, *_rest, check = b2b_paths(
            lang, token, person=scene["person"], request_id=scene["request_id"],
            meeting=scene["meeting"],
        )  # fmt: skip
        documents[f"{check} (reported)"] = page(client, check)
        documents[f"{home} (reported)"] = page(client, home)
    assert len(documents) == 2 * 10 + 4 + 2 * 4
    assert failing(checker_errors(documents, tmp_path)) == ""


FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
text = st.text(max_size=200)
ACTIONS = ["accept", "decline", "withdraw", "to_place", "report", "undo"]
values = st.one_of(
    text, st.lists(text, max_size=3), st.sampled_from(["", "1", "on", "FR", "fr", *ACTIONS])
)


def test_no_server_error_on_any_input(client, scene):
    paths = b2b_paths(
        "fr", scene["token"], person=scene["person"], request_id=scene["request_id"],
        meeting=scene["meeting"],
    )  # fmt: skip
    names = [
        "q",
        "theme",
        "organisation_type",
        "country",
        "language",
        "page",
        "message",
        "action",
        "time",
        "note",
        "presentation",
        "themes",
        "countries",
        "languages",
        "is_listed",
    ]

    @FUZZ
    @given(
        st.sampled_from(paths),
        st.booleans(),
        st.dictionaries(st.sampled_from(names), values, max_size=6),
    )
    def check(path, post, data):
        cache.clear()
        response = client.post(path, data) if post else client.get(path, data)
        assert response.status_code in (200, 302, 400, 404, 405)  # 400: a NUL character

    check()
