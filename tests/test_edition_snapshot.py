"""The 2026 edition replayed by tests/snapshot.py is the edition `manage.py load_edition`
loads: the same rows in every table, and new rows get keys of their own afterwards."""

import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction

from events.models import Room, Session, Venue
from meetings.models import Programme
from tests.conftest import FIXTURE, load_edition_2026
from tests.snapshot import database_rows

pytestmark = pytest.mark.sqlite  # one replay per engine (tests/snapshot.py)

# Rows of a many-to-many table get their key from a sequence, which PostgreSQL never rolls
# back: only their content is compared.
THROUGH = {m._meta.db_table for m in apps.get_models(include_auto_created=True)} - {
    m._meta.db_table for m in apps.get_models()
}


def _content(rows_by_table):
    content = {}
    for table, rows in rows_by_table.items():
        values = [
            json.loads(row) if isinstance(row, str) else dict(zip(*row, strict=True))
            for row in rows
        ]
        if table in THROUGH:
            values = [{k: v for k, v in value.items() if k != "id"} for value in values]
        content[table] = sorted(json.dumps(value, sort_keys=True, default=str) for value in values)
    return content


def _rows_after(load):
    savepoint = transaction.savepoint_create()
    load()
    rows = database_rows()
    transaction.savepoint_rollback(savepoint)
    return _content(rows)


def test_a_replayed_load_leaves_the_rows_the_command_leaves(db, django_assert_max_num_queries):
    _rows_after(load_edition_2026)  # the first load in a process is recorded, later ones replay

    def replay():
        with django_assert_max_num_queries(40):  # not the command's 200-odd queries
            load_edition_2026()

    def command():
        call_command("load_edition", str(FIXTURE), verbosity=0)

    assert _rows_after(replay) == _rows_after(command)
    assert _rows_after(replay) != _rows_after(lambda: None)


def test_new_rows_get_keys_of_their_own_after_a_replay(db):
    _rows_after(load_edition_2026)
    load_edition_2026()
    room = Room.objects.create(venue=Venue.objects.get(), name_fr="Salle ajoutée", capacity=10)
    programme = Programme.objects.get()
    programme.sessions.add(Session.objects.exclude(pk__in=programme.sessions.all()).first())
    assert room.pk > max(Room.objects.exclude(pk=room.pk).values_list("pk", flat=True))


def test_a_row_in_the_way_is_overwritten_by_the_real_load(db):
    _rows_after(load_edition_2026)
    fixture = json.loads(FIXTURE.read_text())
    first = next(o for o in fixture if o["model"] == "events.room")
    venue = Venue.objects.create(pk=999, name="Ailleurs", street="1 rue", postal_code="1", city="X")
    Room.objects.create(pk=first["pk"], venue=venue, name_fr="Une salle de la base", capacity=1)
    load_edition_2026()
    assert Room.objects.get(pk=first["pk"]).name_fr == first["fields"]["name_fr"]
    assert Session.objects.count() == 24
