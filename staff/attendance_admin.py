"""Admin pages about attendance (imported by staff/admin.py): the log of arrivals taken back
at the desk. Read-only: rows are written by staff.checkin.checkin_undo only."""

from django.contrib import admin

from .models import UndoneCheckIn


@admin.register(UndoneCheckIn)
class UndoneCheckInAdmin(admin.ModelAdmin):
    list_display = [
        "registration",
        "day",
        "at",
        "by",
        "confirmed_exception",
        "undone_at",
        "undone_by",
    ]
    list_filter = ["day"]
    list_select_related = ["registration", "by", "undone_by"]
    search_fields = ["registration__last_name", "registration__first_name"]
    readonly_fields = [field.name for field in UndoneCheckIn._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
