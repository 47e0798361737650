"""Registrations in admin (the staff tools issue extends this)."""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import emails
from .models import AttendanceDay, Booking, OutgoingEmail, Registration


class AttendanceDayInline(admin.TabularInline):
    model = AttendanceDay
    extra = 0


class BookingInline(admin.TabularInline):
    model = Booking
    extra = 0
    fields = ["session", "status", "created_at", "confirmed_at"]
    readonly_fields = ["session", "status", "created_at", "confirmed_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # seats change only through the services (capacity, waiting lists)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "organisation",
        "organisation_type",
        "country",
        "status",
        "category",
        "created_at",
    ]
    list_filter = ["edition", "status", "organisation_type", "category", "is_elected", "country"]
    search_fields = ["last_name", "first_name", "email", "organisation"]
    date_hierarchy = "created_at"
    inlines = [AttendanceDayInline, BookingInline]
    readonly_fields = ["status", "form_token", "privacy_consent_at", "created_at", "cancelled_at"]
    fieldsets = [
        (None, {"fields": ["edition", "status", "category"]}),
        (
            _("Personne"),
            {
                "fields": [
                    "civility",
                    "first_name",
                    "last_name",
                    "email",
                    "phone",
                    "language",
                    "organisation",
                    "organisation_type",
                    "position",
                    "country",
                    "is_elected",
                ]
            },
        ),
        (_("Venue"), {"fields": ["lunch", "dietary_needs", "accessibility_needs"]}),
        (
            _("Consentements"),
            {"fields": ["privacy_consent_at", "photo_consent", "newsletter_consent"]},
        ),
        (_("Suivi"), {"fields": ["form_token", "created_at", "cancelled_at"]}),
    ]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """Every message sent (or waiting, or given up), and a way to send one again."""

    list_display = ["created_at", "to", "subject", "kind", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject", "message_id"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Envoyer à nouveau"), permissions=["change"])
    def send_again(self, request, queryset):
        with transaction.atomic():
            copies = [emails.resend(email) for email in queryset]
        self.message_user(
            request,
            ngettext(
                "%(count)d courriel remis en envoi.",
                "%(count)d courriels remis en envoi.",
                len(copies),
            )
            % {"count": len(copies)},
        )
