"""What a sign-up costs the server: a fixed number of queries, whatever came before, and
the form's labels formatted once per language rather than at every request."""

import pytest

from registration import forms
from registration.models import Registration
from tests.registration.conftest import form_data

pytestmark = pytest.mark.sqlite  # the sign-up's hand-written SQL (registration/services.py)

URL = "/fr/inscription/"

# In one transaction: the duplicate check; before the edition's lock, the registration
# (on the waiting list), its days, the confirmation in the outbox and its task; under the
# lock, the edition, the sessions, the registration confirmed if a place is left (one
# UPDATE counting them) and the booking (one INSERT counting the seats). The B2B box's
# closing time is kept per programme version (no query); the badge's task is queued after
# the commit (not run by these tests).
SIGN_UP_QUERIES = 1 + 9 + 1  # savepoint and its release included


def test_a_sign_up_costs_a_fixed_number_of_queries(client, open_edition, django_assert_num_queries):
    client.post(URL, form_data(email="first@example.org"))  # caches filled, as in production
    for number in range(2):
        data = form_data(email=f"person{number}@example.org")
        with django_assert_num_queries(SIGN_UP_QUERIES):
            response = client.post(URL, data)
        assert response.status_code == 302
    assert Registration.objects.filter(status="confirmed").count() == 3


def test_labels_are_those_of_the_request_language(client, open_edition):
    """Formatted once per language: a French request after an English one still reads
    French, and the other way round."""
    for _round in range(2):
        english = client.get("/en/registration/").text
        french = client.get(URL).text
        # capitalised as written: « Wednesday 8 July », « Mercredi 8 juillet »
        assert "Wednesday 8 July 2026" in english and "Mercredi 8 juillet 2026" in french
        assert "Wednesday 8 July, 14:30–16:00" in english
        assert "Mercredi 8 juillet, 14:30–16:00" in french
        assert "8 july" not in english
        assert "unch" in english and "ocktail déjeuner du jeudi 9 juillet" in french
        assert "ercredi" not in english and "ednesday" not in french


def test_slot_label_in_the_given_zone_and_language(open_edition):
    from events.models import Slot

    slot = Slot.objects.filter(edition=open_edition).order_by("starts_at").first()
    label, day = forms.slot_label(slot.starts_at, slot.ends_at, slot.title, "en", "UTC")
    assert label.startswith("Wednesday 8 July, ")
    assert day.isoformat() == "2026-07-08"
    assert (
        label != forms.slot_label(slot.starts_at, slot.ends_at, slot.title, "en", "Europe/Paris")[0]
    )  # UTC is two hours behind Paris in July


def test_the_sessions_locked_carry_what_the_booking_checks_read(open_edition):
    """The seat rules and the other apps' checks (the B2B meetings' times) read no column
    left out of the sessions' statement: a deferred one costs a query per session."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from events.models import Session
    from registration import services

    ids = Session.objects.filter(slot__edition=open_edition, type__is_bookable=True)
    ids = list(ids.order_by("pk").values_list("pk", flat=True)[:3])
    with transaction.atomic():
        sessions = services._lock_sessions(ids)
        with CaptureQueriesContext(connection) as queries:
            read = [
                (s.starts_at, s.ends_at, s.slot.edition_id, s.type.is_bookable) for s in sessions
            ]
            read += [s.effective_capacity for s in sessions]
    assert len(read) == 6 and len(queries) == 0, [query["sql"][:80] for query in queries]
