"""The attendee's own pages, rendered once for what they show.

A personal page is never stored by a browser or a proxy (no-store) nor by the public page
cache, and it is read afresh on every visit. Rendering it, though, costs many times its
reads (the layout, the bookings, and for the change form some 500 options of the country
and phone-prefix lists), and people reload it. So each process keeps the personal pages it
rendered last, under a key made of everything such a page is built from:

- the registration's whole row, its days, its bookings with their places in the queues
  (and, for the change form, the seat labels), read on this very request;
- what the calendar allows now (change, cancel);
- the programme version (edition, venue, sessions, rooms), the release (templates,
  translations), the language, the path and query.

Any change to any of them is another key, so a page served from memory is, byte for byte,
the page rendered now would be. Callers render only from those values.

Kept in this process's memory only, a few megabytes at most: never in the shared cache,
never on disk. No secret is kept: the link's token and the CSRF token are cut out of a page
before it is kept, and put back into each response. Pages showing one-time messages are
not kept.
"""

import hashlib
import re
import secrets
import threading
from collections import OrderedDict
from typing import NamedTuple

from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.template.response import TemplateResponse
from django.utils.translation import get_language

from events.pagecache import programme_version, release_id

# Stand-ins for the secrets in a kept page. A NUL character never comes from a form (Django
# refuses it in every text field), so no visitor can write them into a page.
TOKEN = b"\x00link-token\x00"
CSRF = "\x00csrf-token\x00"
_STAND_IN = re.compile(re.escape(TOKEN) + b"|" + re.escape(CSRF.encode()))


class Kept(NamedTuple):
    """A kept page cut at its stand-ins: `pieces` are the bytes between them, `holes` the
    stand-ins in order. Filling it is one join; replacing the stand-ins in the whole page
    scanned it twice, 0.13 ms for the change form's 52 KB."""

    pieces: tuple
    holes: tuple

    @classmethod
    def cut(cls, page):
        return cls(tuple(_STAND_IN.split(page)), tuple(_STAND_IN.findall(page)))

    def __len__(self):  # what it holds in memory, about (_Pages' bound)
        return sum(map(len, self.pieces)) + 16 * len(self.holes)

    def joined(self, values):
        """The page with each stand-in replaced by `values[stand-in]`."""
        joined = [self.pieces[0]]
        for hole, piece in zip(self.holes, self.pieces[1:], strict=True):
            joined += (values[hole], piece)
        return b"".join(joined)

    @property
    def stored(self):
        """The page as kept, stand-ins in their places (what a test searches for secrets)."""
        return self.joined({hole: hole for hole in self.holes})


MAX_BYTES = 8 * 1024 * 1024


class _Pages:
    """Rendered pages of this process, bounded in bytes, least recently used dropped."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.entries = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            page = self.entries.get(key)
            if page is not None:
                self.entries.move_to_end(key)
            return page

    def set(self, key, page):
        with self.lock:
            old = self.entries.pop(key, None)
            self.size += len(page) - (len(old) if old is not None else 0)
            self.entries[key] = page
            while self.size > self.max_bytes and self.entries:
                _key, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped)

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.size = 0


pages = _Pages(MAX_BYTES)


def page_key(request, token, *parts, query):
    """The key of a personal page: `parts` (what the view read and what the calendar
    allows) with the programme version, release, language, path and query. A digest: the
    registration's row is in `parts`, and need not be kept twice. `query`: what the page
    took of its query string, validated ("" for a page that reads none): never the query
    string as sent, which would let anyone with a link fill the store with one page per
    made-up parameter and push everyone else's out."""
    raw = repr(
        (
            release_id(),
            programme_version(),
            get_language(),
            request.META.get("SCRIPT_NAME", ""),
            request.path.replace(token, TOKEN.decode()),
            query,
            parts,
        )
    )
    return hashlib.sha256(raw.encode()).digest()


def has_messages(request):
    """Whether one-time messages wait to be shown (reading them does not use them up)."""
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


_INDEX = {char: position for position, char in enumerate(CSRF_ALLOWED_CHARS)}
# Bytes from this value up are dropped: each of the 62 characters stays equally likely.
_SIZE = len(CSRF_ALLOWED_CHARS)
_UNBIASED = 256 - 256 % _SIZE


def _random_chars(count):
    """`count` characters drawn uniformly from CSRF_ALLOWED_CHARS with `secrets`, as
    Django's get_random_string draws them, from one read of the system's random source
    instead of one or more per character (a form's token costs 64 of them)."""
    drawn = []
    while len(drawn) < count:
        drawn += [
            CSRF_ALLOWED_CHARS[b % _SIZE] for b in secrets.token_bytes(count) if b < _UNBIASED
        ]
    return "".join(drawn[:count])


def csrf_token(request):
    """What django.middleware.csrf.get_token gives (and what {% csrf_token %} writes): the
    secret of the visitor's cookie, or a new one the response sets (CsrfViewMiddleware
    sends the cookie when CSRF_COOKIE_NEEDS_UPDATE is set), masked by a new random mask
    (Django's cipher: each character of the secret shifted by the mask's)."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = request.META["CSRF_COOKIE"] = _random_chars(CSRF_SECRET_LENGTH)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _random_chars(CSRF_SECRET_LENGTH)
    cipher = "".join(
        CSRF_ALLOWED_CHARS[(_INDEX[s] + _INDEX[m]) % _SIZE]
        for s, m in zip(secret, mask, strict=True)
    )
    return mask + cipher


def _fill(page, request, token):
    """A Kept page with this request's secrets put back."""
    values = {TOKEN: token.encode()}
    if len(page.holes) > page.holes.count(TOKEN):
        # As {% csrf_token %} does: a new masked token, and the cookie set if needed.
        values[CSRF.encode()] = csrf_token(request).encode()
    return page.joined(values)


def kept(request, key, token):
    """The page kept under `key`, with this request's secrets, or None."""
    page = pages.get(key) if key is not None else None
    return None if page is None else HttpResponse(_fill(page, request, token))


def render(request, template, context, *, token, key):
    """The page rendered from `context`, which must hold only what `key` was made of; then
    kept under `key` (unless None)."""

    def keep(rendered):
        page = Kept.cut(rendered.content.replace(token.encode(), TOKEN))
        if key is not None:
            pages.set(key, page)
        rendered.content = _fill(page, request, token)

    rendered = TemplateResponse(request, template, {**context, "csrf_token": CSRF})
    rendered.add_post_render_callback(keep)
    return rendered
