from django.db import connection
from django.shortcuts import render
from django.urls import path

from rencontres.urls import urlpatterns as site_urlpatterns


def ceiling(request):
    """What this machine serves at best: a template, no database, no cache."""
    return render(request, "bench/ceiling.html", {"title": "ceiling"})


def one_query(request):
    """The ceiling plus the least a page that reads the database pays: one round trip
    (and the connection's health check), for a row of the table to compare with."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchall()
    return render(request, "bench/ceiling.html", {"title": "one query"})


urlpatterns = [
    path("__ceiling__/", ceiling),
    path("__one_query__/", one_query),
    *site_urlpatterns,
]
