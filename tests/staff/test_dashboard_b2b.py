"""The dashboard's B2B figures: profiles, requests by state, meetings placed / held / not
held, by organisation type and country, the most requested themes; in a fixed number of
queries."""

from datetime import timedelta

import pytest

from meetings import services
from staff import b2b_figures
from tests.meetings.conftest import in_may, programme, taking_part, themes  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(programme, themes, time_machine):  # noqa: F811
    """Alice (FR, collectivité) meets Bob (SN, association) and Carol; Bob's meeting is
    reported not held; Dan's request to Alice is declined, Eve's expires, Fay's waits;
    Gus is waiting for approval."""
    eau, climat = themes["Eau"], themes["Climat"]
    alice = taking_part(programme, themes=[eau, climat])
    bob = taking_part(programme, country="SN", organisation_type="association", themes=[climat])
    carol, dan, eve, fay = (taking_part(programme) for _ in range(4))
    taking_part(programme, approved=False, country="SN")  # Gus
    times = list(programme.times.order_by("starts_at"))

    def ask(sender, recipient):
        return services.request_create(sender=sender, recipient=recipient, message="Bonjour")

    with_bob = services.request_accept(request=ask(bob, alice), registration=alice, time=times[0])
    services.request_accept(request=ask(carol, alice), registration=alice, time=times[1])
    services.request_decline(request=ask(dan, alice), registration=alice)
    ask(eve, bob)
    services.requests_expire(now=programme.closes_at)
    ask(fay, bob)
    time_machine.move_to(with_bob.time.ends_at + timedelta(minutes=1), tick=False)
    services.meeting_report_not_held(meeting=with_bob, registration=alice)
    return {"alice": alice, "bob": bob}


def test_profiles_requests_and_meetings(scene, programme):  # noqa: F811
    assert b2b_figures.profile_counts(programme) == {"listed": 6, "pending": 1, "taking_part": 7}
    requests = b2b_figures.request_counts(programme)
    assert requests == {
        "sent": 5,
        "pending": 1,
        "accepted": 2,
        "declined": 1,
        "expired": 1,
        "cancelled": 0,
        "to_place": 0,
    }
    from django.utils import timezone

    meetings = b2b_figures.meeting_counts(programme, timezone.now())
    assert meetings == {"placed": 2, "held": 0, "not_held": 1, "to_come": 1}


def test_by_organisation_type_and_country(scene, programme):  # noqa: F811
    types, places = b2b_figures.by_group(programme)
    by_type = {g.label: g for g in types}
    local = by_type["Collectivité territoriale"]
    assert (local.profiles, local.sent, local.received, local.meetings) == (6, 4, 3, 3)
    # Of the 3 requests Alice received: Bob's and Carol's accepted, Dan's declined; of Bob's
    # 2, Eve's expired (Fay's waits). Held: none has ended but Bob's, reported not held.
    assert (local.accepted, local.declined, local.expired, local.held) == (2, 1, 0, 0)
    ngo = by_type["Association / ONG"]
    assert (ngo.profiles, ngo.sent, ngo.received, ngo.meetings) == (1, 1, 2, 1)
    assert (ngo.accepted, ngo.declined, ngo.expired, ngo.held) == (0, 0, 1, 0)
    # Once Carol's meeting with Alice has ended (held: nobody said otherwise), both count it.
    later = max(t.ends_at for t in programme.times.all()) + timedelta(minutes=1)
    types, _places = b2b_figures.by_group(programme, now=later)
    assert {g.label: g.held for g in types}["Collectivité territoriale"] == 2
    by_country = {g.label: g for g in places}
    assert by_country["Sénégal"].profiles == 2  # Bob and Gus, pending
    assert by_country["France"].meetings == 3
    assert types[0].label == "Collectivité territoriale"  # most meetings first


def test_most_requested_themes(scene, programme):  # noqa: F811
    # Alice (Eau, Climat) received 3 requests, Bob (Climat) 2.
    assert b2b_figures.most_requested_themes(programme) == [
        ("Climat", 5),
        ("Eau et assainissement", 3),
    ]


def test_queries_do_not_grow_with_people(scene, programme, django_assert_num_queries):  # noqa: F811
    edition = programme.edition
    with django_assert_num_queries(6):
        before = b2b_figures.b2b_figures(edition)
    for _ in range(15):
        taking_part(programme, country="ML", organisation_type="entreprise")
    with django_assert_num_queries(6):
        after = b2b_figures.b2b_figures(edition)
    assert after["profiles"]["taking_part"] == before["profiles"]["taking_part"] + 15


def test_the_dashboard_shows_them_with_charts_and_tables(admin_client, scene):
    page = admin_client.get("/admin/outils/tableau-de-bord/")
    assert page.status_code == 200
    html = page.text
    assert "2 rendez-vous placés" in html
    assert 'id="b2b-requests-title"' in html and 'id="b2b-themes-title"' in html
    assert '<th scope="row">Déclinées</th><td>1</td>' in html
    senegal = "".join(f"<td>{n}</td>" for n in (2, 1, 2, 0, 0, 1, 1, 0))
    assert f'<th scope="row">Sénégal</th>{senegal}' in html
    assert '<th scope="row">Climat</th><td>5</td>' in html
    assert "7 profils : 6 dans l'annuaire, 1 en attente de validation." in html


def test_no_b2b_section_without_a_programme(admin_client, edition_2026):
    from meetings.models import Programme

    Programme.objects.filter(edition=edition_2026).delete()
    page = admin_client.get("/admin/outils/tableau-de-bord/")
    assert page.status_code == 200 and "b2b-requests" not in page.text


@pytest.mark.once
def test_the_dashboard_with_b2b_figures_is_valid_html(admin_client, scene, tmp_path):
    from tests.rencontres.test_valid_html import checker_errors, failing, page

    documents = {"dashboard": page(admin_client, "/admin/outils/tableau-de-bord/")}
    assert failing(checker_errors(documents, tmp_path)) == ""
