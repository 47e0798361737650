"""The home page's registration call follows the registration state, to the minute."""

from datetime import datetime

import time_machine

from tests.factories import PARIS


def home_text(client):
    return client.get("/fr/").text


def test_not_open_on_14_april_at_23_59(client, edition_2026):
    with time_machine.travel(datetime(2026, 4, 14, 23, 59, tzinfo=PARIS), tick=False):
        text = home_text(client)
    assert "Ouverture des inscriptions en ligne :" in text
    assert "15 avril 2026" in text
    assert "sont ouvertes" not in text


def test_open_on_15_april_at_midnight(client, edition_2026):
    with time_machine.travel(datetime(2026, 4, 15, 0, 0, tzinfo=PARIS), tick=False):
        text = home_text(client)
    assert "Les inscriptions en ligne sont ouvertes" in text


def test_cached_page_changes_when_registration_opens(client, edition_2026):
    with time_machine.travel(datetime(2026, 4, 14, 23, 59, tzinfo=PARIS), tick=False):
        assert "sont ouvertes" not in home_text(client)
    with time_machine.travel(datetime(2026, 4, 15, 0, 0, 1, tzinfo=PARIS), tick=False):
        assert "Les inscriptions en ligne sont ouvertes" in home_text(client)


def test_closed_then_over(client, edition_2026):
    with time_machine.travel(datetime(2026, 7, 7, 9, 0, tzinfo=PARIS), tick=False):
        assert "Les inscriptions en ligne sont closes" in home_text(client)
    with time_machine.travel(datetime(2026, 7, 10, 9, 0, tzinfo=PARIS), tick=False):
        assert "Les Rencontres 2026 ont eu lieu les 8 et 9 juillet 2026." in home_text(client)
