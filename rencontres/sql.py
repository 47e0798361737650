"""SQL written by hand, once per engine, where the ORM's per-request cost shows (the
personal link's read, the session locks of a sign-up, the desk's scan): model names, not
table names, so a renamed column cannot drift from the text."""

from django.db import connection


class Table:
    """A model's table in SQL text: ``{S}`` is its quoted name, ``{S.status}`` the quoted
    column of a field (``format(Table(Session))`` when it is not in a template)."""

    def __init__(self, model):
        self.model = model

    def __format__(self, spec):
        return connection.ops.quote_name(self.model._meta.db_table)

    def __getattr__(self, field):
        return connection.ops.quote_name(self.model._meta.get_field(field).column)
