"""Forms of the programme's admin (validation only)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Edition


class EditionCopyForm(forms.Form):
    """Next year's edition: its number and first day (the rest follows from the copy)."""

    number = forms.IntegerField(label=_("numéro de la nouvelle édition"), min_value=1)
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
