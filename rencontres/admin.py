"""What the admin pages of several apps share."""

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


class BoundedLookups:
    """A list whose query string holds a number no database integer holds (over 18
    digits) answers as the admin answers any wrong filter (`?e=1`): SQLite cannot even
    pass such a number to a query (a 500 in development), PostgreSQL finds nothing. The
    search box's text is left to the search."""

    def changelist_view(self, request, extra_context=None):
        too_large = (
            len(value) > 18 and value.lstrip("-").isdigit()
            for name, values in request.GET.lists()
            if name != SEARCH_VAR
            for value in values
        )
        if any(too_large):  # the list without them, saying a filter was wrong
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return super().changelist_view(request, extra_context)
