"""Whole-page cache for the public pages.

Every public page depends only on the programme (the models of this app), the language and
a few known query parameters. Rendered pages are stored in the shared cache with the
*programme version* they were rendered from; any change to the programme writes a new
version (see signals.py), so every page is rebuilt on its next request, in every process.

A page's shared entry is one per page (release, language, path, query), holding its version:
the page of a new version replaces the old one rather than adding an entry beside it. Keyed
by version, a busy day of staff edits left hundreds of dead pages in the file cache, each
write of which lists its whole folder (Django's FileBasedCache culls that way): the listing
cost more than the page's render. Each process's copies in memory are keyed by version.

A page's key holds its query parameters only once validated (``cached_page(query=...)``): an
unknown value shows the page without it, so it is that page, under the same key. Keys made
from raw values would let anyone fill the shared cache (one entry per random value) and push
every real page out of it.

A page may also carry an expiry time (``response.cache_until``): the home page, whose
registration button changes when registration opens or closes, sets it to the next change.

Conditional GETs are answered from the stored ETag before anything is rendered.
"""

import contextlib
import contextvars
import functools
import gzip
import hashlib
import os
import re
import threading
import time
import uuid
import zlib
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import wraps
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import get_language

from rencontres.http import etag_of, not_modified

VERSION_KEY = "events:programme-version"


class LRU:
    """A small in-memory store of this process, the least recently used entry dropped."""

    def __init__(self, size):
        self.size = size
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def set(self, key, value):
        with self.lock:
            self.entries[key] = value
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self):
        with self.lock:
            self.entries.clear()


# Each process keeps the pages it served last in memory as well, under the same keys: a
# hit then costs one read of the shared cache (the version), not two. Keys carry the
# version, so a change of programme makes these copies unreachable at once.
LOCAL_PAGES = 256
_pages = LRU(LOCAL_PAGES)

# Small values derived from the programme (see per_version), in memory the same way.
_derived = LRU(32)

# The version read when a cached page's request began: every read of that request (page
# key, current edition, filters) uses it, for one read of the shared cache per request.
_pinned_version = contextvars.ContextVar("programme_version", default=None)


@dataclass(frozen=True)
class CachedPage:
    content: bytes
    content_type: str
    etag: str
    expires: float
    headers: tuple[tuple[str, str], ...] = ()
    version: str = ""  # the programme version it was rendered from
    compressed: bool = False  # content zlib-compressed (the shared copy, see shared_copy)

    def shared_copy(self):
        """The page as the shared cache keeps it: compressed, quickly (level 1). The file
        cache compresses what it stores at zlib's default level, which for a 110 KB
        programme cost a millisecond on each miss; the few kilobytes left cost little."""
        return replace(self, content=zlib.compress(self.content, 1), compressed=True)

    def served_copy(self):
        if not self.compressed:
            return self
        return replace(self, content=zlib.decompress(self.content), compressed=False)


def programme_version():
    pinned = _pinned_version.get()
    if pinned is not None:
        return pinned
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY, version)
    return version


@contextlib.contextmanager
def one_programme_version():
    """Within the block, every read of the programme version gives the one read first: one
    read of the shared cache for a whole request, and one version for all it derives (a
    cached page's key and reads, or a personal page's edition, sessions and memo key)."""
    token = _pinned_version.set(programme_version())
    try:
        yield
    finally:
        _pinned_version.reset(token)


def invalidate_programme():
    """Drop every cached page (they are keyed by the version this replaces)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


@functools.cache
def release_id():
    """Changes with what a page is built from — the templates, translations, stylesheets
    and the project's Python code (views, forms, template tags) — so a deployment never
    serves pages rendered by the previous release: `RELEASE`, or the newest modification
    time among those files."""
    if release := os.environ.get("RELEASE"):
        return release
    return str(max((path.stat().st_mtime_ns for path in _release_files()), default=0))


def _release_files():
    base = Path(settings.BASE_DIR)
    roots = [Path(d) for d in settings.LOCALE_PATHS] + [base / "templates", base / "static"]
    yield from (path for root in roots for path in root.rglob("*") if path.is_file())
    for app in apps.get_app_configs():  # the project's own apps, not the libraries'
        path = Path(app.path)
        if path.is_relative_to(base) and "site-packages" not in path.parts:
            yield from path.rglob("*.py")


def per_version(name, compute, *, in_memory=False, shared=True):
    """A value derived from the programme, computed once per programme version (and
    release) and kept in the shared cache as long as a page; with ``in_memory``, in this
    process's memory as well, for values read on every cache hit. Those must be immutable:
    every request of the process shares the copy in memory. Without ``shared``, in this
    process's memory only: for values cheaper to read again in each process than to store
    (each write of the file cache lists its whole folder)."""
    version = programme_version()
    key = f"{name}:{release_id()}"
    in_memory = in_memory or not shared
    value = _derived.get((key, version)) if in_memory else None
    if value is None:
        # One shared entry per name, holding its version (see the module's docstring).
        stored_version, value = cache.get(key, (None, None)) if shared else (None, None)
        if stored_version != version or value is None:
            value = compute()
            if shared:
                cache.set(key, (version, value), timeout=settings.PAGE_CACHE_SECONDS)
        if in_memory:
            _derived.set((key, version), value)
    return value


def page_key(request, query):
    """The key of the page's shared entry (its version is in the entry, see above).
    ``query``: the page's validated query parameters, never raw ones (see above)."""
    raw = f"{release_id()}|{get_language()}|{request.path}|{urlencode(sorted(query.items()))}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _respond(request, page, max_age):
    content, etag, encoded = page.content, page.etag, _gzipped(request, page)
    if encoded is not None:
        content, etag = encoded, etag[:-1] + '-gzip"'  # another representation, another tag
    if not_modified(request, etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(content, content_type=page.content_type)
        for name, value in page.headers:
            response[name] = value
        if encoded is not None:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    patch_vary_headers(response, ("Accept-Encoding",))
    patch_cache_control(response, public=True, max_age=max_age, must_revalidate=True)
    return response


# Cached pages go gzipped to browsers that take it (a 20 KB programme in 3 KB, for people on
# slow connections): compressed once per page and process, on the first such request, not on
# each (Django's GZipMiddleware would compress every response) nor when the page is
# rendered (a miss pays nothing for it). Public pages only: they hold no secret for a
# compression side channel (BREACH) to reveal.
_accepts_gzip = re.compile(r"\bgzip\b")
GZIPPED_TYPES = ("text/", "application/json", "application/xml")
_gzip_copies = LRU(LOCAL_PAGES)


def _gzipped(request, page):
    """The page's content gzipped, if the request takes gzip and it is worth it; or None."""
    if (
        len(page.content) < 1024
        or not page.content_type.startswith(GZIPPED_TYPES)
        or not _accepts_gzip.search(request.headers.get("Accept-Encoding", ""))
    ):
        return None
    encoded = _gzip_copies.get(page.etag)
    if encoded is None:
        encoded = gzip.compress(page.content, compresslevel=6, mtime=0)
        _gzip_copies.set(page.etag, encoded)
    return encoded


# Headers worth replaying from a cached page (Content-Disposition for calendar files).
KEPT_HEADERS = ("Content-Disposition",)


def cached_page(query=None, max_age=0):
    """Serve a GET view from the page cache.

    ``query(request)`` returns the query parameters the view reads, validated and in their
    canonical form ({"jour": "2026-07-08"}), without those it would ignore: they make the
    page's key, and ``request.page_query`` keeps them for the links of the page (the
    language switch). Pages without it have no query parameter at all."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            with one_programme_version():
                request.page_query = query(request) if query else {}
                if request.method not in ("GET", "HEAD") or settings.DEBUG:
                    # DEBUG (make run): templates being edited show at once.
                    return view(request, *args, **kwargs)
                return _serve(
                    request, page_key(request, request.page_query), max_age, view, args, kwargs
                )

        return wrapper

    return decorator


def _serve(request, key, max_age, view, args, kwargs):
    version = programme_version()
    page = _pages.get((key, version))
    if page is None:
        page = cache.get(key)
        if page is not None and page.version == version:
            page = page.served_copy()
            _pages.set((key, version), page)
        else:
            page = None
    if page is not None and page.expires > time.time():
        return _respond(request, page, max_age)

    response = view(request, *args, **kwargs)
    if response.status_code != 200 or response.streaming:
        return response
    if hasattr(response, "render"):
        response.render()
    expires = time.time() + settings.PAGE_CACHE_SECONDS
    until = getattr(response, "cache_until", None)
    if until is not None:
        expires = min(expires, until.timestamp())
    page = CachedPage(
        content=response.content,
        content_type=response["Content-Type"],
        etag=etag_of(response.content),
        expires=expires,
        headers=tuple((h, response[h]) for h in KEPT_HEADERS if h in response),
        version=version,
    )
    timeout = max(1, int(expires - time.time()))
    cache.set(key, page.shared_copy(), timeout=timeout)
    _pages.set((key, version), page)
    return _respond(request, page, max_age)
