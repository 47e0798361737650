"""Admin pages about attendance (imported by staff/admin.py): the log of arrivals taken back
at the desk (read-only: rows are written by staff.checkin.checkin_undo only), and the
feuilles d'émargement as an action on the programme's sessions (AttendanceSheetsAction)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.admin import SessionAdmin
from events.queries import current_edition
from rencontres.admin import ReadOnlyAdmin

from . import attestations
from .attendance_sheets import sheets_response
from .models import Attestation, UndoneCheckIn


@admin.register(UndoneCheckIn)
class UndoneCheckInAdmin(ReadOnlyAdmin):
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


class AttendanceSheetsAction:
    """One more action on the programme's sessions (mixed into staff/programme_admin.py's
    StaffSessionAdmin, the one admin of sessions): their feuilles d'émargement in one PDF
    (events knows nothing of registrations)."""

    actions = [*SessionAdmin.actions, "attendance_sheets"]

    @admin.action(
        description=_("Feuilles d'émargement (PDF)"),
        permissions=["view_registrations"],
    )
    def attendance_sheets(self, request, queryset):
        sessions = list(
            queryset.select_related("room", "type").order_by("starts_at", "position", "pk")
        )
        return sheets_response(current_edition(), sessions=sessions, name="sessions")

    def has_view_registrations_permission(self, request):
        return request.user.has_perm("registration.view_registration")


@admin.action(description=_("Délivrer une attestation de présence (PDF)"), permissions=["change"])
def issue_attestations(modeladmin, request, queryset):
    """Staff issue attestations by hand (one PDF, a page each) for the selected people whose
    arrival was recorded; the others are named in a message."""
    issued, skipped = [], []
    for registration in queryset.select_related("edition").order_by("last_name", "pk")[:200]:
        try:
            issued.append(
                attestations.attestation_issue(registration=registration, by=request.user)
            )
        except attestations.NoAttendance:
            skipped.append(registration.full_name)
    if skipped:
        modeladmin.message_user(
            request,
            ngettext(
                "Pas d'attestation sans arrivée enregistrée : %(names)s.",
                "Pas d'attestation sans arrivée enregistrée : %(names)s.",
                len(skipped),
            )
            % {"names": ", ".join(skipped)},
            messages.WARNING,
        )
    if issued:
        return attestations.attestations_response(issued)
    return None


@admin.register(Attestation)
class AttestationAdmin(admin.ModelAdmin):
    """Attestations handed out (read-only): who, which days, when, by whom (the verification
    codes are not kept)."""

    list_display = ["registration", "days", "issued_at", "issued_by"]
    list_select_related = ["registration", "issued_by"]
    search_fields = ["registration__last_name", "registration__first_name"]
    date_hierarchy = "issued_at"
    readonly_fields = ["registration", "days", "issued_at", "issued_by"]
    exclude = ["code_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
