"""B2B in admin: the setup (programme, tables, themes), the approval queue of profiles,
and requests and meetings to follow. Every write goes through services.py."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.db import transaction
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from rencontres.admin import ReadOnlyAdmin

from . import services
from .followup import absent_before
from .models import Meeting, MeetingRequest, MeetingTime, Profile, Programme, Table, Theme


class StaffActions:
    """Actions that write (approve, cancel, withdraw…) on models staff cannot edit in a
    form: they need the model's « change » right, which the admin's own check cannot ask
    since these admins refuse the change form to everyone."""

    def has_act_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")


class TableInline(admin.TabularInline):
    model = Table
    extra = 0
    autocomplete_fields = ["host"]


class MeetingTimeInline(admin.TabularInline):
    model = MeetingTime
    extra = 0
    can_delete = False
    fields = ["starts_at", "ends_at", "session"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["edition", "opens_at", "closes_at", "meeting_minutes", "needs_approval"]
    filter_horizontal = ["sessions"]
    inlines = [TableInline, MeetingTimeInline]
    actions = ["screen_link"]
    fieldsets = [
        (None, {"fields": ["edition", "sessions", "meeting_minutes", "changeover_minutes"]}),
        (_("Fenêtre de réservation (heure de Paris)"), {"fields": ["opens_at", "closes_at"]}),
        (
            _("Règles"),
            {"fields": ["max_pending", "max_meetings", "expiry_days", "needs_approval"]},
        ),
    ]

    def save_model(self, request, obj, form, change):
        services.programme_save(programme=obj)

    def has_delete_permission(self, request, obj=None):
        # Deleting it would drop requests and meetings without telling anyone.
        if obj is not None and obj.requests.exists():
            return False
        return super().has_delete_permission(request, obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Table:
            return super().save_formset(request, form, formset, change)
        for table in formset.save(commit=False):
            services.table_save(table=table)
        for table in formset.deleted_objects:
            services.table_delete(table=table)

    @admin.action(
        description=_("Nouveau lien pour l'écran « Prochains rendez-vous »"),
        permissions=["change"],
    )
    def screen_link(self, request, queryset):
        """A secret link for the screen at the Espace des Partenaires, shown once on a page
        no one keeps (only its hash is stored; never in a message, which travels in a
        cookie); the previous link of the programme stops working."""
        links = [
            (
                programme,
                settings.SITE_URL
                + reverse(
                    "meetings:screen",
                    kwargs={"token": services.screen_key_issue(programme=programme)},
                ),
            )
            for programme in queryset
        ]
        response = TemplateResponse(
            request,
            "admin/meetings/programme/screen_link.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Lien de l'écran « Prochains rendez-vous »"),
                "opts": self.model._meta,
                "links": links,
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        created, removed = services.times_generate(programme=form.instance)
        if created or removed:
            self.message_user(
                request,
                _("Horaires de rendez-vous : %(created)s créés, %(removed)s supprimés.")
                % {"created": created, "removed": removed},
            )


@admin.register(Theme)
class ThemeAdmin(TranslationAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]

    def save_model(self, request, obj, form, change):
        services.theme_save(theme=obj)

    def delete_model(self, request, obj):
        services.theme_delete(theme=obj)

    def delete_queryset(self, request, queryset):
        for theme in queryset:
            services.theme_delete(theme=theme)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif envoyé à la personne"), widget=forms.Textarea, max_length=1000
    )


@admin.register(Profile)
class ProfileAdmin(StaffActions, admin.ModelAdmin):
    """The approval queue: filter « À valider », tick, approve or reject with a reason."""

    list_display = ["registration", "organisation", "country", "status", "is_listed", "created_at"]
    list_filter = ["status", "is_listed", "themes", "registration__organisation_type"]
    search_fields = [
        "registration__last_name",
        "registration__first_name",
        "registration__organisation",
    ]
    list_select_related = ["registration"]
    actions = ["approve", "reject", "hide"]
    readonly_fields = ["registration", "status", "rejection_reason", "reviewed_at", "created_at"]
    fields = [
        "registration",
        "status",
        "is_listed",
        "presentation",
        "offers",
        "seeks",
        "themes",
        "countries",
        "languages",
        "rejection_reason",
        "reviewed_at",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False  # people opt in from their personal page

    def has_delete_permission(self, request, obj=None):
        return False  # leaving goes through the services (meetings cancelled, people told)

    def has_change_permission(self, request, obj=None):
        return False  # the person writes their profile; staff approve or reject

    @admin.display(description=_("organisation"))
    def organisation(self, profile):
        return profile.registration.organisation

    @admin.display(description=_("pays"))
    def country(self, profile):
        return profile.registration.country.name

    @admin.action(description=_("Valider les profils choisis"), permissions=["act"])
    def approve(self, request, queryset):
        with transaction.atomic():
            for profile in queryset.select_related("registration__edition"):
                services.profile_approve(profile=profile)
        self.message_user(
            request,
            ngettext("%(count)s profil validé.", "%(count)s profils validés.", queryset.count())
            % {"count": queryset.count()},
            messages.SUCCESS,
        )

    @admin.action(description=_("Retirer de l'annuaire les profils choisis"), permissions=["act"])
    def hide(self, request, queryset):
        profiles = list(queryset)
        for profile in profiles:
            services.profile_hide(profile=profile)
        self.message_user(
            request,
            ngettext(
                "%(count)s profil retiré de l'annuaire.",
                "%(count)s profils retirés de l'annuaire.",
                len(profiles),
            )
            % {"count": len(profiles)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Refuser les profils choisis (avec un motif)"), permissions=["act"])
    def reject(self, request, queryset):
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            profiles = list(queryset.select_related("registration__edition"))
            for profile in profiles:
                services.profile_reject(profile=profile, reason=form.cleaned_data["reason"])
            self.message_user(
                request,
                ngettext("%(count)s profil refusé.", "%(count)s profils refusés.", len(profiles))
                % {"count": len(profiles)},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/meetings/profile/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Refuser des profils B2B"),
                "opts": self.model._meta,
                "form": form,
                "profiles": queryset.select_related("registration"),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(MeetingRequest)
class MeetingRequestAdmin(StaffActions, ReadOnlyAdmin):
    list_display = ["sender", "recipient", "status", "created_at", "expires_at"]
    list_filter = ["status"]
    list_select_related = ["sender", "recipient"]
    search_fields = ["sender__last_name", "recipient__last_name"]
    actions = ["withdraw"]

    @admin.action(
        description=_(
            "Retirer les demandes en attente choisies (la personne sollicitée est prévenue)"
        ),
        permissions=["act"],
    )
    def withdraw(self, request, queryset):
        done = sum(
            services.request_withdraw_by_staff(request=r)
            for r in queryset.select_related("sender", "recipient")
        )
        self.message_user(
            request,
            ngettext("%(count)s demande retirée.", "%(count)s demandes retirées.", done)
            % {"count": done},
            messages.SUCCESS,
        )


class HeldFilter(admin.SimpleListFilter):
    title = _("a eu lieu ?")
    parameter_name = "tenu"

    def lookups(self, request, model_admin):
        return [
            ("oui", _("Tenu (terminé, sans signalement)")),
            ("non", _("N'a pas eu lieu (signalé)")),
            ("a-venir", _("Pas encore terminé")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "oui":
            return queryset.filter(time__ends_at__lte=now, not_held_at__isnull=True)
        if self.value() == "non":
            return queryset.filter(not_held_at__isnull=False)
        if self.value() == "a-venir":
            return queryset.filter(time__ends_at__gt=now)
        return queryset


class AbsentBeforeFilter(admin.SimpleListFilter):
    title = _("personne absente auparavant")
    parameter_name = "absent"

    def lookups(self, request, model_admin):
        return [("oui", _("L'une des deux a manqué un rendez-vous précédent"))]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.filter(Q(sender_absent=True) | Q(recipient_absent=True))
        return queryset


@admin.register(Meeting)
class MeetingAdmin(StaffActions, ReadOnlyAdmin):
    """Meetings to follow on the day: held or not, and a flag on those of someone reported
    absent at an earlier meeting (see also « Suivi des rendez-vous B2B »)."""

    list_display = [
        "time", "table", "request", "status", "is_locked", "held", "absent_before", "sequence",
    ]  # fmt: skip
    list_filter = ["status", "is_locked", HeldFilter, AbsentBeforeFilter, "time", "table"]
    list_select_related = ["time", "table", "request__sender", "request__recipient"]
    actions = ["cancel", "lock", "unlock"]

    @admin.action(
        description=_(
            "Verrouiller les rendez-vous choisis (la planification ne les déplacera pas)"
        ),
        permissions=["act"],
    )
    def lock(self, request, queryset):
        self._locked(request, queryset, True)

    @admin.action(description=_("Déverrouiller les rendez-vous choisis"), permissions=["act"])
    def unlock(self, request, queryset):
        self._locked(request, queryset, False)

    def _locked(self, request, queryset, locked):
        count = services.meetings_lock(meetings=queryset, locked=locked)
        self.message_user(
            request,
            (
                ngettext(
                    "%(count)s rendez-vous verrouillé.", "%(count)s rendez-vous verrouillés.", count
                )
                if locked
                else ngettext(
                    "%(count)s rendez-vous déverrouillé.",
                    "%(count)s rendez-vous déverrouillés.",
                    count,
                )
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Annuler les rendez-vous choisis (les deux personnes sont prévenues)"),
        permissions=["act"],
    )
    def cancel(self, request, queryset):
        meetings = list(
            queryset.filter(status=Meeting.Status.SCHEDULED).select_related(
                "request__sender", "request__recipient"
            )
        )
        for meeting in meetings:
            services.meeting_cancel_by_staff(meeting=meeting)
        self.message_user(
            request,
            ngettext(
                "%(count)s rendez-vous annulé.", "%(count)s rendez-vous annulés.", len(meetings)
            )
            % {"count": len(meetings)},
            messages.SUCCESS,
        )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                sender_absent=absent_before("request__sender"),
                recipient_absent=absent_before("request__recipient"),
            )
        )

    @admin.display(description=_("a eu lieu"))
    def held(self, meeting):
        if meeting.not_held_at:
            return _("Non (signalé par %(name)s)") % {
                "name": meeting.request.sender.full_name
                if meeting.not_held_by_id == meeting.request.sender_id
                else meeting.request.recipient.full_name
            }
        if meeting.status != Meeting.Status.SCHEDULED or meeting.time.ends_at > timezone.now():
            return "—"
        return _("Oui")

    @admin.display(description=_("absent·e auparavant"))
    def absent_before(self, meeting):
        names = [
            person.full_name
            for person, absent in (
                (meeting.request.sender, meeting.sender_absent),
                (meeting.request.recipient, meeting.recipient_absent),
            )
            if absent
        ]
        return "⚠ " + ", ".join(names) if names else ""


from . import planning_admin  # noqa: E402, F401 (the scheduling engine's runs)
