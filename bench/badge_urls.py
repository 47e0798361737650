"""The badge bench's reference: the badge downloaded as it was before badges were stored,
from the shared cache under the registration's last change (a hit reads the cache), beside
every URL of bench/urls.py. Stored downloads are held to a multiple of its p95."""

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.urls import path

from bench.urls import urlpatterns as bench_urlpatterns
from registration import badges
from registration.views import personal


@personal(cache_control="private, no-store")
def cached_badge(request, registration, token):
    if registration.status != registration.Status.CONFIRMED:
        raise Http404("No badge for this registration")
    key = f"badge:{registration.pk}:{registration.updated_at.timestamp()}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = badges.badge_pdf(registration)
        cache.set(key, pdf, timeout=7 * 24 * 3600)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = badges.badge_filename(registration)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns = [path("__badge_cached__/<str:token>/", cached_badge), *bench_urlpatterns]
