"""The registration list staff work from, its actions, and the CSV exports."""

import csv
import io
import re
from datetime import date

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registration.models import Registration
from registration.search import fold
from staff.admin import CountryFilter
from staff.exports import safe_cell
from staff.models import CheckIn, ExportLog
from tests.factories import make_registration
from tests.staff.conftest import grant
from tests.worker import run_worker

LIST = "/admin/registration/registration/"


@pytest.fixture
def people(edition_2026):
    return {
        "ana": make_registration(
            edition_2026, first_name="Ana", last_name="Souza", country="BR", is_elected=True
        ),
        "bo": make_registration(
            edition_2026,
            first_name="Bo",
            last_name="Chen",
            country="CN",
            organisation_type="association",
            days=[date(2026, 7, 9)],
        ),
        "cy": make_registration(
            edition_2026, first_name="Cy", last_name="Diop", country="SN", status="waitlisted"
        ),
    }


def names_in(response):
    return {r.last_name for r in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Souza", "Chen", "Diop"}),
        ("?status__exact=waitlisted", {"Diop"}),
        ("?jour=2026-07-08", {"Souza", "Diop"}),
        ("?organisation_type__exact=association", {"Chen"}),
        ("?country__exact=BR", {"Souza"}),
        ("?is_elected__exact=1", {"Souza"}),
        ("?arrivee=yes", {"Chen"}),
        ("?arrivee=no", {"Souza", "Diop"}),
        ("?q=chen", {"Chen"}),
        ("?q=ville+de+lyon", {"Souza", "Chen", "Diop"}),
    ],
)
def test_filters_and_search(admin_client, people, query, expected):
    CheckIn.objects.create(registration=people["bo"], day=date(2026, 7, 9), at="2026-07-09T09:12Z")
    response = admin_client.get(LIST + query)
    assert response.status_code == 200
    assert names_in(response) == expected


def test_search_by_checkin_code_and_columns(admin_client, people):
    code = people["bo"].checkin_code
    response = admin_client.get(f"{LIST}?q={code}")
    assert names_in(response) == {"Chen"}
    html = response.content.decode()
    assert "CHEN Bo" in html and "jeu 9" in html and "Chine" in html


def test_list_queries_do_not_grow_with_rows(admin_client, edition_2026, full_workshop):
    """The same number of queries for 3 people as for 33 in many countries (the country and
    session filters' choices are one query each)."""

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(LIST).status_code == 200
        return len(captured)

    queries()  # the edition and the programme are then in the cache, as on a working day
    few = queries()
    for number in range(30):
        make_registration(edition_2026, country=["FR", "SN", "VN", "BR", "CA"][number % 5])
    assert queries() == few <= 12


def test_bookings_inline_shows_waiting_list_positions(admin_client, full_workshop):
    _session, (_first, _second, third) = full_workshop
    response = admin_client.get(f"{LIST}{third.pk}/change/")
    (booking,) = response.context["inline_admin_formsets"][1].formset.queryset
    assert booking.ahead == 1  # second in the queue
    assert re.search(r'class="field-queue_place">\s*<p>2</p>', response.content.decode())


def test_change_category_and_resend_confirmation(admin_client, people):
    ana = people["ana"]
    response = admin_client.post(
        LIST, {"action": "category_speaker", "_selected_action": [ana.pk], "index": "0"}
    )
    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.category == "speaker"

    admin_client.post(
        LIST, {"action": "resend_confirmation", "_selected_action": [ana.pk], "index": "0"}
    )
    run_worker()
    (message,) = mail.outbox
    assert message.to == [ana.email]
    assert "/espace/" in message.body and "badge.pdf" in message.body


def test_export_needs_the_permission_and_is_logged(client, staff_user, people):
    client.force_login(grant(staff_user, "view_registration"))
    post = {"action": "export_csv", "_selected_action": [people["ana"].pk], "index": "0"}
    response = client.post(LIST, post)
    assert response.status_code == 200  # the action is not offered: the list again
    assert not ExportLog.objects.exists()
    assert "export_csv" not in response.content.decode()

    client.force_login(grant(staff_user, "view_registration", "export_registration"))
    response = client.post(LIST + "?country__exact=BR", post)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads the accents right
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows[0][:3] == ["Civilité", "Prénom", "Nom"]
    assert rows[1][1:3] == ["Ana", "Souza"]
    (log,) = ExportLog.objects.all()
    assert (log.user, log.rows, log.filters) == (staff_user, 1, "country__exact=BR")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Ville d'Évry", "Ville d'Évry"),
        ("a=b", "a=b"),
    ],
)
def test_formula_injection_is_neutralised(value, cell):
    assert safe_cell(value) == cell


def test_formula_in_a_name_leaves_the_csv_neutralised(admin_client, edition_2026):
    make_registration(edition_2026, first_name="=cmd|' /C calc'!A0", organisation="@SUM(1+1)*cmd")
    response = admin_client.post(
        LIST,
        {"action": "export_csv", "_selected_action": [1], "select_across": "1", "index": "0"},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode()[1:]), delimiter=";"))
    assert rows[1][1] == "'=cmd|' /C calc'!A0"
    assert rows[1][5] == "'@SUM(1+1)*cmd"
    assert Registration.objects.count() == len(rows) - 1


# --- Search without accents, filters that offer what is there, sessions in the CSV ---------


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Hué", "hue"), ("FRANÇOIS", "francois"), ("Œuvre", "oeuvre"), ("Łódź", "lodz")],
)
def test_fold_drops_accents_and_case(text, folded):
    assert fold(text) == folded


@pytest.fixture
def accented(edition_2026):
    return {
        "hue": make_registration(
            edition_2026, first_name="Thị", last_name="Nguyễn", organisation="Ville de Hué"
        ),
        "francois": make_registration(
            edition_2026, first_name="François", last_name="Lefèvre", organisation="Évry"
        ),
        "hugo": make_registration(edition_2026, first_name="Hugo", last_name="Martin"),
    }


@pytest.mark.sqlite  # accents folded by each engine's own means
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hue", {"Nguyễn"}),
        ("Hué", {"Nguyễn"}),
        ("HUE", {"Nguyễn"}),
        ("nguyen thi", {"Nguyễn"}),
        ("francois", {"Lefèvre"}),
        ("lefevre evry", {"Lefèvre"}),
        ("LEFÈVRE", {"Lefèvre"}),
        ("hu", {"Nguyễn", "Martin"}),
        ("zzz", set()),
    ],
)
def test_search_ignores_accents_and_case(admin_client, accented, query, expected):
    """On SQLite and on PostgreSQL alike (the suite runs on both)."""
    response = admin_client.get(LIST, {"q": query})
    assert response.status_code == 200
    assert names_in(response) == expected


def test_search_follows_a_corrected_name_and_forgets_an_erased_one(admin_client, accented):
    from registration.services import registration_update_details
    from staff.privacy import registration_erase

    registration_update_details(registration=accented["hugo"], data={"last_name": "Hœrbiger"})
    assert names_in(admin_client.get(LIST, {"q": "hoerbiger"})) == {"Hœrbiger"}
    assert names_in(admin_client.get(LIST, {"q": "martin"})) == set()

    registration_erase(registration=accented["hue"])
    erased = Registration.objects.get(pk=accented["hue"].pk)
    assert "nguyen" not in erased.search_text and "hue" not in erased.search_text
    assert names_in(admin_client.get(LIST, {"q": "hue"})) == set()


def test_country_filter_offers_only_the_countries_present(admin_client, people):
    response = admin_client.get(LIST)
    (country_filter,) = [
        spec for spec in response.context["cl"].filter_specs if isinstance(spec, CountryFilter)
    ]
    offered = [label for _value, label in country_filter.lookup_choices]
    assert offered == ["Brésil", "Chine", "Sénégal"]
    html = response.content.decode()
    assert "Afghanistan" not in html and "Zimbabwe" not in html


def test_session_filter_lists_the_confirmed_seats(admin_client, full_workshop):
    session, (first, _second, _third) = full_workshop
    response = admin_client.get(LIST, {"session": session.pk})
    assert response.status_code == 200
    assert {r.pk for r in response.context["cl"].result_list} == {first.pk}
    assert "Atelier thématique 1" in response.content.decode()  # offered in the filter
    # Not a session: ignored with a message, never a server error.
    response = admin_client.get(LIST, {"session": "x' OR 1=1"}, follow=True)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 3


def test_csv_has_the_sessions_formula_safe(admin_client, full_workshop):
    session, (first, second, _third) = full_workshop
    session.title_fr = '=HYPERLINK("http://evil")'
    session.save()
    response = admin_client.post(
        LIST,
        {"action": "export_csv", "_selected_action": [first.pk, second.pk], "index": "0"},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode()[1:]), delimiter=";"))
    column = rows[0].index("Sessions")
    by_name = {row[1]: row[column] for row in rows[1:]}
    assert by_name[first.first_name] == '\'=HYPERLINK("http://evil")'
    assert by_name[second.first_name] == "'=HYPERLINK(\"http://evil\") (liste d'attente)"
