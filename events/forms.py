"""Admin forms of the programme: times typed the way staff write them, on their slot's day;
next year's edition."""

import re
from datetime import datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import Edition, Session, Slot
from .services import slot_sessions_after

# « 15h30 », « 15h », « 15:30 », « 15.30 », « 9h05 », « 1530 », with or without spaces.
TIME = re.compile(r"^\s*(\d{1,2})\s*(?:[h:.]\s*(\d{2})?|(\d{2}))?\s*$", re.IGNORECASE)


def parse_time(text):
    """A time of day from what staff type, or None when it is not one."""
    match = TIME.match(text or "")
    if not match:
        return None
    hours, minutes = int(match[1]), int(match[2] or match[3] or 0)
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


class FriendlyTimeField(forms.Field):
    """A time of day: « 15h30 », « 15:30 », « 15h »."""

    widget = forms.TextInput(attrs={"size": 6, "maxlength": 10, "inputmode": "text"})
    default_error_messages = {
        "invalid": _("Heure non reconnue : écrivez par exemple 15h30 ou 15:30."),
    }

    def prepare_value(self, value):
        return value.strftime("%H:%M") if isinstance(value, time) else value

    def to_python(self, value):
        value = str(value or "").strip()
        if not value:
            return None
        parsed = parse_time(value[:20])
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


def on_day(day, moment, tz):
    return datetime.combine(day, moment, tzinfo=tz)


class SlotForm(forms.ModelForm):
    """A slot as one day and two times, instead of four date and time boxes."""

    day = forms.DateField(label=capfirst(_("jour")))
    start = FriendlyTimeField(label=capfirst(_("début")), help_text=_("Ex. 15h30 ou 15:30."))
    end = FriendlyTimeField(label=capfirst(_("fin")), help_text=_("Ex. 17h ou 17:00."))

    class Meta:
        model = Slot
        fields = ["edition"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            start = timezone.localtime(self.instance.starts_at)
            self.initial.update(
                day=start.date(),
                start=start.time(),
                end=timezone.localtime(self.instance.ends_at).time(),
            )

    def clean(self):
        cleaned = super().clean()
        edition, day = cleaned.get("edition"), cleaned.get("day")
        start, end = cleaned.get("start"), cleaned.get("end")
        if edition and day and start and end:
            self.instance.starts_at = on_day(day, start, edition.tz)
            self.instance.ends_at = on_day(day, end, edition.tz)
            if end <= start:
                self.add_error("end", _("La fin doit suivre le début."))
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        slot = self.instance
        if self.errors or not slot.pk:
            return
        old_start = Slot.objects.values_list("starts_at", flat=True).get(pk=slot.pk)
        try:
            slot_sessions_after(slot, old_start)
        except ValidationError as error:
            self.add_error(None, error)


class SessionForm(forms.ModelForm):
    """Where and when: a slot, and times only when the session does not fill it."""

    start = FriendlyTimeField(
        label=capfirst(_("début")),
        required=False,
        help_text=_("Vide : l'heure du créneau. Ex. 15h30."),
    )
    end = FriendlyTimeField(
        label=capfirst(_("fin")), required=False, help_text=_("Vide : l'heure du créneau. Ex. 17h.")
    )

    class Meta:
        model = Session
        # What it shows comes from the admin's fieldsets. An `exclude` rather than a list of
        # `fields`: modeltranslation copies a form's Meta.fields onto the admin serving it,
        # which then has both fields and fieldsets (admin.E005 at the next system check).
        # The times are this form's start/end; the identifiers are read only.
        exclude = ["starts_at", "ends_at", "own_times", "code", "guid", "sequence"]  # noqa: DJ006

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.own_times:
            self.initial.update(
                start=timezone.localtime(self.instance.starts_at).time(),
                end=timezone.localtime(self.instance.ends_at).time(),
            )

    def _update_errors(self, errors):
        # The model speaks of starts_at/ends_at; this form shows them as start/end.
        if hasattr(errors, "error_dict"):
            renamed = {"starts_at": "start", "ends_at": "end"}
            errors.error_dict = {
                renamed.get(name, name): value for name, value in errors.error_dict.items()
            }
        super()._update_errors(errors)

    def clean(self):
        cleaned = super().clean()
        slot, start, end = cleaned.get("slot"), cleaned.get("start"), cleaned.get("end")
        session = self.instance
        session.own_times = bool(start or end)
        if slot is not None:
            tz = slot.edition.tz
            day = timezone.localtime(slot.starts_at, tz).date()
            session.starts_at = on_day(day, start, tz) if start else slot.starts_at
            session.ends_at = on_day(day, end, tz) if end else slot.ends_at
        return cleaned


class EditionCopyForm(forms.Form):
    """Next year's edition: its number and first day (the rest follows from the copy)."""

    number = forms.IntegerField(
        label=_("numéro de la nouvelle édition"),
        min_value=1,
        max_value=32767,  # the column (PositiveSmallIntegerField) holds no more
    )
    start_date = forms.DateField(
        label=_("premier jour de la nouvelle édition"),
        help_text=_("Créneaux et sessions gardent leurs horaires."),
        # A date input reads and writes ISO dates only, whatever the language.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_number(self):
        number = self.cleaned_data["number"]
        if Edition.objects.filter(number=number).exists():
            raise forms.ValidationError(
                _("L'édition %(number)s existe déjà."), params={"number": number}
            )
        return number
