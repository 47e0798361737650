"""CSV exports: phone numbers come out as they are, formulas still never run."""

import csv
import io

import pytest

from registration.models import Registration
from staff.exports import safe_cell
from tests.factories import make_registration

LIST = "/admin/registration/registration/"
PHONE_COLUMN = 4

# Stored as E.164; the export writes the international format with spaces only.
PHONES = {
    "France": ("+33612345678", "+33 6 12 34 56 78"),
    "Sénégal": ("+221771234567", "+221 77 123 45 67"),
    "Royaume-Uni": ("+442079460958", "+44 20 7946 0958"),
    "Chine": ("+8613800138000", "+86 138 0013 8000"),
    # The usual international format has hyphens here (+1 202-555-0123, +55 11 91234-5678):
    # a spreadsheet would compute them.
    "États-Unis": ("+12025550123", "+1 202 555 0123"),
    "Brésil": ("+5511912345678", "+55 11 91234 5678"),
}


def exported_rows(client):
    response = client.post(
        LIST,
        {"action": "export_csv", "select_across": "1", "_selected_action": [1], "index": "0"},
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))[1:]


def test_phone_numbers_are_exported_without_an_apostrophe(admin_client, edition_2026):
    for country, (stored, _written) in PHONES.items():
        make_registration(edition_2026, last_name=country, phone=stored)
    make_registration(edition_2026, last_name="Sans téléphone")

    phones = {row[2]: row[PHONE_COLUMN] for row in exported_rows(admin_client)}
    assert phones == {
        **{country: written for country, (_stored, written) in PHONES.items()},
        "Sans téléphone": "",
    }


def test_formulas_around_phone_numbers_are_still_neutralised(admin_client, edition_2026):
    make_registration(
        edition_2026,
        first_name="+cmd|' /C calc'!A0",
        last_name="@SUM(1)",
        organisation="+1+1",
        position="-2+3",
        dietary_needs="=1+1",
        accessibility_needs="+33 6 12 34 56 78+cmd|' /C calc'!A0",
        phone="+33612345678",
    )
    (row,) = exported_rows(admin_client)
    assert row[1:3] == ["'+cmd|' /C calc'!A0", "'@SUM(1)"]
    assert row[5] == "'+1+1"
    assert row[7] == "'-2+3"
    assert row[12:14] == ["'=1+1", "'+33 6 12 34 56 78+cmd|' /C calc'!A0"]
    assert row[PHONE_COLUMN] == "+33 6 12 34 56 78"
    assert Registration.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        # Phone numbers as the export writes them: as they are.
        ("+33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("+1 202 555 0123", "+1 202 555 0123"),
        ("+221 77 123 45 67", "+221 77 123 45 67"),
        # Anything else starting with a formula character: neutralised.
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("=1+1", "'=1+1"),
        ("\t+33 6 12 34 56 78", "'\t+33 6 12 34 56 78"),
        ("\r+33 6 12 34 56 78", "'\r+33 6 12 34 56 78"),
        ("+1 202-555-0123", "'+1 202-555-0123"),  # a subtraction, not our phone format
        ("+33 6 12 34 56 78\r", "'+33 6 12 34 56 78\r"),
        ("+33 6 12 34 56 78 ", "'+33 6 12 34 56 78 "),
        ("+33612345678", "'+33612345678"),  # a number to a spreadsheet, + lost
        ("+33 1 23", "'+33 1 23"),  # too short for a phone number
        ("+1 1", "'+1 1"),
        ("+33 6 12 34 56 78 (bureau)", "'+33 6 12 34 56 78 (bureau)"),
        ("-33 6 12 34 56 78", "'-33 6 12 34 56 78"),
        ("=+33 6 12 34 56 78", "'=+33 6 12 34 56 78"),
    ],
)
def test_only_exact_phone_numbers_escape_the_formula_guard(value, cell):
    assert safe_cell(value) == cell
