"""A data load done once per test process, then replayed as plain INSERTs.

`manage.py load_edition` of the 2026 fixture costs about 0.27 s of CPU (92 objects saved one
by one, each trying an UPDATE before its INSERT, through modeltranslation's managers), and
some 700 tests start from it. The first load in a process is the real command; what it added
to the database, table by table, is kept; later loads insert those same rows (one statement
per table) and reset PostgreSQL's sequences as loaddata does. Whenever the replay cannot be
the same as the real load (the test already holds a row the fixture would overwrite), it
falls back to the real load. `tests/test_edition_snapshot.py` checks that both leave the
same database.
"""

from django.apps import apps
from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction


def _tables():
    return [t for t in connection.introspection.table_names() if not t.startswith("sqlite_")]


# The statements below are built from the database's own table and column names (its
# introspection), quoted: no outside text reaches them (hence the S608 exceptions).


def _rows(cursor, table):
    quoted = connection.ops.quote_name(table)
    if connection.vendor == "postgresql":
        # As JSON text: values psycopg would read into types it cannot write back (json,
        # arrays of enums) go back through json_populate_recordset unchanged.
        cursor.execute(f"SELECT row_to_json(t)::text FROM {quoted} t")  # noqa: S608
        return {row[0] for row in cursor.fetchall()}
    cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608
    columns = tuple(column[0] for column in cursor.description)
    return {(columns, row) for row in cursor.fetchall()}


def database_rows():
    """Every row of every table, by table (the test database is small)."""
    with connection.cursor() as cursor:
        return {table: _rows(cursor, table) for table in _tables()}


def _models_of(tables):
    by_table = {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}
    return [by_table[table] for table in tables if table in by_table]


class Replayable:
    """`Replayable(load)()` runs `load` the first time, and replays its rows afterwards."""

    def __init__(self, load):
        self.load = load
        self.added = None  # {table: rows}, once a real load has been recorded

    def __call__(self):
        if self.added is not None:
            try:
                with transaction.atomic():
                    self._insert(self.added)
                return
            except IntegrityError:
                pass  # a row of the test's own is in the way: the real load overwrites it
        self._record()

    def _record(self):
        before = database_rows()
        self.load()
        after = database_rows()
        if any(not before[table] <= after.get(table, set()) for table in before):
            return  # the load changed rows it did not add: not replayable from this state
        added = {table: after[table] - before.get(table, set()) for table in after}
        self.added = {table: rows for table, rows in added.items() if rows}

    def _insert(self, added):
        with connection.cursor() as cursor:
            for table, rows in added.items():
                quoted = connection.ops.quote_name(table)
                if connection.vendor == "postgresql":
                    cursor.execute(
                        f"INSERT INTO {quoted} SELECT * "  # noqa: S608
                        f"FROM json_populate_recordset(NULL::{quoted}, %s::json)",
                        ["[" + ",".join(rows) + "]"],
                    )
                    continue
                by_columns = {}
                for columns, row in rows:
                    by_columns.setdefault(columns, []).append(row)
                for columns, values in by_columns.items():
                    names = ", ".join(connection.ops.quote_name(c) for c in columns)
                    marks = ", ".join(["%s"] * len(columns))
                    insert = f"INSERT INTO {quoted} ({names}) VALUES ({marks})"  # noqa: S608
                    cursor.executemany(insert, values)
            for sql in connection.ops.sequence_reset_sql(no_style(), _models_of(added)):
                cursor.execute(sql)
