from django.shortcuts import render
from django.urls import path

from rencontres.urls import urlpatterns as site_urlpatterns


def ceiling(request):
    """What this machine serves at best: a template, no database, no cache."""
    return render(request, "bench/ceiling.html", {"title": "ceiling"})


urlpatterns = [path("__ceiling__/", ceiling), *site_urlpatterns]
