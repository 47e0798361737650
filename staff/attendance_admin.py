"""Admin pages about attendance (imported by staff/admin.py): the log of arrivals taken back
at the desk (read-only: rows are written by staff.checkin.checkin_undo only), and the
feuilles d'émargement as an action on the programme's sessions."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from events.admin import SessionAdmin
from events.models import Session
from events.queries import current_edition

from .attendance_sheets import sheets_response
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


class SessionWithSheetsAdmin(SessionAdmin):
    """The programme's sessions (events/admin.py) with one more action for the staff: their
    feuilles d'émargement in one PDF (events knows nothing of registrations)."""

    actions = [*SessionAdmin.actions, "attendance_sheets"]

    @admin.action(
        description=_("Feuilles d'émargement (PDF)"),
        permissions=["view_registrations"],
    )
    def attendance_sheets(self, request, queryset):
        sessions = list(queryset.select_related("room", "type").order_by("starts_at", "title"))
        return sheets_response(current_edition(), sessions=sessions, name="sessions")

    def has_view_registrations_permission(self, request):
        return request.user.has_perm("registration.view_registration")


admin.site.unregister(Session)
admin.site.register(Session, SessionWithSheetsAdmin)
