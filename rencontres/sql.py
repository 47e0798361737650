"""SQL written by hand, once per engine, where the ORM's per-request cost shows (the
personal link's read, the session locks of a sign-up, the desk's scan): model names, not
table names, so a renamed column cannot drift from the text; and model instances made
from the rows such a statement reads."""

import functools

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


def instance(model, fields, values):
    """A model instance from its stored values (`fields`: the model's fields they are the
    columns of, in order), converted as the ORM converts them; the fields not given are
    deferred, as with only(). What a RawQuerySet does for one row, without its work for
    each query (resolving the columns by name, the annotations, the iterator)."""
    converted = []
    for model_field, value in zip(fields, values, strict=True):
        column = model_field.get_col(model._meta.db_table)
        for converter in connection.ops.get_db_converters(column) + column.get_db_converters(
            connection
        ):
            value = converter(value, column, connection)
        converted.append(value)
    # from_db takes the values in the model's order of its fields (all or some of them).
    order = _field_order(model)
    if [order[f.attname] for f in fields] != sorted(order[f.attname] for f in fields):
        pairs = sorted(zip(fields, converted, strict=True), key=lambda p: order[p[0].attname])
        fields, converted = [f for f, _v in pairs], [v for _f, v in pairs]
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


@functools.cache
def _field_order(model):
    return {f.attname: position for position, f in enumerate(model._meta.concrete_fields)}
