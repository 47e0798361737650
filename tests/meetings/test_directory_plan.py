"""The directory's statement on PostgreSQL reads each listed profile by its registration,
whatever the planner knows of the tables: on a database never analysed (a fresh load, a
restore) a plain join was planned as « every approved profile for each person », which
grows with the square of the people (80 ms a page for 600, 1 ms once analysed)."""

import json

import pytest
from django.db import connection
from django.utils import timezone

from meetings import directory_read
from registration.models import AccessKey

from .conftest import taking_part

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PEOPLE = 120


def rows_visited(plan):
    """Rows that every node of an EXPLAIN ANALYZE plan produced, over all its loops."""
    visited = plan.get("Actual Rows", 0) * plan.get("Actual Loops", 1)
    visited += plan.get("Rows Removed by Filter", 0) + plan.get("Rows Removed by Join Filter", 0)
    return visited + sum(rows_visited(child) for child in plan.get("Plans", ()))


@pytest.mark.parametrize("page", [1, 6])
def test_the_directory_reads_rows_in_proportion_to_the_people(programme, page):
    viewer = taking_part(programme)
    for number in range(PEOPLE):
        taking_part(programme, last_name=f"Nom {number:03}")
    token = AccessKey.issue(viewer)
    # As the view reads it (the statement and values of directory_read._read)…
    read = directory_read.directory_read(token=token, filters={}, page=page, now=timezone.now())
    assert read.found == PEOPLE and read.number == page
    shape, params = directory_read._filter_params({})
    values = [token.partition("-")[0], timezone.now(), *params]
    values += [directory_read.PAGE_SIZE, (page - 1) * directory_read.PAGE_SIZE, *params]
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + directory_read._sql(connection.vendor, shape),
            values,
        )
        (explained,) = cursor.fetchone()
    plan = (explained if isinstance(explained, list) else json.loads(explained))[0]["Plan"]
    # Linear: a few rows per person (the person, their profile, the count's index
    # entries). The planned join of every profile for each person visits PEOPLE² rows.
    assert rows_visited(plan) < 20 * PEOPLE
