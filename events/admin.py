"""Django admin for the programme: where CUF staff edit everything visitors read."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from . import services
from .forms import SessionForm, SlotForm
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


@admin.register(Edition)
class EditionAdmin(TranslationAdmin):
    list_display = ["number", "short_title", "start_date", "end_date", "is_current"]
    list_filter = ["is_current"]
    search_fields = ["title", "theme"]
    inlines = [PartnerInline]
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
        (_("Éditorial"), {"fields": ["editorial", "signatory_name", "signatory_titles"]}),
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
    ]


class SessionInline(admin.TabularInline):
    """The slot's sessions, to read and open: a session is edited on its own page, where
    moving it keeps its bookings right."""

    model = Session
    extra = 0
    fields = ["title", "type", "room", "starts_at", "ends_at", "is_published"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

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
    list_display = ["name", "role", "organisation"]
    search_fields = ["name", "organisation"]


@admin.register(Session)
class SessionAdmin(TranslationAdmin):
    list_display = [
        "title",
        "type",
        "day",
        "time_range",
        "room",
        "effective_capacity",
        "is_published",
        "is_provisional",
    ]
    list_filter = ["slot__edition", "type", "room", "is_published", "is_provisional", "slot"]
    search_fields = ["title", "description", "code", "speakers__name"]
    ordering = ["starts_at", "type__position", "title"]
    list_select_related = ["type", "room", "slot"]
    autocomplete_fields = ["speakers"]
    readonly_fields = ["code", "guid", "sequence", "updated_at"]
    form = SessionForm
    fieldsets = [
        (None, {"fields": ["title", "type", "description", "speakers", "language"]}),
        (_("Quand et où"), {"fields": ["slot", "start", "end", "room", "capacity"]}),
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
    list_display = ["name", "role", "edition", "position"]
    list_filter = ["edition"]
