"""Registrations in admin: the list staff follow, with filters, inlines and actions.

Seats change only through the services (capacity, waiting lists); staff actions here send
mail, change a category, print badges, export, or erase a person.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.queries import current_edition
from registration import emails, queries
from registration.models import AttendanceDay, Booking, OutgoingEmail, Registration

from . import exports, privacy
from .models import CheckIn
from .sheets import badge_sheet_request


def describe_filters(request):
    """The change list's filter and search, in words a person can read back later."""
    params = {k: v for k, v in request.GET.items() if k not in ("o", "p")}
    return ", ".join(f"{key}={value}" for key, value in sorted(params.items())) or "—"


class ChoicesOnlyFilter(admin.SimpleListFilter):
    """A list filter that takes only the values it offers: any other value in the address
    (typed, truncated, from an old bookmark) is ignored, with a message saying so, instead
    of reaching the database (where a malformed date is a server error)."""

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        value = self.used_parameters.get(self.parameter_name)
        if value is not None and value not in {str(v) for v, _label in self.lookup_choices}:
            del self.used_parameters[self.parameter_name]
            messages.warning(
                request,
                _("« %(value)s » n'est pas un choix du filtre « %(filter)s » : il est ignoré.")
                % {"value": Truncator(value).chars(40), "filter": self.title},
            )


class DayFilter(ChoicesOnlyFilter):
    title = _("jour de présence")
    parameter_name = "jour"

    def lookups(self, request, model_admin):
        try:
            days = current_edition().days
        except Http404:  # between two editions: no day to offer, the list still shows
            days = []
        return [(day.isoformat(), formats.date_format(day, "l j F")) for day in days]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(days__day=self.value())
        return queryset


class CheckedInFilter(ChoicesOnlyFilter):
    title = _("arrivée")
    parameter_name = "arrivee"

    def lookups(self, request, model_admin):
        return [
            ("today", _("Arrivé·e aujourd'hui")),
            ("yes", _("Arrivé·e au moins un jour")),
            ("no", _("Jamais arrivé·e")),
        ]

    def queryset(self, request, queryset):
        checkins = CheckIn.objects.filter(registration=OuterRef("pk"))
        if self.value() == "today":
            return queryset.filter(Exists(checkins.filter(day=timezone.localdate())))
        if self.value() == "yes":
            return queryset.filter(Exists(checkins))
        if self.value() == "no":
            return queryset.exclude(Exists(checkins))
        return queryset


class AttendanceDayInline(admin.TabularInline):
    model = AttendanceDay
    extra = 0


class BookingInline(admin.TabularInline):
    model = Booking
    extra = 0
    fields = ["session", "status", "queue_place", "created_at", "confirmed_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # seats change only through the services (capacity, waiting lists)

    def get_queryset(self, request):
        return queries.bookings_with_positions_queryset(super().get_queryset(request))

    @admin.display(description=_("place en liste d'attente"))
    def queue_place(self, booking):
        return booking.ahead + 1 if booking.status == Booking.Status.WAITLISTED else "—"


class CheckInInline(admin.TabularInline):
    model = CheckIn
    extra = 0
    fields = ["day", "at", "by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # recorded at the check-in desk


def category_action(category):
    def action(modeladmin, request, queryset):
        count = queryset.update(category=category, updated_at=timezone.now())
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d inscription passée en « %(category)s ».",
                "%(count)d inscriptions passées en « %(category)s ».",
                count,
            )
            % {"count": count, "category": category.label},
        )

    action.__name__ = f"category_{category.value}"
    description = _("Catégorie → %(category)s") % {"category": category.label}
    return admin.action(description=description, permissions=["change"])(action)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "organisation",
        "organisation_type",
        "country",
        "day_list",
        "lunch",
        "status",
        "category",
        "checked_in",
        "created_at",
    ]
    list_display_links = ["name"]
    list_filter = [
        "status",
        DayFilter,
        "organisation_type",
        "country",
        "category",
        "is_elected",
        "lunch",
        "photo_consent",
        "newsletter_consent",
        CheckedInFilter,
        "edition",
    ]
    search_fields = ["last_name", "first_name", "email", "organisation", "=checkin_code"]
    list_per_page = 50
    date_hierarchy = "created_at"
    inlines = [AttendanceDayInline, BookingInline, CheckInInline]
    readonly_fields = [
        "status",
        "checkin_code",
        "form_token",
        "privacy_consent_at",
        "created_at",
        "cancelled_at",
    ]
    fieldsets = [
        (None, {"fields": ["edition", "status", "category", "checkin_code"]}),
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
    actions = [
        "resend_confirmation",
        *(category_action(category) for category in Registration.Category),
        "print_badges",
        "export_csv",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("days", "checkins")

    @admin.display(description=_("nom"), ordering="last_name")
    def name(self, registration):
        return f"{registration.last_name.upper()} {registration.first_name}".strip()

    @admin.display(description=_("jours"))
    def day_list(self, registration):
        return ", ".join(formats.date_format(d.day, "D j") for d in registration.days.all())

    @admin.display(description=_("arrivée"))
    def checked_in(self, registration):
        return (
            ", ".join(
                formats.date_format(timezone.localtime(c.at), "D j H:i")
                for c in sorted(registration.checkins.all(), key=lambda c: c.at)
            )
            or "—"
        )

    # --- Actions ---------------------------------------------------------------------------
    def has_export_permission(self, request):
        return request.user.has_perm("registration.export_registration")

    def has_print_badges_permission(self, request):
        return request.user.has_perm("registration.print_badges")

    @admin.action(description=_("Renvoyer le courriel de confirmation"), permissions=["change"])
    def resend_confirmation(self, request, queryset):
        live = queryset.exclude(status=Registration.Status.CANCELLED)
        with transaction.atomic():
            count = sum(1 for registration in live if emails.confirmation_again(registration))
        self.message_user(
            request,
            ngettext(
                "%(count)d confirmation remise en envoi (avec un nouveau lien personnel).",
                "%(count)d confirmations remises en envoi (avec un nouveau lien personnel).",
                count,
            )
            % {"count": count},
        )

    @admin.action(description=_("Imprimer les badges (planche A4)"), permissions=["print_badges"])
    def print_badges(self, request, queryset):
        count = queryset.count()
        sheet = badge_sheet_request(
            edition=queryset.first().edition,
            registrations=queryset,
            description=ngettext(
                "%(count)d inscription choisie (%(filters)s)",
                "%(count)d inscriptions choisies (%(filters)s)",
                count,
            )
            % {"count": count, "filters": describe_filters(request)},
            user=request.user,
        )
        return redirect("staff:badge_sheet", pk=sheet.pk)

    @admin.action(description=_("Exporter en CSV"), permissions=["export"])
    def export_csv(self, request, queryset):
        return exports.registrations_export(
            queryset, user=request.user, filters=describe_filters(request)
        )

    # --- One person's data (GDPR) ---------------------------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/donnees.json", view(self.personal_data), name="registration_data"),
            path("<int:pk>/effacer/", view(self.erase), name="registration_erase"),
            *super().get_urls(),
        ]

    def personal_data(self, request, pk):
        registration = self.get_object(request, pk)
        if registration is None or not self.has_export_permission(request):
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(pk))
        exports.log_export(
            user=request.user, what=f"Données personnelles #{registration.pk}", rows=1
        )
        response = JsonResponse(
            privacy.personal_data(registration),
            json_dumps_params={"ensure_ascii": False, "indent": 2},
        )
        response["Content-Disposition"] = f'attachment; filename="inscription-{pk}.json"'
        response["Cache-Control"] = "no-store"
        return response

    def erase(self, request, pk):
        registration = self.get_object(request, pk)
        if registration is None or not self.has_delete_permission(request, registration):
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(pk))
        if request.method == "POST":
            privacy.registration_erase(registration=registration)
            self.message_user(
                request,
                _("Les données de cette personne ont été effacées ; ses places sont libérées."),
            )
            return redirect("admin:registration_registration_changelist")
        return TemplateResponse(
            request,
            "admin/registration/registration/erase.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "registration": registration,
                "title": _("Effacer les données de %(name)s") % {"name": registration.full_name},
            },
        )

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            context["personal_data_url"] = reverse("admin:registration_data", args=[obj.pk])
            context["erase_url"] = reverse("admin:registration_erase", args=[obj.pk])
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)


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
