"""Per-address limits on the forms robots like (sign-up, lost link).

Counters live in the shared cache (file cache on one host, Redis with several), so every
process sees the same count; a fixed window per client address.
"""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.template.response import TemplateResponse

from events.queries import current_edition


def client_address(request):
    return request.META.get("REMOTE_ADDR", "unknown")


def hit(scope, address, *, limit, window):
    """Count one request; True while the address stays within ``limit`` per ``window`` s."""
    key = f"ratelimit:{scope}:{address}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    return count <= limit


def rate_limited(scope):
    """Limit POSTs to a view as settings.RATE_LIMITS[scope] = (limit, window) says."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            limit, window = settings.RATE_LIMITS[scope]
            if request.method == "POST" and not hit(
                scope, client_address(request), limit=limit, window=window
            ):
                response = TemplateResponse(
                    request,
                    "429.html",
                    {"edition": current_edition(), "retry_minutes": max(1, window // 60)},
                    status=429,
                )
                response["Retry-After"] = str(window)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
