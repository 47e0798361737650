"""What the admin pages of several apps share."""

import functools

from django.contrib import admin
from django.contrib.admin.views.main import ERROR_FLAG, SEARCH_VAR
from django.http import HttpResponseRedirect


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log or a record written only by services (sent reminders, arrivals taken back,
    B2B requests and meetings): staff read it, nobody adds, changes or deletes it here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AdminSite(admin.AdminSite):
    """Django's admin site (rencontres.apps.AdminConfig makes it the default), with one
    rule for every list, ours and the libraries' (users, tasks): a query string holding a
    number no database integer holds (over 18 digits) is answered as the admin answers
    any wrong filter (`?e=1`). SQLite cannot even pass such a number to a query (a 500 on
    a filter by a relation, `?edition=` or `?groups=`); PostgreSQL finds nothing. The
    search box's text is left to the search."""

    def admin_view(self, view, cacheable=False):
        # Inside Django's own wrapper: the login and permissions are checked first.
        return super().admin_view(_bounded(view), cacheable)


def _bounded(view):
    @functools.wraps(view)
    def inner(request, *args, **kwargs):
        match = request.resolver_match
        if match and (match.url_name or "").endswith("_changelist") and _too_large(request.GET):
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return view(request, *args, **kwargs)

    return inner


def _too_large(query):
    return any(
        len(value) > 18 and value.lstrip("-").isdigit()
        for name, values in query.lists()
        if name != SEARCH_VAR
        for value in values
    )
