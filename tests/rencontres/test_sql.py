"""Model instances made from the rows of a statement written by hand (rencontres.sql)."""

from datetime import datetime

import pytest
from django.db import connection

from events.models import Session
from rencontres.sql import Table, instance

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]  # each engine gives its own types

# Not the model's order, and not all of its columns.
FIELDS = [Session._meta.get_field(name) for name in ("starts_at", "capacity", "id", "slot")]


def stored_row(session, fields):
    """The session's columns of `fields`, in that order, as the database gives them."""
    # Quoted names from the model's metadata (rencontres.sql.Table), no outside text.
    columns = ", ".join(getattr(Table(Session), f.name) for f in fields)
    statement = f"SELECT {columns} FROM {Table(Session)} WHERE id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, [session.pk])
        (row,) = cursor.fetchall()
    return row


def test_columns_in_any_order_each_reach_their_field(edition_2026):
    session = Session.objects.filter(slot__edition=edition_2026).order_by("pk").last()
    session.capacity = 42
    session.save(update_fields=["capacity"])
    made = instance(Session, FIELDS, stored_row(session, FIELDS))

    assert (made.pk, made.slot_id, made.capacity) == (session.pk, session.slot_id, 42)
    # Converted as the ORM converts it (SQLite gives text), to the same moment.
    assert isinstance(made.starts_at, datetime) and made.starts_at == session.starts_at
    # The columns not read are deferred, as with only(): read on access, not made up.
    assert made.get_deferred_fields() >= {"title_fr", "room_id", "type_id"}
    assert made.title_fr == session.title_fr
    assert made._state.adding is False


def test_every_column_in_another_order_reaches_its_field(edition_2026):
    session = Session.objects.filter(slot__edition=edition_2026).order_by("pk").first()
    fields = list(reversed(Session._meta.concrete_fields))

    made = instance(Session, fields, stored_row(session, fields))

    assert not made.get_deferred_fields()
    for field in Session._meta.concrete_fields:
        assert getattr(made, field.attname) == getattr(session, field.attname), field.name
