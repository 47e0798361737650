"""The programme page's fragments, each rendered once for what it shows (Russian-doll
caching): session cards, slot blocks, and the page around the days (render_page).

A card is rendered by the template events/includes/session_card.html from a `Card`, a tuple
of the very values the card shows, already in the page's language (title, type, room,
times as printed, speakers...), built by a pure function from the card's key: the
session's row as stored (with its type and room), its speakers, its slot's times, the
venue's name, the language, the time zone and the release (templates, translations:
pagecache.release_id). The key holds everything the card is made of, so:

- right after a staff edit of one session, only that card's values changed: one card is
  rendered, the others are found under their unchanged keys;
- an edit of a room, a type, a speaker or a translation changes the values of every card
  that shows it, so their keys: a card that shows anything stale cannot be found. There is
  nothing to invalidate and nothing to forget.

The template sees the `Card` only (no session, no database), so nothing can reach a card's
HTML without being part of its key. Slot blocks around the cards are kept the same way
(render_blocks): a block's key is its slot's values and its cards' HTML. The page around
the days (header, filters, footer) is kept under what it shows (render_page).

Where the cards live: in each process's memory (a bounded LRU), not in the shared cache. A
process renders each card once per release and language (the 200 cards of a large
programme: a few tens of milliseconds, once), then only the cards of edited sessions.
In the shared cache they would cost more than they save: the file cache (the default, one
server) lists its whole folder on every write and holds 300 entries, culling a third at
random when full, so 400 cards would push the pages themselves out; and a `get_many` of
200 keys costs more than rendering the one card a staff edit changed.
"""

import secrets
from datetime import datetime
from typing import NamedTuple

from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from .pagecache import LRU, release_id

CARD_TEMPLATE = "events/includes/session_card.html"
BLOCK_TEMPLATE = "events/includes/slot_block.html"

# Rendered fragments kept by this process: cards about 1 KB each, blocks about 5 KB: two
# languages of a large programme, its filtered forms, and the previous values of the
# fragments edited since.
LOCAL_FRAGMENTS = 4096
_local = LRU(LOCAL_FRAGMENTS)


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


class Block(NamedTuple):
    """One slot of the programme as the page shows it: its times and title, and its
    session cards' HTML (the cards' keys stand for it in the block's key)."""

    starts_at: datetime
    ends_at: datetime
    title: str
    cards: str


def _context():
    """What every fragment depends on: the release (templates, translations), the language
    and the time zone (times are printed in it)."""
    return (release_id(), get_language(), timezone.get_current_timezone_name())


def _rendered(template_name, keyed):
    """The HTML of each (key, context) of ``keyed``, in order: those this process rendered
    before under the same key, and only the others rendered (and kept)."""
    template = None
    html = []
    for key, context in keyed:
        found = _local.get(key)
        if found is None:
            template = template or get_template(template_name)
            found = SafeString(template.render(context))
            _local.set(key, found)
        html.append(found)
    return html


def render_blocks(blocks, card_of):
    """The HTML of the programme's slot blocks: ``blocks`` is a list of (slot, card keys)
    with ``slot`` a (starts_at, ends_at, title) and each card key a tuple of plain values
    from which ``card_of(key)`` builds the session's Card, and nothing else (the language,
    time zone and release aside: they are part of every key). A card is rendered only when
    this process has not rendered one under the same key.

    A block is a fragment too (Russian dolls): its key is its slot's values and its cards'
    HTML (strings keep their hash: no digest to compute), so after one session's edit one
    card and the block around it are rendered, and the page joins the others as they
    were."""
    context = _context()
    get = _local.get
    template = None
    html = []
    for slot, keys in blocks:
        cards = []
        for key in keys:
            key = (context, key)
            found = get(key)
            if found is None:
                template = template or get_template(CARD_TEMPLATE)
                found = SafeString(template.render({"card": card_of(key[1])}))
                _local.set(key, found)
            cards.append(found)
        html.append((("block", context, slot, tuple(cards)), slot, cards))
    return _rendered(
        BLOCK_TEMPLATE,
        [(key, {"block": Block(*slot, SafeString("".join(cards)))}) for key, slot, cards in html],
    )


# Where the programme page's shell (render_page) holds each day's blocks: a comment no
# escaped value can spell (its token is drawn by each process).
DAY_MARK = f"<!--programme-day-{secrets.token_hex(16)}-->"


def render_page(request, template_name, context, *, key, days):
    """The HTML of a page: ``template_name`` rendered with ``context`` around ``days``
    (ProgrammeDay, each with its blocks' HTML already joined, see
    queries.programme_page). The page around the days, its shell, is rendered with a mark
    in place of each day's blocks and kept under ``key`` and the fragment context: ``key``
    must name all the shell shows, the days' blocks aside (the edition, the days, the
    filters, the request's path and validated query). After a staff edit of a session the
    shell is found, and the page is the shell and the days joined, no template run."""
    key = ("page", _context(), key)
    parts = _local.get(key)
    blocks = [day.html for day in days]
    if parts is None:
        for day in days:
            day.html = SafeString(DAY_MARK)
        try:
            html = get_template(template_name).render(context, request)
        finally:
            for day, day_html in zip(days, blocks, strict=True):
                day.html = day_html
        parts = tuple(html.split(DAY_MARK))
        if len(parts) != len(days) + 1:
            raise ValueError(f"{template_name} must show each day's html once")
        _local.set(key, parts)
    return "".join(
        [part for pair in zip(parts, blocks, strict=False) for part in pair] + [parts[-1]]
    )


def clear_local():
    """Forget the fragments this process holds (tests: a render from an empty cache)."""
    _local.clear()
