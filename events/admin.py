"""Django admin for the programme: where CUF staff edit everything visitors read."""

from datetime import timedelta

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from . import services
from .forms import EditionCopyForm, SessionForm, SlotForm
from .models import (
    AccessOption,
    Edition,
    Partner,
    Room,
    Session,
    SessionType,
    Slot,
    Speaker,
    Venue,
)


class AccessOptionInline(TranslationTabularInline):
    model = AccessOption
    extra = 0


class RoomInline(TranslationTabularInline):
    model = Room
    extra = 0


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "street", "postal_code", "city"]
    search_fields = ["name", "city"]
    inlines = [AccessOptionInline, RoomInline]


class PartnerInline(TranslationTabularInline):
    model = Partner
    extra = 0
    # The logo is uploaded on the partner's own page, where it is made safe (services).
    exclude = ["logo"]
    show_change_link = True


def new_upload(form, name):
    """The file just uploaded in ``form``'s field ``name``, or None."""
    return form.cleaned_data.get(name) if name in form.changed_data else None


@admin.register(Edition)
class EditionAdmin(TranslationAdmin):
    list_display = ["number", "short_title", "start_date", "end_date", "is_current"]
    list_filter = ["is_current"]
    search_fields = ["title", "theme"]
    inlines = [PartnerInline]
    actions = ["copy_for_next_year"]
    fieldsets = [
        (None, {"fields": ["number", "is_current", "title", "short_title", "theme"]}),
        (_("Dates et lieu"), {"fields": ["start_date", "end_date", "time_zone", "venue"]}),
        (
            _("Inscriptions"),
            {
                "fields": [
                    "registration_opens_at",
                    "registration_closes_at",
                    "capacity",
                    "lunch_day",
                ]
            },
        ),
        (
            _("Éditorial et page d'accueil"),
            {"fields": ["intro", "editorial", "signatory_name", "signatory_titles"]},
        ),
        (_("Documents"), {"fields": ["programme_pdf"]}),
        (
            _("Contacts"),
            {
                "fields": [
                    "contact_intro",
                    "contact_phone",
                    "contact_email",
                    "organiser_url",
                    "event_site_url",
                    "x_handle",
                    "linkedin_url",
                    "hashtag",
                ]
            },
        ),
        (
            _("Mentions légales"),
            {
                "fields": [
                    "publisher_name",
                    "publisher_details",
                    "publication_director",
                    "host_name",
                    "host_details",
                ]
            },
        ),
        (
            _("Déclaration d'accessibilité"),
            {"fields": ["accessibility_state", "accessibility_audit", "accessibility_updated_on"]},
        ),
    ]

    @admin.action(description=_("Préparer l'édition suivante (copie)"), permissions=["add"])
    def copy_for_next_year(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, _("Choisissez une seule édition à copier."), level=messages.WARNING
            )
            return None
        edition = queryset.get()
        if "apply" in request.POST:
            form = EditionCopyForm(request.POST)
            if form.is_valid():
                try:
                    new = services.edition_copy(edition=edition, **form.cleaned_data)
                except services.EditionExists:
                    form.add_error("number", _("Cette édition existe déjà."))
                else:
                    self.message_user(
                        request,
                        _(
                            "Édition %(number)s préparée : sessions marquées provisoires, "
                            "pas encore affichée sur le site."
                        )
                        % {"number": new.number},
                        level=messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:events_edition_change", args=[new.pk])
                    )
        else:
            form = EditionCopyForm(
                initial={
                    "number": edition.number + 1,
                    # 52 weeks later: the same days of the week.
                    "start_date": edition.start_date + timedelta(weeks=52),
                }
            )
        return TemplateResponse(
            request,
            "admin/events/edition/copy.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Préparer l'édition suivante"),
                "opts": self.model._meta,
                "edition": edition,
                "form": form,
                "action": "copy_for_next_year",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


class SessionInline(admin.TabularInline):
    """The slot's sessions, to read and open: a session is edited on its own page, where
    moving it keeps its bookings right."""

    model = Session
    extra = 0
    fields = [
        "position",
        "title",
        "type",
        "room",
        "starts_at",
        "ends_at",
        "is_published",
        "is_provisional",
    ]
    readonly_fields = fields
    ordering = ["starts_at", "position", "pk"]
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("type", "room")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Slot)
class SlotAdmin(TranslationAdmin):
    form = SlotForm
    fields = ["edition", "title", "day", "start", "end"]
    list_display = ["title", "day", "start_time", "end_time", "edition"]
    list_filter = ["edition"]
    search_fields = ["title"]
    ordering = ["starts_at"]
    date_hierarchy = "starts_at"
    inlines = [SessionInline]

    def save_model(self, request, obj, form, change):
        services.slot_save(slot=obj)  # its sessions move with it

    @admin.display(description=_("jour"), ordering="starts_at")
    def day(self, slot):
        return timezone.localtime(slot.starts_at).date()

    @admin.display(description=_("début"), ordering="starts_at")
    def start_time(self, slot):
        return timezone.localtime(slot.starts_at).strftime("%H:%M")

    @admin.display(description=_("fin"), ordering="ends_at")
    def end_time(self, slot):
        return timezone.localtime(slot.ends_at).strftime("%H:%M")


@admin.register(SessionType)
class SessionTypeAdmin(TranslationAdmin):
    list_display = ["name", "slug", "colour", "is_bookable", "is_plenary", "is_format", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name_fr"]}


@admin.register(Room)
class RoomAdmin(TranslationAdmin):
    list_display = ["name", "venue", "capacity", "location", "position"]
    list_filter = ["venue"]
    search_fields = ["name"]


@admin.register(Speaker)
class SpeakerAdmin(TranslationAdmin):
    list_display = ["name", "role", "organisation", "has_photo"]
    search_fields = ["name", "organisation"]

    @admin.display(description=_("photo"), boolean=True)
    def has_photo(self, speaker):
        return bool(speaker.photo)

    def save_model(self, request, obj, form, change):
        services.speaker_save(speaker=obj, photo=new_upload(form, "photo"))


@admin.register(Session)
class SessionAdmin(TranslationAdmin):
    list_display = [
        "title",
        "type",
        "day",
        "time_range",
        "position",
        "room",
        "effective_capacity",
        "is_published",
        "is_provisional",
    ]
    list_filter = ["slot__edition", "type", "room", "is_published", "is_provisional", "slot"]
    search_fields = ["title", "description", "code", "speakers__name"]
    ordering = ["starts_at", "position", "pk"]
    list_select_related = ["type", "room", "slot"]
    autocomplete_fields = ["speakers"]
    readonly_fields = ["code", "guid", "sequence", "updated_at"]
    form = SessionForm
    fieldsets = [
        (None, {"fields": ["title", "type", "description", "speakers", "language"]}),
        (
            _("Quand et où"),
            {"fields": ["slot", "position", "start", "end", "room", "capacity"]},
        ),
        (_("Publication"), {"fields": ["is_published", "is_provisional"]}),
        (_("Identifiants"), {"fields": ["code", "guid", "sequence", "updated_at"]}),
    ]

    @admin.display(description=_("jour"), ordering="starts_at")
    def day(self, session):
        return timezone.localtime(session.starts_at).date()

    @admin.display(description=_("horaire"), ordering="starts_at")
    def time_range(self, session):
        start = timezone.localtime(session.starts_at)
        end = timezone.localtime(session.ends_at)
        return f"{start:%H:%M}–{end:%H:%M}"

    @admin.display(description=_("capacité"))
    def effective_capacity(self, session):
        return session.effective_capacity


@admin.register(Partner)
class PartnerAdmin(TranslationAdmin):
    list_display = ["name", "tier", "role", "edition", "position"]
    list_filter = ["edition", "tier"]

    def save_model(self, request, obj, form, change):
        services.partner_save(partner=obj, logo=new_upload(form, "logo"))
