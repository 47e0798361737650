"""Registrations in admin: the list staff follow, with filters, inlines and actions.

Every write goes through the services of registration/ (capacity, waiting lists, calendar
rules): « add » is the sign-up form for staff (services.registration_create), the change
form corrects details (services.registration_update_details), days and bookings are read
only here, and « delete » is replaced by erasure (cancel, seats to the waiting lists, then
anonymise), so that no seat is freed without its waiting list moving.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.text import Truncator, format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries

from events.models import Session
from events.queries import current_edition
from registration import emails, queries, services
from registration.forms import SESSION_GONE
from registration.models import AttendanceDay, Booking, OutgoingEmail, Registration
from registration.search import fold

from . import (
    attendance_admin,
    exports,
    privacy,
    programme_admin,  # noqa: F401  (the programme's admin, through registration's services)
)
from .forms import (
    PERSON_FIELDS,
    RegistrationDetailsForm,
    StaffChangeForm,
    StaffRegistrationForm,
)
from .models import CheckIn, ExportLog
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


class CountryFilter(ChoicesOnlyFilter):
    """The countries someone registered from, not the 250 of the world (1 query)."""

    title = _("pays")
    parameter_name = "country__exact"  # as the plain field filter named it: bookmarks work

    def lookups(self, request, model_admin):
        codes = Registration.objects.order_by().values_list("country", flat=True).distinct()
        named = ((code, countries.name(code) or code) for code in codes)
        return sorted(named, key=lambda choice: fold(choice[1]))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(country=self.value())
        return queryset


class KindFilter(ChoicesOnlyFilter):
    """The kinds of message in the outbox, registration's and other apps' alike, by their
    labels (1 query)."""

    title = _("message")
    parameter_name = "kind__exact"  # as the plain field filter named it: bookmarks work

    def lookups(self, request, model_admin):
        kinds = OutgoingEmail.objects.order_by().values_list("kind", flat=True).distinct()
        named = ((kind, str(emails.kind_label(kind))) for kind in kinds)
        return sorted(named, key=lambda choice: fold(choice[1]))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(kind=self.value())
        return queryset


class SessionFilter(ChoicesOnlyFilter):
    """Who has a confirmed seat in a session (its waiting list is on the session's page)."""

    title = _("session (place confirmée)")
    parameter_name = "session"

    def lookups(self, request, model_admin):
        try:
            edition = current_edition()
        except Http404:
            return []
        sessions = (
            Session.objects.filter(slot__edition=edition, type__is_bookable=True)
            .only("pk", "title", "starts_at", "position")
            .order_by("starts_at", "position", "pk")
        )
        return [
            (
                str(session.pk),
                f"{formats.date_format(timezone.localtime(session.starts_at), 'D j H:i')} · "
                f"{Truncator(session.title).chars(50)}",
            )
            for session in sessions
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                Exists(
                    Booking.objects.filter(
                        registration=OuterRef("pk"),
                        session=self.value(),
                        status=Booking.Status.CONFIRMED,
                    )
                )
            )
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
    """Read only: removing a day here would leave that day's bookings confirmed."""

    model = AttendanceDay
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
    fields = ["day", "at", "by", "confirmed_exception"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # recorded at the check-in desk


def category_action(category):
    def action(modeladmin, request, queryset):
        count = services.registrations_set_category(registrations=queryset, category=category)
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
    # Lazy: translated for each request, not once in the language of the first import.
    description = format_lazy(_("Catégorie → {category}"), category=category.label)
    return admin.action(description=description, permissions=["change"])(action)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    # What the office asks of the list, in a laptop's width (1366 px, tested): who, from
    # where, which days, lunch, status, badge, arrived. The type of organisation and the
    # date of sign-up are filters (and the date hierarchy) rather than columns.
    list_display = [
        "name",
        "organisation_short",
        "country_name",
        "day_list",
        "lunch",
        "status",
        "category",
        "checked_in",
    ]
    list_display_links = ["name"]
    list_filter = [
        "status",
        DayFilter,
        SessionFilter,
        "organisation_type",
        CountryFilter,
        "category",
        "is_elected",
        "lunch",
        "photo_consent",
        "newsletter_consent",
        CheckedInFilter,
        "edition",
    ]
    # Names, address and organisation through their folded copy (« hue » finds « Hué »).
    search_fields = ["search_text", "=checkin_code"]
    search_help_text = _("Nom, courriel, organisation (accents indifférents) ou code d'accueil")
    list_per_page = 50
    date_hierarchy = "created_at"
    inlines = [AttendanceDayInline, BookingInline, CheckInInline]
    form = RegistrationDetailsForm
    readonly_fields = [
        "edition",
        "status",
        "checkin_code",
        "form_token",
        "privacy_consent_at",
        "created_at",
        "cancelled_at",
    ]
    fieldsets = [
        (None, {"fields": ["edition", "status", "category", "checkin_code"]}),
        (_("Personne"), {"fields": PERSON_FIELDS}),
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
        attendance_admin.issue_attestations,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("days", "checkins")

    def get_search_results(self, request, queryset, search_term):
        """The words typed, folded as `search_text` is (no accent, lower case)."""
        return super().get_search_results(request, queryset, fold(search_term))

    def changelist_view(self, request, extra_context=None):
        # The list needs the width; the admin's sections are one click away (breadcrumbs).
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    # --- Writes, through the services ------------------------------------------------------
    def has_delete_permission(self, request, obj=None):
        return False  # erasure instead (see erase): cancel, seats to the waiting lists, forget

    def add_view(self, request, form_url="", extra_context=None):
        """Staff register someone by hand, under the rules of a sign-up (seats, waiting
        lists, one registration per address), until the event ends; the person gets the
        usual confirmation with their personal link."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        edition = current_edition()
        form = StaffRegistrationForm(
            request.POST or None,
            edition=edition,
            bookable=queries.bookable_slots(edition),
            initial={"language": "fr"},
        )
        if request.method == "POST" and form.is_valid():
            try:
                registration = services.registration_create(
                    edition=edition,
                    data=form.registration_data,
                    days=form.cleaned_data["days"],
                    session_ids=form.session_ids,
                    form_token=form.cleaned_data["form_token"],
                    by_staff=True,
                )
            except services.AlreadySubmitted:
                return redirect("admin:registration_registration_changelist")
            except services.DuplicateRegistration as duplicate:
                form.add_error(
                    "email",
                    _("Cette adresse a déjà une inscription : n° %(number)d (%(name)s).")
                    % {"number": duplicate.registration.pk, "name": duplicate.registration},
                )
            except services.RegistrationClosed:
                form.add_error(None, _("L'événement est terminé : plus d'inscription possible."))
            except services.InvalidBooking:
                form.add_error(None, SESSION_GONE)
            else:
                self.log_addition(request, registration, [{"added": {}}])
                self.message_user(
                    request,
                    _("%(name)s est inscrit·e ; le courriel de confirmation part avec son lien.")
                    % {"name": registration.full_name},
                )
                return redirect("admin:registration_registration_change", registration.pk)
        form.show_seats(queries.seats_taken(edition))
        fieldsets = [
            (name, {"fields": [f for f in fields if f in form.fields]})
            for name, fields in form.staff_fieldsets()
        ]
        return TemplateResponse(
            request,
            "admin/registration/registration/add.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "form": form,
                "adminform": helpers.AdminForm(form, fieldsets, {}, model_admin=self),
                "edition": edition,
                "title": _("Inscrire une personne"),
            },
        )

    def save_model(self, request, obj, form, change):
        """Details only (add_view handles additions); days and seats are read only here."""
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.registration_update_details(
                registration=obj,
                data={k: v for k, v in data.items() if k in services.DETAIL_FIELDS},
            )
        except services.DuplicateRegistration:  # taken between the form check and now
            raise PermissionDenied from None

    @admin.display(description=_("nom"), ordering="last_name")
    def name(self, registration):
        return f"{registration.last_name.upper()} {registration.first_name}".strip()

    @admin.display(description=_("organisation"), ordering="organisation")
    def organisation_short(self, registration):
        return Truncator(registration.organisation).chars(40)

    @admin.display(description=_("pays"), ordering="country")
    def country_name(self, registration):
        return Truncator(registration.country.name).chars(24)

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
            path("<int:pk>/sessions/", view(self.change_bookings), name="registration_bookings"),
            path("<int:pk>/annuler/", view(self.cancel), name="registration_cancel"),
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
        can_erase = request.user.has_perm("registration.delete_registration")
        if registration is None or not can_erase:
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

    # --- Days, sessions, cancellation: as the person would on their page ----------------
    def _live_registration(self, request, pk):
        registration = self.get_object(request, pk)
        if registration is None or not self.has_change_permission(request, registration):
            return None
        return registration

    def change_bookings(self, request, pk):
        """Staff change someone's days and sessions (and details) through the service the
        person's own page uses (registration_update): the same seat rules and waiting
        lists, the same email; possible until the event ends."""
        registration = self._live_registration(request, pk)
        if registration is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(pk))
        change_url = reverse("admin:registration_registration_change", args=[pk])
        if registration.is_cancelled:
            self.message_user(request, _("Cette inscription est annulée."), messages.WARNING)
            return redirect(change_url)
        edition = registration.edition
        initial = {"days": [d.isoformat() for d in registration.days.values_list("day", flat=True)]}
        shown = services.slot_choices(registration.bookings.all())
        initial.update({f"slot_{slot}": str(session) for slot, session in shown.items()})
        form = StaffChangeForm(
            request.POST or None,
            instance=registration,
            edition=edition,
            bookable=queries.bookable_slots(edition),
            initial=initial,
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.registration_update(
                    registration=registration,
                    data=form.registration_data,
                    days=form.cleaned_data["days"],
                    session_ids=form.session_ids,
                    by_staff=True,
                )
            except services.RegistrationClosed:
                form.add_error(None, _("L'événement est terminé : plus de changement possible."))
            except services.InvalidBooking:
                form.add_error(None, SESSION_GONE)
            else:
                self.log_change(request, registration, [{"changed": {"fields": ["bookings"]}}])
                self.message_user(
                    request,
                    _("Changements enregistrés ; %(name)s en reçoit le courriel habituel.")
                    % {"name": registration.full_name},
                )
                return redirect(change_url)
        form.show_seats(queries.seats_taken(edition))
        fieldsets = [
            (name, {"fields": [f for f in fields if f in form.fields]})
            for name, fields in form.staff_fieldsets()
        ]
        return TemplateResponse(
            request,
            "admin/registration/registration/bookings.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "form": form,
                "adminform": helpers.AdminForm(form, fieldsets, {}, model_admin=self),
                "registration": registration,
                "change_url": change_url,
                "title": _("Jours et sessions de %(name)s") % {"name": registration.full_name},
            },
        )

    def cancel(self, request, pk):
        """Staff cancel someone's registration (they called, they wrote): the service the
        person's own « annuler » uses, so seats go to the waiting lists and everyone
        concerned gets the usual email."""
        registration = self._live_registration(request, pk)
        if registration is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(pk))
        change_url = reverse("admin:registration_registration_change", args=[pk])
        if registration.is_cancelled:
            return redirect(change_url)
        if request.method == "POST":
            try:
                services.registration_cancel(registration=registration)
            except services.RegistrationClosed:
                self.message_user(
                    request, _("L'événement est terminé : plus d'annulation."), messages.WARNING
                )
            else:
                self.log_change(request, registration, [{"changed": {"fields": ["status"]}}])
                self.message_user(
                    request, _("Inscription annulée ; ses places vont aux listes d'attente.")
                )
            return redirect(change_url)
        return TemplateResponse(
            request,
            "admin/registration/registration/cancel.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "registration": registration,
                "change_url": change_url,
                "title": _("Annuler l'inscription de %(name)s") % {"name": registration.full_name},
            },
        )

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            context["personal_data_url"] = reverse("admin:registration_data", args=[obj.pk])
            context["erase_url"] = reverse("admin:registration_erase", args=[obj.pk])
            if not obj.is_cancelled:
                context["bookings_url"] = reverse("admin:registration_bookings", args=[obj.pk])
                context["cancel_url"] = reverse("admin:registration_cancel", args=[obj.pk])
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """Every message sent (or waiting, or given up), and a way to send one again."""

    list_display = ["created_at", "to", "subject", "kind_label", "status", "attempts", "sent_at"]
    list_filter = ["status", KindFilter]
    search_fields = ["to", "subject", "message_id"]
    date_hierarchy = "created_at"
    # The kind by its label: other apps' kinds are not among the field's choices.
    readonly_fields = [
        "kind_label" if f.name == "kind" else f.name for f in OutgoingEmail._meta.fields
    ]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("message"), ordering="kind")
    def kind_label(self, obj):
        return emails.kind_label(obj.kind)

    @admin.action(description=_("Envoyer à nouveau"), permissions=["change"])
    def send_again(self, request, queryset):
        with transaction.atomic():
            copies = [copy for copy in map(emails.resend, queryset) if copy is not None]
        self.message_user(
            request,
            ngettext(
                "%(count)d courriel remis en envoi.",
                "%(count)d courriels remis en envoi.",
                len(copies),
            )
            % {"count": len(copies)},
        )


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    """Who exported which personal data, and when: read only (a log nobody may rewrite)."""

    list_display = ["at", "user", "what", "filters", "rows"]
    list_filter = ["at"]
    search_fields = ["what", "filters", "user__username"]
    date_hierarchy = "at"
    list_select_related = ["user"]
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # erasure and the purge blank what an entry names (privacy.py)
