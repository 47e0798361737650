"""The B2B directory's HTML, built from pieces shared by every viewer. The page is read
in one statement (directory_read.py) and kept once rendered, under what it was built from
(views.directory, registration/pagememo.py); when it is rendered, its pieces are:

- The filter lists (themes, organisation types, countries, languages): their options are
  written once per language and list of themes (the themes are part of the key, read in
  the same query as the rest, so a staff edit shows at once) and kept in this process;
  a request only marks the chosen option.
- The cards: a card's HTML is keyed by a hash of everything it shows and the language
  (content-addressed: an edited profile has a new key, nothing to invalidate), kept in this
  process and in the shared cache, so a page of 20 cards costs one `get_many` at worst and
  renders only the cards never seen. In the shared cache a card is stored under its
  profile and language, with its hash (a card whose hash is not the one asked for is
  rendered again): an erasure deletes the person's cards there by name (forget_cards),
  instead of leaving their name and presentation on the shared cache's disk until it
  expires. A card links to the profile relatively (`<pk>/`): no viewer's link is ever in a
  shared piece.
"""

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django_countries import countries

from events.pagecache import release_id
from registration.models import Registration

from .models import LANGUAGES

CARD_TIMEOUT = 6 * 3600  # in the shared cache
LOCAL_CARDS = 4096  # cards kept in this process (a few hundred kB)

_local = OrderedDict()


@dataclass(frozen=True)
class Card:
    """What a card shows (all of it goes into its key)."""

    pk: int
    name: str
    organisation: str
    organisation_type: str
    country: str
    themes: tuple
    presentation: str

    def key(self, language):
        # The release: a deployment that changes the card's template never finds old cards.
        values = (release_id(), language, *map(str, self.values()))
        digest = hashlib.sha256("\x1f".join(values).encode()).hexdigest()[:32]
        return f"b2b-card:{digest}"

    def values(self):
        return (
            self.pk,
            self.name,
            self.organisation,
            self.organisation_type,
            self.country,
            "\x1e".join(self.themes),
            self.presentation,
        )


def card_of(row, themes):
    """A Card from a page row (directory_read.DirectoryRead.rows) and its theme names."""
    language = translation.get_language()
    return Card(
        pk=row["pk"],
        name=" ".join(p for p in (row["first_name"], row["last_name"]) if p),
        organisation=row["organisation"],
        organisation_type=_labels(language)[0].get(row["organisation_type"], ""),
        country=_labels(language)[1].get(row["country"], row["country"]),
        themes=tuple(themes),
        presentation=Truncator(row["presentation"]).words(30) if row["presentation"] else "",
    )


def cards_html(cards):
    """The cards' HTML, in order, in the active language: from this process, then the
    shared cache (one get_many), the rest rendered and shared."""
    language = translation.get_language()
    keys = [card.key(language) for card in cards]
    found = {key: _local[key] for key in keys if key in _local}
    missing = {
        shared_key(card.pk, language): key
        for card, key in zip(cards, keys, strict=True)
        if key not in found
    }
    shared = cache.get_many(missing) if missing else {}
    for name, (key, html) in shared.items():
        if key == missing[name]:  # the card as it is now, not as it was
            found[key] = html
    rendered = {}
    for card, key in zip(cards, keys, strict=True):
        if key not in found:
            html = render_to_string("meetings/includes/profile_card.html", {"card": card})
            found[key] = html
            rendered[shared_key(card.pk, language)] = (key, html)
    if rendered:
        cache.set_many(rendered, CARD_TIMEOUT)
    for key in keys:
        _local[key] = found[key]
        _local.move_to_end(key)
    while len(_local) > LOCAL_CARDS:
        _local.popitem(last=False)
    return [mark_safe(found[key]) for key in keys]  # noqa: S308 (rendered by our template)


def shared_key(profile_id, language):
    return f"b2b-card:{profile_id}:{language}"


# A directory page that read a profile just before its erasure was committed may store
# its card after the first deletion: deleted once more this long after.
FORGET_AGAIN_AFTER = timedelta(minutes=5)


def forget_cards(profile_ids):
    """Delete these profiles' cards from the shared cache, in every language, once the
    erasure is committed, and again a few minutes later (the worker: meetings.tasks), for
    a page that read them before the commit and stored them after the first deletion.
    What processes keep in memory is theirs: it is never shown again (the profile is gone
    from every page) and leaves with the process or its oldest entries."""
    keys = [shared_key(pk, code) for pk in profile_ids for code, _name in settings.LANGUAGES]
    if not keys:
        return

    def forget():
        from .tasks import forget_cards as again

        cache.delete_many(keys)
        again.using(run_after=timezone.now() + FORGET_AGAIN_AFTER).enqueue(keys)

    transaction.on_commit(forget)


# The filters in the form's order, and the longest free text.
FILTERS = ("q", "theme", "organisation_type", "country", "language")
Q_MAX = 100


@lru_cache(maxsize=1)
def _choices():
    """{filter: frozenset of valid values} of the lists that are not the staff's themes."""
    return {
        "organisation_type": frozenset(Registration.OrganisationType.values),
        "country": frozenset(code for code, _name in countries),
        "language": frozenset(code for code, _name in LANGUAGES),
    }


def filters_of(query):
    """The valid filters of a query string (a QueryDict), as the directory form would
    keep them: an invalid value leaves its filter out, the others still apply. The theme
    is kept if it is a theme's number; whether that theme exists is known once the themes
    are read (themes_checked)."""
    filters = {}
    text = query.get("q", "")
    if text and len(text.strip()) <= Q_MAX and "\x00" not in text and text.strip():
        filters["q"] = text.strip()
    theme = query.get("theme", "")
    if theme.isascii() and theme.isdigit() and theme == str(int(theme)) and int(theme) < 2**31:
        filters["theme"] = int(theme)
    for name, values in _choices().items():
        value = query.get(name, "")
        if value and value in values:
            filters[name] = value
    return filters


def themes_checked(filters, themes):
    """`filters` without a theme that is not one of `themes` ((pk, name), ...)."""
    if "theme" in filters and filters["theme"] not in {pk for pk, _name in themes}:
        return {name: value for name, value in filters.items() if name != "theme"}
    return filters


def query_of(filters):
    """The filters as a query string, in the form's order (the pages' links keep them)."""
    return urlencode([(name, filters[name]) for name in FILTERS if name in filters])


@lru_cache(maxsize=8)
def _labels(language):
    """({organisation type: label}, {country code: name}) in `language`."""
    with translation.override(language):
        kinds = {value: str(label) for value, label in Registration.OrganisationType.choices}
        return kinds, {code: str(name) for code, name in countries}


@lru_cache(maxsize=64)
def _options(language, themes):
    """{field: [(value, option HTML)]} for the filter lists, in `language`, the « all »
    choice first; `themes` is ((pk, name), ...)."""
    with translation.override(language):
        every, every_f = translation.gettext("Tous"), translation.gettext("Toutes")
        lists = {
            "theme": [("", every), *((str(pk), name) for pk, name in themes)],
            "organisation_type": [("", every), *Registration.OrganisationType.choices],
            "country": [("", every), *countries],
            "language": [("", every_f), *LANGUAGES],
        }
        return {
            field: [(str(value), str(label)) for value, label in choices]
            for field, choices in lists.items()
        }


@lru_cache(maxsize=64)
def _options_html(language, themes):
    return {
        field: "".join(
            f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in choices
        )
        for field, choices in _options(language, themes).items()
    }


@lru_cache(maxsize=64)
def _values(language, themes):
    return {
        field: frozenset(value for value, _label in choices)
        for field, choices in _options(language, themes).items()
    }


def filter_options(themes, chosen):
    """The option lists of the filter form as HTML, the chosen values selected (only a
    value of the list can be: anything else leaves « all » selected). `themes`:
    ((pk, name), ...) in the active language."""
    language = translation.get_language()
    themes = tuple(themes)
    values = _values(language, themes)
    html = {}
    for field, options in _options_html(language, themes).items():
        value = str(chosen.get(field) or "")
        if value in values[field] and value:
            mark = f'<option value="{escape(value)}">'
            options = options.replace(mark, f'<option value="{escape(value)}" selected>', 1)
        else:
            options = options.replace('<option value="">', '<option value="" selected>', 1)
        html[field] = mark_safe(options)  # noqa: S308 (escaped when the lists were written)
    return html
