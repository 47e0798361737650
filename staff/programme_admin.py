"""The programme's slots and sessions in admin, through the services that keep bookings
right (registration/programme.py): moving a session or a slot, changing a capacity,
unpublishing or deleting a session. events/admin.py describes the screens; this module
only routes their writes and adds the confirmation a move needs when it touches people."""

from django import forms
from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.admin import (
    EditionAdmin,
    RoomAdmin,
    RoomInline,
    SessionAdmin,
    SessionTypeAdmin,
    SlotAdmin,
    VenueAdmin,
)
from events.forms import SessionForm, SlotForm
from events.models import Edition, Room, Session, SessionType, Slot, Venue
from registration import programme
from registration import services as registration_services
from registration.models import Booking

from .attendance_admin import AttendanceSheetsAction

SHOWN = 15  # names listed in the confirmation, the rest counted


def resolution_field():
    """What staff choose for the people a move puts in two sessions at once."""
    return forms.ChoiceField(
        label=_("Personnes inscrites à deux sessions en même temps"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            (programme.Resolution.KEEP, _("garder les deux réservations et les prévenir")),
            (
                programme.Resolution.WAITLIST_MOVED,
                _("les mettre en liste d'attente de cette session"),
            ),
            (
                programme.Resolution.WAITLIST_OTHER,
                _("les mettre en liste d'attente de leur autre session"),
            ),
        ],
        help_text=_("Demandé seulement si le déplacement crée un chevauchement."),
    )


def ask_about(form, clashes):
    """Unless staff chose, the form comes back naming the people in two sessions at once."""
    if not clashes or form.cleaned_data.get("resolution"):
        return
    names = [f"{c.booking.registration.full_name} (« {c.other.session.title} »)" for c in clashes]
    more = len(clashes) - SHOWN
    listing = ", ".join(names[:SHOWN]) + (f" … (+{more})" if more > 0 else "")
    form.add_error(
        "resolution",
        ngettext(
            "À ce nouvel horaire, %(count)d personne aurait deux sessions en même "
            "temps : %(names)s. Choisissez ce qu'il advient de sa réservation.",
            "À ce nouvel horaire, %(count)d personnes auraient deux sessions en même "
            "temps : %(names)s. Choisissez ce qu'il advient de leurs réservations.",
            len(clashes),
        )
        % {"count": len(clashes), "names": listing},
    )


class StaffSessionForm(SessionForm):
    """The session form, with the choices staff make when an edit touches bookings."""

    resolution = resolution_field()
    confirm_release = forms.BooleanField(
        label=_("Libérer les réservations de cette session et prévenir les personnes"),
        required=False,
        help_text=_("Demandé seulement en dépubliant une session réservée."),
    )

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        self.plan = plan = programme.session_update_plan(session=self.instance)
        if plan.capacity_too_low:
            self.add_error(
                "capacity",
                _(
                    "%(confirmed)d places sont déjà attribuées : la capacité ne peut pas "
                    "descendre à %(capacity)d."
                )
                % {"confirmed": plan.confirmed, "capacity": plan.capacity},
            )
        if plan.releases and plan.booked and not self.cleaned_data.get("confirm_release"):
            self.add_error(
                "confirm_release",
                ngettext(
                    "%(count)d personne a réservé cette session : cochez pour libérer sa "
                    "réservation et la prévenir.",
                    "%(count)d personnes ont réservé cette session : cochez pour libérer "
                    "leurs réservations et les prévenir.",
                    plan.booked,
                )
                % {"count": plan.booked},
            )
        ask_about(self, plan.clashes)


class StaffSessionAdmin(AttendanceSheetsAction, SessionAdmin):
    form = StaffSessionForm
    fieldsets = [
        *SessionAdmin.fieldsets[:2],
        (
            _("Si des inscrit·es sont concerné·es"),
            {"fields": ["resolution", "confirm_release"]},
        ),
        *SessionAdmin.fieldsets[2:],
    ]

    def save_model(self, request, obj, form, change):
        resolution = form.cleaned_data.get("resolution") or programme.Resolution.KEEP
        try:
            changes = programme.session_update(session=obj, resolution=resolution)
        except programme.CapacityTooLow as error:  # seats given between the form and now
            messages.error(
                request,
                _("%(confirmed)d places sont déjà attribuées : capacité %(capacity)d refusée.")
                % {"confirmed": error.confirmed, "capacity": error.capacity},
            )
            return
        plan = getattr(form, "plan", None)
        if plan and plan.tells and plan.booked:
            messages.info(
                request,
                ngettext(
                    "%(count)d personne inscrite recevra dans %(minutes)d minutes un courriel "
                    "qui résume ce qui a changé pour elle.",
                    "%(count)d personnes inscrites recevront dans %(minutes)d minutes un courriel "
                    "qui résume ce qui a changé pour elles.",
                    plan.booked,
                )
                % {"count": plan.booked, "minutes": programme.NOTICE_DELAY.seconds // 60},
            )
        _promoted(request, changes)

    def get_deleted_objects(self, objs, request):
        """Bookings do not stop a deletion here: session_delete releases them first and
        tells their people."""
        deleted, counts, perms, protected = super().get_deleted_objects(objs, request)
        booked = Booking.objects.filter(session__in=list(objs)).count()
        if len(protected) == booked:
            protected = []
        return deleted, counts, perms, protected

    def delete_model(self, request, obj):
        programme.session_delete(session=obj)

    def delete_queryset(self, request, queryset):
        for session in queryset.order_by("pk"):
            programme.session_delete(session=session)


class StaffSlotForm(SlotForm):
    """The slot form: shifting it moves its sessions; people it would put in two sessions
    at once are named first, and staff choose (as for a session moved)."""

    resolution = resolution_field()

    def _post_clean(self):
        super()._post_clean()
        if not self.errors and self.instance.pk:
            ask_about(self, programme.slot_clashes(slot=self.instance))


class StaffSlotAdmin(SlotAdmin):
    form = StaffSlotForm
    fields = [*SlotAdmin.fields, "resolution"]

    def save_model(self, request, obj, form, change):
        resolution = form.cleaned_data.get("resolution") or programme.Resolution.KEEP
        moved = programme.slot_save(slot=obj, resolution=resolution)  # its sessions move
        told = (
            Booking.objects.filter(session__in=[before.session_id for before in moved])
            .values("registration")
            .distinct()
            .count()
        )
        if told:
            messages.info(
                request,
                ngettext(
                    "%(count)d personne inscrite recevra dans %(minutes)d minutes un courriel "
                    "qui résume ce qui a changé pour elle.",
                    "%(count)d personnes inscrites recevront dans %(minutes)d minutes un courriel "
                    "qui résume ce qui a changé pour elles.",
                    told,
                )
                % {"count": told, "minutes": programme.NOTICE_DELAY.seconds // 60},
            )


def _room_too_small(error):
    return _(
        "« %(session)s » a déjà %(confirmed)d places attribuées et prend sa capacité de "
        "cette salle : la capacité ne peut pas descendre à %(capacity)d."
    ) % {"session": error.session.title, "confirmed": error.confirmed, "capacity": error.capacity}


def _promoted(request, changes):
    if changes.promoted_registrations:
        messages.info(
            request,
            ngettext(
                "%(count)d personne passe de la liste d'attente des Rencontres à une place "
                "confirmée.",
                "%(count)d personnes passent de la liste d'attente des Rencontres à une place "
                "confirmée.",
                len(changes.promoted_registrations),
            )
            % {"count": len(changes.promoted_registrations)},
        )
    if changes.promoted_bookings:
        messages.info(
            request,
            ngettext(
                "%(count)d personne passe de la liste d'attente à une place confirmée.",
                "%(count)d personnes passent de la liste d'attente à une place confirmée.",
                len(changes.promoted_bookings),
            )
            % {"count": len(changes.promoted_bookings)},
        )


class StaffRoomForm(forms.ModelForm):
    """A room's capacity is the capacity of its sessions that have none of their own: it
    may not go below the seats one of them has given (programme.room_save)."""

    def _post_clean(self):
        super()._post_clean()
        if not self.errors and (too_low := programme.room_capacity_plan(room=self.instance)):
            self.add_error("capacity", _room_too_small(too_low))


class StaffRoomAdmin(RoomAdmin):
    form = StaffRoomForm

    def save_model(self, request, obj, form, change):
        try:
            _promoted(request, programme.room_save(room=obj))
        except programme.CapacityTooLow as error:  # seats given between the form and now
            messages.error(request, _room_too_small(error))


class RoomFormSet(BaseInlineFormSet):
    """The venue's rooms: the same rule as on a room's own page."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form) or form.errors:
                continue
            if too_low := programme.room_capacity_plan(room=form.instance):
                form.add_error("capacity", _room_too_small(too_low))


class StaffRoomInline(RoomInline):
    formset = RoomFormSet


class StaffVenueAdmin(VenueAdmin):
    inlines = [StaffRoomInline if inline is RoomInline else inline for inline in VenueAdmin.inlines]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Room:
            return super().save_formset(request, form, formset, change)
        rooms = formset.save(commit=False)
        for room in formset.deleted_objects:
            room.delete()
        for room in rooms:
            try:
                _promoted(request, programme.room_save(room=room))
            except programme.CapacityTooLow as error:
                messages.error(request, _room_too_small(error))
        formset.save_m2m()
        return None


class StaffEditionForm(forms.ModelForm):
    """The edition's capacity and dates hold its registrations: a capacity below the places
    given, or days left out that people registered for, are refused (services.edition_save)."""

    def _post_clean(self):
        super()._post_clean()
        if not self.errors and (
            refusal := registration_services.edition_change_refusal(edition=self.instance)
        ):
            self.add_error(None, refusal)


class StaffEditionAdmin(EditionAdmin):
    form = StaffEditionForm

    def save_model(self, request, obj, form, change):
        try:
            _promoted(request, registration_services.edition_save(edition=obj))
        except registration_services.EditionRefused as refusal:  # between the form and now
            messages.error(request, str(refusal))


class StaffSessionTypeForm(forms.ModelForm):
    """A type whose sessions hold bookings stays bookable: its seats and waiting lists
    would be left behind, counted by nobody. Unpublish or delete those sessions first (each
    releases its bookings and tells the people)."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.is_bookable and not cleaned.get("is_bookable"):
            # Sessions still to come: a type serves every edition, past ones keep theirs.
            booked = Booking.objects.filter(
                session__type=self.instance, session__ends_at__gt=timezone.now()
            ).count()
            if booked:
                self.add_error(
                    "is_bookable",
                    ngettext(
                        "%(count)d réservation existe pour des sessions de ce type : dépubliez "
                        "ou supprimez d'abord ces sessions (les personnes sont prévenues).",
                        "%(count)d réservations existent pour des sessions de ce type : "
                        "dépubliez ou supprimez d'abord ces sessions (les personnes sont "
                        "prévenues).",
                        booked,
                    )
                    % {"count": booked},
                )
        return cleaned


class StaffSessionTypeAdmin(SessionTypeAdmin):
    form = StaffSessionTypeForm


admin.site.unregister(SessionType)
admin.site.register(SessionType, StaffSessionTypeAdmin)
admin.site.unregister(Edition)
admin.site.register(Edition, StaffEditionAdmin)
admin.site.unregister(Session)
admin.site.register(Session, StaffSessionAdmin)
admin.site.unregister(Slot)
admin.site.register(Slot, StaffSlotAdmin)
admin.site.unregister(Room)
admin.site.register(Room, StaffRoomAdmin)
admin.site.unregister(Venue)
admin.site.register(Venue, StaffVenueAdmin)
