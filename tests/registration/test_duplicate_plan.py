"""A sign-up's duplicate check reads the addresses by the one_registration_per_email
constraint's index on PostgreSQL: the ORM's `iexact` (UPPER) could not use it, and its query
filtered every registration of the edition on each sign-up (3.1 ms with 1,900 people)."""

import json
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from registration import services
from registration.models import Registration
from tests.postgres import rows_visited

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PEOPLE = 300


def test_the_duplicate_check_reads_a_few_rows_whatever_the_people(open_edition):
    Registration.objects.bulk_create(
        Registration(
            edition=open_edition,
            status=Registration.Status.CONFIRMED,
            form_token=uuid.uuid4(),
            privacy_consent_at=timezone.now(),
            first_name="Awa",
            last_name=f"Diallo {number}",
            email=f"person{number}@example.org",
            organisation="Ville de Dakar",
        )
        for number in range(PEOPLE)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registration_registration")
    values = [uuid.uuid4(), "PERSON7@example.org", open_edition.pk]
    # What the check finds: the same address, whatever its case.
    (found,) = services._same_form_or_address(open_edition, values[0], values[1])
    assert found.email == "person7@example.org"
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + services._duplicate_sql(connection.vendor), values
        )
        (plan,) = cursor.fetchone()
    plan = (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]
    # By the indexes: the form token's and the address's entries. Filtering the edition's
    # registrations visits all of them.
    assert rows_visited(plan) < 10
