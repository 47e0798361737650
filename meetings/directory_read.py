"""The directory page's one statement: the viewer's link, what the page checks of them,
the staff's themes and the page of listed profiles with the number found, in one round
trip (views.directory).

The page's rows come as one JSON text, as the database wrote it: the page's memo key is
made of that text (content-addressed), so a page kept in memory is served only while the
database still gives the very rows it was rendered from. Nothing to invalidate: an edit
made anyhow (a service, the admin, an SQL update) is another text, hence another key.

The filters are written into the statement's text as fixed fragments, their values as
parameters; the texts are kept per engine and set of filters (a few dozen at most).
"""

import hmac
import json
from dataclasses import dataclass
from functools import cache, lru_cache

from django.db import connection

from registration.models import AccessKey, Registration, _digest
from registration.queries import JSON_ROW, JSON_ROWS, TEXT_LIST, checked_read, prepared
from rencontres.sql import Table

from .models import Profile, Programme, Theme

PAGE_SIZE = 20
# No directory has this many pages; beyond it an OFFSET overflows the database's integer.
LAST_PAGE = 10_000
# Words of the free text searched, at most.
WORDS = 5

# The listed profiles the viewer may see, with the filters ({filters}): written twice in
# the statement (the page, the count), the filters' parameters given twice.
#
# The statuses are written into the text, not passed as parameters: PostgreSQL then knows,
# for a prepared statement too, that the partial indexes of listed profiles and confirmed
# people (Profile.Meta, Registration.Meta) hold every row asked for. Each person's profile
# is read by its registration ({profile}): on PostgreSQL a LATERAL subquery, which its
# planner cannot turn into a join (LIMIT), so that the plan is the same with or without
# statistics. As a join, on a database not yet analysed (a fresh load, a restore), it was
# planned as « every approved profile for each person »: 80 ms a page for 600, not 1.
MATCHING = """FROM {R} o {profile}
    WHERE o.{R.edition} = (SELECT edition FROM viewer) AND o.{R.id} <> (SELECT id FROM viewer)
    AND o.{R.status} = '{confirmed}'{filters}"""
PROFILE = {
    "postgresql": """CROSS JOIN LATERAL (
        SELECT * FROM {P} l WHERE l.{P.registration} = o.{R.id}
        AND l.{P.status} = '{approved}' AND l.{P.is_listed} LIMIT 1) p""",
    "sqlite": """INNER JOIN {P} p ON p.{P.registration} = o.{R.id}
        AND p.{P.status} = '{approved}' AND p.{P.is_listed}""",
}

# The page walks the index of confirmed people by name (Registration.Meta) and stops after
# its rows (the edition is a value for the planner, not a join, so the index gives the
# order: no sort of everyone); the count reads two indexes (Profile.Meta), not the tables.
STATEMENT = """
WITH viewer AS (
    SELECT k.{K.verifier_hash} AS verifier, r.{R.id} AS id, r.{R.edition} AS edition,
        r.{R.status} AS status
    FROM {K} k INNER JOIN {R} r ON r.{R.id} = k.{K.registration}
    WHERE k.{K.selector} = %s AND k.{K.expires_at} > %s
), found AS (
    SELECT p.{P.id} AS id, p.{P.presentation} AS presentation, o.{R.first_name} AS first_name,
        o.{R.last_name} AS last_name, o.{R.organisation} AS organisation,
        o.{R.organisation_type} AS organisation_type, o.{R.country} AS country,
        ROW_NUMBER() OVER (ORDER BY o.{R.last_name}, o.{R.first_name}, o.{R.id}) AS position
    {matching}
    ORDER BY o.{R.last_name}, o.{R.first_name}, o.{R.id}
    LIMIT %s OFFSET %s
)
SELECT v.verifier, v.id, v.edition, v.status,
    (SELECT g.{G.id} FROM {G} g WHERE g.{G.edition} = v.edition),
    (SELECT p.{P.status} FROM {P} p WHERE p.{P.registration} = v.id),
    (SELECT CAST({rows}({row}(t.{T.id}, t.{T.position}, t.{T.name_fr}, t.{T.name_en}))
        AS TEXT) FROM {T} t),
    (SELECT CAST({rows}({row}(f.id, f.presentation, f.first_name, f.last_name,
        f.organisation, f.organisation_type, f.country, f.position, (
            SELECT {list}(CAST(pt.{PT.theme} AS TEXT), ',') FROM {PT} pt
            WHERE pt.{PT.profile} = f.id))) AS TEXT) FROM found f),
    (SELECT COUNT(*) {matching})
FROM viewer v"""

# Each filter: its SQL fragment ({alias}.{column} of `p` the profile, `o` its registration).
FILTERS = {
    # A theme that does not exist filters nothing (the form leaves it out).
    "theme": """ AND (NOT EXISTS (SELECT 1 FROM {T} t WHERE t.{T.id} = %s)
        OR EXISTS (SELECT 1 FROM {PT} pt WHERE pt.{PT.profile} = p.{P.id}
            AND pt.{PT.theme} = %s))""",
    "organisation_type": " AND o.{R.organisation_type} = %s",
    "country": " AND (o.{R.country} = %s OR p.{P.countries} {contains})",
    "language": " AND p.{P.languages} {contains}",
}
SEARCHED = (
    ("o", Registration, "first_name"),
    ("o", Registration, "last_name"),
    ("o", Registration, "organisation"),
    ("p", Profile, "presentation"),
    ("p", Profile, "offers"),
    ("p", Profile, "seeks"),
)


def _searched(vendor):
    """One word of the free text in any searched column, as the ORM's `icontains` writes
    it on this engine."""
    ops, pattern = connection.ops, connection.operators["icontains"] % "%s"
    columns = [
        ops.lookup_cast("icontains", model._meta.get_field(name).get_internal_type())
        % f"{alias}.{connection.ops.quote_name(model._meta.get_field(name).column)}"
        for alias, model, name in SEARCHED
    ]
    return " AND (" + " OR ".join(f"{column} {pattern}" for column in columns) + ")"


@cache
def _sql(vendor, shape):
    """The statement's text for an engine and a set of filters: `shape` is the filters
    present, in FILTERS' order, then the number of words searched."""
    *present, words = shape
    contains = connection.operators["contains"] % "%s"
    tables = {
        "K": Table(AccessKey),
        "R": Table(Registration),
        "P": Table(Profile),
        "G": Table(Programme),
        "T": Table(Theme),
        "PT": Table(Profile.themes.through),
    }
    filters = "".join(FILTERS[name].format(contains=contains, **tables) for name in present)
    filters += _searched(vendor) * words
    return STATEMENT.format(
        matching=MATCHING.format(
            profile=PROFILE[vendor].format(approved=Profile.Status.APPROVED, **tables),
            confirmed=Registration.Status.CONFIRMED,
            filters=filters,
            **tables,
        ),
        rows=JSON_ROWS[vendor],
        row=JSON_ROW[vendor],
        list=TEXT_LIST[vendor],
        **tables,
    )


def _like(value):
    return f"%{connection.ops.prep_for_like_query(value)}%"


def _filter_params(filters):
    """(shape, parameters) of the filters (FILTERS' keys and « q »), values as given."""
    present, params = [], []
    for name in FILTERS:
        value = filters.get(name)
        if not value:
            continue
        present.append(name)
        if name == "theme":
            params += [value, value]
        elif name == "country":
            params += [value, _like(value)]
        elif name == "language":
            params.append(_like(f",{value},"))
        else:
            params.append(value)
    words = (filters.get("q") or "").split()[:WORDS]
    for word in words:
        params += [_like(word)] * len(SEARCHED)
    return (*present, len(words)), params


@dataclass(frozen=True)
class DirectoryPage:
    """One page of the directory as the template shows it: its rows (dicts: the columns a
    card shows and ``theme_ids``), the number of profiles found, the page's number and the
    page count."""

    rows: list
    count: int
    number: int
    pages: int

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.pages


@dataclass(frozen=True)
class DirectoryRead:
    """What the statement read: the viewer (their registration's pk, edition, status), the
    B2B programme (pk or None), the viewer's profile status (or None), the themes and the
    page's rows as the database wrote them (JSON texts), the number of profiles found and
    the page's number."""

    registration_id: int
    edition_id: int
    registration_status: str
    programme_id: int | None
    profile_status: str | None
    themes_text: str
    rows_text: str
    found: int
    number: int

    def themes(self, language):
        """((pk, name), ...) in the staff's order, in `language` (French when there is no
        English)."""
        return _themes(self.themes_text, language)

    def rows(self):
        """The page's rows as dicts (the columns a card shows, ``theme_ids``), in order,
        and the number found."""
        rows = json.loads(self.rows_text or "[]")
        columns = ("pk", "presentation", "first_name", "last_name", "organisation")
        columns += ("organisation_type", "country")
        page = []
        for row in rows:
            values = dict(zip(columns, row[:7], strict=True))
            values["theme_ids"] = [int(pk) for pk in (row[8] or "").split(",") if pk]
            page.append((row[7], values))
        page.sort(key=lambda position_row: position_row[0])  # the database's order
        return [values for _position, values in page], self.found


@lru_cache(maxsize=16)
def _themes(text, language):
    """The themes as read (their JSON text), in `language`: the same text on every visit
    until staff edit a theme, so worked out once per process."""
    english = language == "en"
    rows = sorted(json.loads(text or "[]"), key=lambda t: (t[1], t[0]))
    return tuple((pk, (english and name_en) or name_fr) for pk, _p, name_fr, name_en in rows)


def page_number(page):
    try:
        return min(max(1, int(page)), LAST_PAGE)
    except (TypeError, ValueError):
        return 1


def _read(selector, now, filters, number):
    shape, params = _filter_params(filters)
    offset = (number - 1) * PAGE_SIZE
    values = [selector, connection.ops.adapt_datetimefield_value(now), *params]
    values += [PAGE_SIZE, offset, *params]  # MATCHING's, twice

    def run():
        with connection.cursor() as cursor:  # Django's: errors, query log
            # Prepared, as the personal link's statement is: PostgreSQL plans it once per
            # connection and set of filters (planning costs about what running it does).
            prepared(cursor).execute(_sql(connection.vendor, shape), values)
            return cursor.fetchone()

    return checked_read(run)  # the page's first statement: the connection's health check


def _empty(rows_text):
    # No rows: PostgreSQL's aggregate gives NULL, SQLite's an empty array.
    return not rows_text or rows_text == "[]"


def directory_read(*, token, filters, page, now):
    """The directory page for the link `token` (a DirectoryRead), or None when the link
    opens nothing. 1 query; past the last page, the last page is read (2 at most)."""
    selector, _sep, verifier = (token or "").partition("-")
    if not selector or not verifier:
        return None
    number = page_number(page)
    row = _read(selector, now, filters, number)
    if row is None or not hmac.compare_digest(row[0], _digest(verifier)):
        return None
    if _empty(row[7]) and number > 1:  # past the last page: the last one
        number = max(1, -(-row[8] // PAGE_SIZE))
        row = _read(selector, now, filters, number)
    return DirectoryRead(*row[1:], number=number)
