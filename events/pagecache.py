"""Whole-page cache for the public pages.

Every public page depends only on the programme (the models of this app), the language and
a few known query parameters. Rendered pages are stored in the shared cache under a key that
includes a *programme version*; any change to the programme writes a new version (see
signals.py), so every page is rebuilt on its next request, in every process.

A page may also carry an expiry time (``response.cache_until``): the home page, whose
registration button changes when registration opens or closes, sets it to the next change.

Conditional GETs are answered from the stored ETag before anything is rendered.
"""

import functools
import hashlib
import os
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

from rencontres.http import etag_of, not_modified

VERSION_KEY = "events:programme-version"

# Each process keeps the pages it served last in memory as well, under the same keys: a
# hit then costs one read of the shared cache (the version), not two. Keys carry the
# version, so a change of programme makes these copies unreachable at once.
LOCAL_PAGES = 256
_local = OrderedDict()
_local_lock = threading.Lock()


def _local_get(key):
    with _local_lock:
        page = _local.get(key)
        if page is not None:
            _local.move_to_end(key)
        return page


def _local_set(key, page):
    with _local_lock:
        _local[key] = page
        while len(_local) > LOCAL_PAGES:
            _local.popitem(last=False)


@dataclass(frozen=True)
class CachedPage:
    content: bytes
    content_type: str
    etag: str
    expires: float
    headers: tuple[tuple[str, str], ...] = ()


def programme_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY, version)
    return version


def invalidate_programme():
    """Drop every cached page (they are keyed by the version this replaces)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


@functools.cache
def release_id():
    """Changes with the templates, translations and stylesheets a page is built from, so a
    deployment never serves pages rendered by the previous release."""
    roots = [Path(d) for d in settings.LOCALE_PATHS] + [
        Path(settings.BASE_DIR) / "templates",
        Path(settings.BASE_DIR) / "static",
    ]
    newest = max(
        (f.stat().st_mtime_ns for root in roots for f in root.rglob("*") if f.is_file()),
        default=0,
    )
    return os.environ.get("RELEASE", str(newest))


def page_key(request, params):
    query = "&".join(f"{name}={request.GET.get(name, '')}" for name in params)
    raw = f"{release_id()}|{programme_version()}|{get_language()}|{request.path}|{query}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _respond(request, page, max_age):
    if not_modified(request, page.etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(page.content, content_type=page.content_type)
        for name, value in page.headers:
            response[name] = value
    response["ETag"] = page.etag
    patch_cache_control(response, public=True, max_age=max_age, must_revalidate=True)
    return response


# Headers worth replaying from a cached page (Content-Disposition for calendar files).
KEPT_HEADERS = ("Content-Disposition",)


def cached_page(params=(), max_age=0):
    """Serve a GET view from the page cache; ``params`` are the query keys it reads."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD") or settings.DEBUG:
                # DEBUG (make run): templates being edited show at once.
                return view(request, *args, **kwargs)
            key = page_key(request, params)
            page = _local_get(key)
            if page is None:
                page = cache.get(key)
                if page is not None:
                    _local_set(key, page)
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
            )
            timeout = max(1, int(expires - time.time()))
            cache.set(key, page, timeout=timeout)
            _local_set(key, page)
            return _respond(request, page, max_age)

        return wrapper

    return decorator
