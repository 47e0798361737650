"""The directory's statement on PostgreSQL reads each listed profile by its registration,
whatever the planner knows of the tables: on a database never analysed (a fresh load, a
restore) a plain join was planned as « every approved profile for each person », which
grows with the square of the people (80 ms a page for 600, 1 ms once analysed)."""

import json
import re

import pytest
from django.db import connection
from django.utils import timezone

from meetings import directory_read
from registration.models import AccessKey
from tests.postgres import rows_visited

from .conftest import taking_part

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PEOPLE = 120


def explained(sql, values, mode):
    """EXPLAIN ANALYZE of `sql` prepared, as `prepared` runs it, under plan_cache_mode
    `mode`: the generic plan production runs (plan_once), or one planned for the values."""
    numbers = iter(range(1, len(values) + 1))
    text = re.sub("%s", lambda _match: f"${next(numbers)}", sql)
    with connection.cursor() as cursor:
        cursor.execute(f"SET plan_cache_mode = {mode}")  # undone with the test's transaction
        cursor.execute("PREPARE directory_plan AS " + text)
        arguments = ", ".join(["%s"] * len(values))
        cursor.execute(
            f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE directory_plan({arguments})", values
        )
        (plan,) = cursor.fetchone()
        cursor.execute("DEALLOCATE directory_plan")
    return (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]


@pytest.mark.parametrize("mode", ["force_generic_plan", "force_custom_plan"])
@pytest.mark.parametrize("filters", [{}, {"q": "nom"}, {"organisation_type": "etat"}])
@pytest.mark.parametrize("page", [1, 6])
def test_the_directory_reads_rows_in_proportion_to_the_people(programme, page, filters, mode):
    viewer = taking_part(programme)
    for number in range(PEOPLE):
        taking_part(programme, last_name=f"Nom {number:03}", organisation_type="etat")
    token = AccessKey.issue(viewer)
    # As the view reads it (the statement and values of directory_read._read)…
    now = timezone.now()
    read = directory_read.directory_read(token=token, filters=filters, page=page, now=now)
    assert read.found == PEOPLE and read.number == page
    shape, params = directory_read._filter_params(filters)
    values = [token.partition("-")[0], now, *params]
    values += [directory_read.PAGE_SIZE, (page - 1) * directory_read.PAGE_SIZE, *params]
    plan = explained(directory_read._sql(connection.vendor, shape), values, mode)
    # Linear: a few rows per person (the person, their profile, the count's index
    # entries). The planned join of every profile for each person visits PEOPLE² rows.
    assert rows_visited(plan) < 20 * PEOPLE


@pytest.mark.django_db(transaction=True)
def test_the_statement_is_the_connection_health_check(client, programme, monkeypatch):
    """As the personal link's statement (tests/registration/test_personal_reads.py): no
    `SELECT 1` before it on a kept connection, and on one the server dropped the page is
    read on a new connection, not a server error."""
    import psycopg
    from django.db import close_old_connections
    from django.urls import reverse

    from tests.postgres import database_url

    viewer = taking_part(programme)
    taking_part(programme, last_name="Ndiaye")
    path = reverse("meetings:directory", kwargs={"token": AccessKey.issue(viewer)})
    assert client.get(path).status_code == 200  # the connection is open
    connection.health_check_enabled, connection.close_at = True, None  # as in production
    checks = []
    is_usable = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or is_usable())

    close_old_connections()  # what each request starts with
    assert client.get(path).status_code == 200
    assert checks == [] and connection.health_check_done

    pid = connection.connection.info.backend_pid
    with psycopg.connect(database_url().rsplit("/", 1)[0] + "/postgres", autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    close_old_connections()
    response = client.get(path)
    assert response.status_code == 200 and "Ndiaye" in response.content.decode()
    assert checks == [1] and connection.connection.info.backend_pid != pid


def test_the_statement_is_planned_once_per_connection(client, programme):
    """Prepared, and planned once (registration.queries.plan_once): left to choose,
    PostgreSQL planned it anew on every visit, which cost more than running it."""
    viewer = taking_part(programme)
    taking_part(programme)
    token = AccessKey.issue(viewer)
    for page in ("1", "1", "2", "1", "1", "1", "1"):
        response = client.get(f"/fr/inscription/espace/{token}/b2b/annuaire/", {"page": page})
        assert response.status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ["%WITH viewer AS%"],
        )
        # 7 visits, 8 runs (page 2 is past the last page: the last one is read too).
        assert cursor.fetchall() == [(8, 0)]
