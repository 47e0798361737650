from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from registration.models import Registration


class BadgeSheetForm(forms.Form):
    """Which confirmed attendees to print badges for."""

    day = forms.TypedChoiceField(label=_("Jour"), required=False, empty_value=None)
    category = forms.ChoiceField(label=_("Catégorie"), required=False)

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition
        self.fields["day"].choices = [
            ("", _("Les deux jours")),
            *((day.isoformat(), formats.date_format(day, "l j F")) for day in edition.days),
        ]
        self.fields["day"].coerce = lambda value: next(
            day for day in edition.days if day.isoformat() == value
        )
        self.fields["category"].choices = [("", _("Toutes")), *Registration.Category.choices]

    def registrations(self):
        queryset = Registration.objects.filter(edition=self.edition)
        if day := self.cleaned_data["day"]:
            queryset = queryset.filter(days__day=day)
        if category := self.cleaned_data["category"]:
            queryset = queryset.filter(category=category)
        return queryset

    def description(self):
        parts = [str(_("Confirmé·es"))]
        if self.cleaned_data["day"]:
            parts.append(formats.date_format(self.cleaned_data["day"], "l j F"))
        if category := self.cleaned_data["category"]:
            parts.append(str(Registration.Category(category).label))
        return " · ".join(parts)
