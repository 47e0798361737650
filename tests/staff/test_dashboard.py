"""Dashboard and per-session fill: pictures with their numbers, for staff only."""

import itertools
from datetime import date, datetime

import pytest

from staff import charts
from staff.dashboard import EventDay, event_days, registrations_per_day
from staff.models import CheckIn
from tests.factories import PARIS, make_registration
from tests.staff.conftest import grant


def test_cumulative_line_climbs_to_the_total():
    from datetime import date

    line = charts.cumulative_line(
        [(date(2026, 4, 15), 3), (date(2026, 4, 16), 0), (date(2026, 4, 17), 5)]
    )
    ys = [float(p.split(",")[1]) for p in line.points.split()]
    assert ys[0] > ys[2] and ys[0] == ys[1]  # SVG y grows downwards
    assert line.last[2] == 8


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        (0, (0, 1)),
        (1, (0, 1)),
        (3, (0, 1, 2, 3)),  # was « 0 1 2 2 3 »
        (5, (0, 1, 2, 3, 4, 5)),
        (7, (0, 2, 4, 6, 8)),
        (10, (0, 2, 4, 6, 8, 10)),
        (11, (0, 5, 10, 15)),
        (99, (0, 20, 40, 60, 80, 100)),
        (101, (0, 50, 100, 150)),
        (640, (0, 200, 400, 600, 800)),
        (1234, (0, 500, 1000, 1500)),
    ],
)
def test_value_ticks_are_whole_even_steps(largest, ticks):
    assert charts.value_ticks(largest) == ticks


@pytest.mark.parametrize("largest", range(0, 2500, 7))
def test_value_ticks_always_cover_the_largest_in_distinct_round_steps(largest):
    ticks = charts.value_ticks(largest)
    steps = {b - a for a, b in itertools.pairwise(ticks)}
    (step,) = steps  # equal steps, so no label repeats
    assert str(step).strip("0") in {"1", "2", "5"}
    assert ticks[0] == 0 and ticks[-2] < max(largest, 1) <= ticks[-1]
    assert len(ticks) <= 6


def test_line_axis_labels_are_the_ticks_and_the_line_stays_inside():
    from datetime import date

    line = charts.cumulative_line([(date(2026, 4, 15), 2), (date(2026, 4, 16), 1)])
    assert [label for _y, label in line.grid] == [0, 1, 2, 3]
    top_y = line.grid[-1][0]
    assert line.last[1] == top_y  # 3, the total, on the top grid line


def test_bars_scale_to_the_largest():
    chart = charts.horizontal_bars([("A", 10), ("B", 5), ("C", 0)])
    assert [bar.width for bar in chart.bars] == [360.0, 180.0, 0.0]
    assert [bar.text for bar in chart.bars] == ["10", "5", "0"]
    capped = charts.horizontal_bars([("Full", 130, "13/10")], maximum=100)
    assert capped.bars[0].width == 360.0


@pytest.fixture
def filled(edition_2026, time_machine, full_workshop):
    time_machine.move_to(datetime(2026, 7, 8, 9, 40, tzinfo=PARIS), tick=False)
    make_registration(edition_2026, country="SN", is_elected=True, organisation_type="reseau")
    _session, (first, *_rest) = full_workshop
    CheckIn.objects.create(
        registration=first, day=first.days.first().day, at=datetime(2026, 7, 8, 9, 5, tzinfo=PARIS)
    )
    return edition_2026


def test_dashboard_shows_pictures_and_numbers(admin_client, filled, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        response = admin_client.get("/admin/outils/tableau-de-bord/")
    html = response.content.decode()
    assert html.count("<svg") >= 5 and 'role="img"' in html
    assert "4 inscriptions en cours" in html
    assert '<th scope="row">Sénégal</th><td>1</td>' in html
    assert '<th scope="row">France</th><td>3</td>' in html
    assert "25 %" in html  # one elected in four
    assert '<th scope="row">9h</th><td>1</td>' in html  # the 9:05 arrival


def test_registrations_per_day_from_the_opening(filled):
    days = registrations_per_day(filled, today=datetime(2026, 7, 8).date())
    assert days[0][0].isoformat() == "2026-04-15"
    assert sum(n for _d, n in days) == 4


def test_session_fill_and_who_is_booked(admin_client, filled, full_workshop):
    session, _people = full_workshop
    html = admin_client.get("/admin/outils/sessions/").content.decode()
    assert '<meter min="0" max="1"' in html and "100 %" in html
    detail = admin_client.get(f"/admin/outils/sessions/{session.pk}/").content.decode()
    assert detail.count("Attente n°") == 2 and "Attente n° 2" in detail
    export = admin_client.get(f"/admin/outils/sessions/{session.pk}/export.csv")
    lines = export.content.decode().splitlines()
    assert len(lines) == 4 and lines[2].startswith("Liste d'attente;1;")


def test_staff_pages_need_permissions(client, staff_user, filled, full_workshop):
    session, _people = full_workshop
    client.force_login(staff_user)
    for url in ["/admin/outils/tableau-de-bord/", "/admin/outils/sessions/"]:
        assert client.get(url).status_code == 403
    client.force_login(grant(staff_user, "view_registration"))
    assert client.get("/admin/outils/tableau-de-bord/").status_code == 200
    assert client.get(f"/admin/outils/sessions/{session.pk}/export.csv").status_code == 403


def test_each_day_expected_lunch_and_arrivals(edition_2026, django_assert_num_queries):
    """Confirmed people of each day, those of them taking the lunch, and the arrivals."""
    wed, thu = date(2026, 7, 8), date(2026, 7, 9)
    a = make_registration(edition_2026, lunch=True, days=[wed])
    b = make_registration(edition_2026, lunch=True, days=[wed, thu])
    make_registration(edition_2026, lunch=False, days=[thu])
    make_registration(edition_2026, lunch=True, days=[wed, thu], status="waitlisted")
    make_registration(edition_2026, lunch=True, days=[wed, thu], status="cancelled")
    for person, day in ((a, wed), (b, wed), (b, thu)):
        CheckIn.objects.create(
            registration=person, day=day, at=datetime(2026, 7, 8, 9, tzinfo=PARIS)
        )
    with django_assert_num_queries(2):
        days = event_days(edition_2026)
    assert days == [EventDay(wed, 2, 2, 2), EventDay(thu, 2, 1, 1)]
    assert [d.percent for d in days] == [100, 50]


def test_event_day_percent_without_anyone_expected():
    assert EventDay(date(2026, 7, 8), 0, 0, 0).percent == 0
    assert EventDay(date(2026, 7, 8), 3, 0, 1).percent == 33


def test_session_lists_follow_the_programme_s_order_in_a_slot(edition_2026):
    """Staff put workshop 2 before workshop 1 in their slot: the fill list, the booking
    filter and the staff message's session choices show them as the programme does."""
    from django.test import RequestFactory

    from outreach.forms import StaffMessageForm
    from registration.models import Registration
    from staff.admin import RegistrationAdmin, SessionFilter
    from staff.queries import session_fill
    from tests.registration.conftest import workshop

    one, two = workshop(1), workshop(2)
    assert one.slot_id == two.slot_id and one.title_fr < two.title_fr
    for session, position in ((one, 2), (two, 1)):
        session.position = position
        session.save()

    def first_two(pks):
        return [pk for pk in pks if pk in (one.pk, two.pk)]

    assert first_two([fill.session.pk for fill in session_fill(edition_2026)]) == [two.pk, one.pk]
    request = RequestFactory().get("/")
    choices = SessionFilter(request, {}, Registration, RegistrationAdmin).lookup_choices
    assert first_two([int(value) for value, _label in choices]) == [two.pk, one.pk]
    form = StaffMessageForm(edition=edition_2026)
    assert first_two([s.pk for s in form.fields["session"].queryset]) == [two.pk, one.pk]
