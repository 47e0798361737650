"""The programme's session cards, each rendered once for what it shows (Russian-doll caching).

A card is rendered by the template events/includes/session_card.html from a `Card`, a tuple
of the very values the card shows, already in the page's language (title, type, room,
times as printed, speakers...). The card's HTML is kept under a key made of those values, the
language and the release (templates, translations: pagecache.release_id), so:

- right after a staff edit of one session, only that card's values changed: one card is
  rendered, the others are found under their unchanged keys;
- an edit of a room, a type, a speaker or a translation changes the values of every card
  that shows it, so their keys: a card that shows anything stale cannot be found. There is
  nothing to invalidate and nothing to forget.

The template sees the `Card` only (no session, no database), so nothing can reach a card's
HTML without being part of its key.

Where the cards live: in each process's memory (a bounded LRU), not in the shared cache. A
process renders each card once per release and language (the 200 cards of a large
programme: a few tens of milliseconds, once), then only the cards of edited sessions.
In the shared cache they would cost more than they save: the file cache (the default, one
server) lists its whole folder on every write and holds 300 entries, culling a third at
random when full, so 400 cards would push the pages themselves out; and a `get_many` of
200 keys costs more than rendering the one card a staff edit changed.
"""

import hashlib
from typing import NamedTuple

from django.template.loader import get_template
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from .pagecache import LRU, release_id

TEMPLATE = "events/includes/session_card.html"

# Rendered cards kept by this process: about 1 KB each, two languages of a large
# programme and the previous values of the cards edited since.
LOCAL_CARDS = 2048
_local = LRU(LOCAL_CARDS)


class Card(NamedTuple):
    """What one session card shows, in the page's language."""

    type_slug: str
    type_name: str
    bookable: bool
    provisional: bool
    url: str
    title: str
    times: str  # « 14h30-15h15 » when the session does not fill its slot, else ""
    place: str  # its room, else the venue
    speakers: str  # names, « , » between them


def card_key(card, language):
    """A digest of everything the card's HTML is made of."""
    raw = repr((release_id(), language, tuple(card)))
    return hashlib.blake2b(raw.encode(), digest_size=20).digest()


def render_cards(cards):
    """The HTML of each of ``cards`` (a list of Card), in order: the cards this process
    rendered before for the same values, and only the others rendered (and kept)."""
    language = get_language()
    template = None
    html = []
    for card in cards:
        key = card_key(card, language)
        found = _local.get(key)
        if found is None:
            template = template or get_template(TEMPLATE)
            found = SafeString(template.render({"card": card}))
            _local.set(key, found)
        html.append(found)
    return html


def clear_local():
    """Forget the cards this process holds (tests: a render from an empty cache)."""
    _local.clear()
