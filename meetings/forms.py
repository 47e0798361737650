"""B2B forms: validation only (services.py writes)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import LANGUAGES, Theme
from .services import MESSAGE_MAX


class ProfileForm(forms.Form):
    presentation = forms.CharField(
        label=_("Présentation"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    offers = forms.CharField(
        label=_("Ce que je propose"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    seeks = forms.CharField(
        label=_("Ce que je cherche"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Thèmes"),
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    countries = forms.MultipleChoiceField(
        label=_("Pays ou régions d'intérêt"), choices=countries, required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip
    languages = forms.MultipleChoiceField(
        label=_("Langues parlées"),
        choices=LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    wants_digest = forms.BooleanField(
        label=_(
            "Recevoir un récapitulatif quotidien des demandes reçues plutôt qu'un courriel par "
            "demande"
        ),
        required=False,
    )
    is_listed = forms.BooleanField(
        label=_("Figurer dans l'annuaire (sinon, personne ne peut vous demander de rendez-vous)"),
        required=False,
        initial=True,
    )
    blocked_times = forms.TypedMultipleChoiceField(
        label=_("Créneaux où je ne suis pas disponible"),
        help_text=_(
            "Personne ne pourra vous proposer de rendez-vous à ces horaires. Vos sessions "
            "réservées sont déjà exclues."
        ),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, times=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.times = {time.pk: time for time in times}
        self.fields["blocked_times"].choices = [(time.pk, time.label) for time in times]
        if not times:
            del self.fields["blocked_times"]

    @property
    def profile_data(self):
        return {k: v for k, v in self.cleaned_data.items() if k not in ("themes", "blocked_times")}

    @property
    def chosen_blocked_times(self):
        """The meeting times ticked, or None where the form has none to offer."""
        if "blocked_times" not in self.fields:
            return None
        return [self.times[pk] for pk in self.cleaned_data["blocked_times"]]


class RequestForm(forms.Form):
    message = forms.CharField(
        label=_("Votre message"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Présentez-vous et dites ce que vous aimeriez évoquer (600 caractères au plus)."
        ),
    )


class AcceptForm(forms.Form):
    time = forms.TypedChoiceField(label=_("Horaire"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, times, **kwargs):
        super().__init__(*args, **kwargs)
        self.times = {t.pk: t for t in times}
        self.fields["time"].choices = [(t.pk, t.label) for t in times]
        if times:
            self.fields["time"].initial = times[0].pk  # the earliest

    @property
    def chosen(self):
        return self.times[self.cleaned_data["time"]]


class DeclineForm(forms.Form):
    note = forms.CharField(label=_("Un mot (facultatif)"), max_length=200, required=False)
