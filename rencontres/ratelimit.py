"""Limits on what costs us: valid sign-ups, emails sent, failed logins.

The client address comes through the trusted proxies only (`client_address`); counters
live in a cache of their own (`caches["ratelimit"]`), which page traffic never fills, so
no flood of page-cache entries resets them. A fixed window per scope and key; the numbers
are in settings.RATE_LIMITS, the reasons in the README.

Callers first ask whether a key is over its limit (`exceeded`), do the work, then count
it (`count`) only when it cost something: an invalid form or a robot filling the honeypot
costs a validation, not an email.
"""

import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import caches


def client_address(request):
    """The client's address, as the trusted proxies saw it.

    With TRUSTED_PROXY_HOPS = 0 (no proxy) it is REMOTE_ADDR and X-Forwarded-For is ignored:
    a forged header buys nothing. With N proxies, each appends the address it received a
    request from, so the client is the N-th address from the right of X-Forwarded-For; what
    stands left of it was written by the client and is never trusted. IPv6 clients are
    counted per /64 network (one subscriber's prefix), not per address they can rotate.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_HOPS
    candidate = remote
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if forwarded:
            candidate = forwarded[-hops] if len(forwarded) >= hops else forwarded[0]
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        try:
            address = ipaddress.ip_address(remote)
        except ValueError:
            return "unknown"
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _key(scope, key, window):
    digest = hashlib.sha256(str(key).encode()).hexdigest()[:32]  # no address or name in clear
    return f"{scope}:{digest}:{int(time.time() // window)}"


def exceeded(scope, key):
    """Whether `key` has used up its allowance of `scope` in the current window."""
    limit, window = settings.RATE_LIMITS[scope]
    return (caches["ratelimit"].get(_key(scope, key, window)) or 0) >= limit


def count(scope, key):
    """Count one costly action of `key`; returns True while it stays within the limit."""
    limit, window = settings.RATE_LIMITS[scope]
    store = caches["ratelimit"]
    cache_key = _key(scope, key, window)
    store.add(cache_key, 0, timeout=window + 1)
    try:
        value = store.incr(cache_key)
    except ValueError:  # expired between add and incr
        store.set(cache_key, 1, timeout=window + 1)
        value = 1
    return value <= limit


def retry_minutes(scope):
    return max(1, settings.RATE_LIMITS[scope][1] // 60)
