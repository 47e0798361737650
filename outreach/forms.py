from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from events.models import Session

from .models import ReconfirmationCampaign, StaffMessage

ONE_LINE = _("L'objet tient sur une ligne.")


class StaffMessageForm(forms.ModelForm):
    """A staff message: who gets it, and its text in French and (optionally) English."""

    class Meta:
        model = StaffMessage
        fields = [
            "audience",
            "session",
            "booked",
            "day",
            "subject_fr",
            "body_fr",
            "subject_en",
            "body_en",
        ]
        widgets = {"audience": forms.RadioSelect, "booked": forms.RadioSelect}

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition
        if "session" not in self.fields:
            return  # a sent message: read only
        self.fields["audience"].choices = StaffMessage.Audience.choices  # no blank radio
        self.fields["session"].queryset = (
            Session.objects.filter(slot__edition=edition, type__is_bookable=True)
            .select_related("slot")
            .order_by("starts_at", "position", "pk")
        )
        self.fields["session"].label_from_instance = lambda session: (
            f"{formats.date_format(session.starts_at, 'D j H:i')} — {session.title}"
        )
        self.fields["day"] = forms.TypedChoiceField(
            label=_("Jour"),
            required=False,
            empty_value=None,
            choices=[
                ("", "—"),
                *((day.isoformat(), formats.date_format(day, "l j F")) for day in edition.days),
            ],
            coerce=lambda value: next(d for d in edition.days if d.isoformat() == value),
        )

    def clean_subject_fr(self):
        return self._one_line("subject_fr")

    def clean_subject_en(self):
        return self._one_line("subject_en")

    def _one_line(self, name):
        value = self.cleaned_data[name]
        if "\n" in value or "\r" in value:
            raise forms.ValidationError(ONE_LINE)
        return value

    def clean(self):
        data = super().clean()
        audience = data.get("audience")
        if audience == StaffMessage.Audience.SESSION and not data.get("session"):
            self.add_error("session", _("Choisissez la session."))
        if audience == StaffMessage.Audience.DAY and not data.get("day"):
            self.add_error("day", _("Choisissez le jour."))
        english = [bool(data.get(name, "").strip()) for name in ("subject_en", "body_en")]
        if any(english) and not all(english):
            self.add_error(
                "body_en" if english[0] else "subject_en",
                _("En anglais, donnez l'objet et le texte, ou laissez les deux vides."),
            )
        return data


class CampaignForm(forms.ModelForm):
    """Open a reconfirmation campaign: its deadline (in the future, before the event)."""

    class Meta:
        model = ReconfirmationCampaign
        fields = ["deadline"]

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("La date limite doit être à venir."))
        if deadline >= self.edition.starts_at:
            raise forms.ValidationError(_("La date limite doit précéder les Rencontres."))
        return deadline
