"""Sign-up and change forms: validation only (the seats are taken by services.py)."""

import functools
import uuid
from datetime import date

from django import forms
from django.forms.renderers import get_default_renderer
from django.utils import timezone, translation
from django.utils.choices import BaseChoiceIterator
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.widgets import LazySelect
from phonenumber_field.formfields import (
    PrefixChoiceField,
    SplitPhoneNumberField,
    localized_choices,
)

from . import hooks
from .models import DETAILS, Registration

# The services refused a session the form offered (unpublished, full slot, began meanwhile).
SESSION_GONE = _("Une des sessions choisies n'est plus proposée : vérifiez votre choix.")

# Single-line fields: a line break in them could end up in an email header.
SINGLE_LINE = ("first_name", "last_name", "email", "organisation", "position")


def honeypot():
    """A field hidden from people by the stylesheet (.hp-field) that robots fill in."""
    return forms.CharField(
        label=_("Ne remplissez pas ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class FixedChoices(BaseChoiceIterator):
    """Choices built once and shared by every form. Django normalises a plain list for the
    field and again for its widget, and deep-copies it, on every form built: for the 240
    phone prefixes that was a third of the sign-up form's cost. An iterator is taken as it
    is, and never changes, so it is not copied either."""

    def __init__(self, choices):
        self.choices = tuple(choices)
        self.values = frozenset(str(value) for value, _label in self.choices)

    def __iter__(self):
        return iter(self.choices)

    def __deepcopy__(self, memo):
        return self


@functools.cache
def phone_prefixes(language):
    """The country prefixes in one language, sorted (built once, not at every request)."""
    return FixedChoices(sorted(localized_choices(language), key=lambda item: item[1]))


@functools.cache
def country_choices(language):
    """The countries, sorted by their name in one language, once: django-countries sorts
    them again at every iteration (1 ms, twice per form)."""
    with translation.override(language):
        field = Registration._meta.get_field("country").formfield()
        return FixedChoices(list(field.choices))


# The labels below depend only on the programme's dates and the language: formatted once
# per process (date_format walks the format string and translates each name at every call,
# a tenth of a sign-up's CPU when done per request). Keys are small values, so a changed
# programme simply makes new entries.
@functools.lru_cache(maxsize=64)
def day_choices(days, language):
    """The « Jours de présence » choices: (ISO date, « Mercredi 8 juillet 2026 »)."""
    with translation.override(language):
        return [(day.isoformat(), capfirst(date_format(day, "l j F Y"))) for day in days]


@functools.lru_cache(maxsize=16)
def lunch_label(day, language):
    with translation.override(language):
        return str(
            _("Je participerai au cocktail déjeuner du %(day)s.")
            % {"day": date_format(day, "l j F")}
        )


@functools.lru_cache(maxsize=256)
def slot_label(starts_at, ends_at, title, language, zone):
    """A bookable slot's field label (« Mercredi 8 juillet, 14:30–16:00 · Ateliers ») and
    its day, in `zone` (the active time zone's name)."""
    with translation.override(language), timezone.override(zone):
        start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
        label = (
            f"{capfirst(date_format(start, 'l j F'))}, "
            f"{date_format(start, 'H:i')}–{date_format(end, 'H:i')} · {title}"
        )
        return label, start.date()


class FixedPrefixChoiceField(PrefixChoiceField):
    def valid_value(self, value):
        """A set look-up instead of a walk through every prefix."""
        return str(value) in self.choices.values


class LongSelect(LazySelect):
    """A select of a few hundred options (countries, phone prefixes), with Django's own
    markup, but each option rendered once per language and list of options rather than
    through two templates on every display: the forms' two long lists were most of the
    change form's rendering."""

    template_name = "registration/widgets/long_select.html"
    # {(language, choices): [(value, option, option selected)]}; a few lists only.
    rendered = {}

    def get_context(self, name, value, attrs):
        choices = tuple(self.choices)
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().get_context(name, value, attrs)  # groups: Django's own way
        context = forms.Widget.get_context(self, name, value, attrs)
        selected = context["widget"]["value"]
        html, found = [], False
        for option_value, option, option_selected in self.options_html(name, choices):
            if not found and option_value in selected:
                html.append(option_selected)
                found = True
            else:
                html.append(option)
        context["widget"]["options_html"] = mark_safe("".join(html))  # noqa: S308 (rendered)
        return context

    def options_html(self, name, choices):
        key = (get_language(), tuple((str(v), str(label)) for v, label in choices))
        options = self.rendered.get(key)
        if options is None:
            renderer = get_default_renderer()

            def render(index, value, label, selected):
                option = self.create_option(name, value, label, selected, index)
                # As select.html includes it (the renderer strips the file's last newline).
                html = renderer.render(self.option_template_name, {"widget": option})
                return f"\n  {html}\n"

            options = [
                (
                    str("" if value is None else value),
                    render(index, "" if value is None else value, label, False),
                    render(index, "" if value is None else value, label, True),
                )
                for index, (value, label) in enumerate(choices)
            ]
            if len(self.rendered) > 16:
                self.rendered.clear()
            self.rendered[key] = options
        return options


class PhoneField(SplitPhoneNumberField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Two inputs under one label: each says what it is to screen readers.
        prefix, number = self.widget.widgets
        prefix.attrs["aria-label"] = _("Indicatif du pays")
        number.attrs["aria-label"] = _("Numéro de téléphone")
        # "tel" (the whole number, "+221 77…" included): the checker refuses "tel-national"
        # here, and a full international number typed or filled in is read whatever the
        # prefix chosen.
        number.attrs["autocomplete"] = "tel"

    def prefix_field(self):
        return FixedPrefixChoiceField(
            choices=phone_prefixes(get_language() or "fr"), widget=LongSelect
        )


AUTOCOMPLETE = {
    "email": "email",
    "first_name": "given-name",
    "last_name": "family-name",
    "organisation": "organization",
    "position": "organization-title",
}


# A session with this many seats left or fewer says « dernières places ».
LAST_SEATS = 5


def seats_state(session, seats):
    """What a session's label says of its seats: "full", "last" (LAST_SEATS or fewer
    left) or None, from ``seats`` (seats taken by session; None: not shown)."""
    if session.capacity is None or seats is None:
        return None
    left = session.capacity - seats.get(session.pk, 0)
    if left <= 0:
        return "full"
    return "last" if left <= LAST_SEATS else None


def session_label(session, seats):
    """Title, room and, when ``seats`` (seats taken by session) is given, whether it is
    full or nearly so. Not the exact count: a count that moves by one when a form is sent
    would tell anyone whether that address was already registered (a second sign-up takes
    no seat)."""
    room = f" — {session.room}" if session.room else ""
    state = seats_state(session, seats)
    if state == "full":
        return f"{session.title}{room} — " + str(_("complet : inscription en liste d'attente"))
    if state == "last":
        return f"{session.title}{room} — " + str(_("dernières places"))
    return f"{session.title}{room}"


class RegistrationForm(forms.ModelForm):
    days = forms.TypedMultipleChoiceField(
        label=_("Jours de présence"),
        coerce=date.fromisoformat,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un jour.")},
    )
    privacy = forms.BooleanField(
        label=_(
            "J'accepte que Cités Unies France traite ces données pour organiser les Rencontres."
        ),
        error_messages={"required": _("Votre accord est nécessaire pour vous inscrire.")},
    )
    website = honeypot()
    form_token = forms.UUIDField(widget=forms.HiddenInput)

    class Meta:
        model = Registration
        fields = list(DETAILS)
        labels = {
            "first_name": _("Prénom"),
            "last_name": _("Nom"),
            "email": _("Adresse électronique"),
            "phone": _("Téléphone"),
            "organisation": _("Organisation"),
            "organisation_type": _("Type d'organisation"),
            "position": _("Fonction"),
            "country": _("Pays"),
            "is_elected": _("Je suis élu·e"),
            "language": _("Langue de nos échanges"),
            "dietary_needs": _("Régime alimentaire (facultatif)"),
            "accessibility_needs": _("Besoins d'accessibilité (facultatif)"),
            "photo_consent": _(
                "J'accepte d'être photographié·e ou filmé·e pendant les Rencontres."
            ),
            "newsletter_consent": _(
                "Je souhaite recevoir la lettre d'information de Cités Unies France."
            ),
        }
        help_texts = {
            "first_name": _("Laissez vide si votre nom tient en un seul mot."),
            "phone": _("Numéro français ou international (+216…, +1…)."),
        }
        widgets = {
            "civility": forms.RadioSelect,
            "dietary_needs": forms.Textarea(attrs={"rows": 2}),
            "accessibility_needs": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, edition, bookable, seats=None, **kwargs):
        """``bookable``: queries.bookable_slots(); ``seats``: queries.seats_taken(), to
        show the seats left (not needed to validate)."""
        self.edition = edition
        super().__init__(*args, **kwargs)
        self.fields["phone"] = PhoneField(
            label=self.Meta.labels["phone"],
            help_text=self.Meta.help_texts["phone"],
            required=False,
            region="FR",
        )
        country = self.fields["country"]
        country.widget = LongSelect(attrs=country.widget.attrs)
        country.choices = country_choices(get_language() or "fr")  # field and widget
        for name, autocomplete in AUTOCOMPLETE.items():
            if name in self.fields:
                self.fields[name].widget.attrs["autocomplete"] = autocomplete
        language = get_language() or "fr"
        self.fields["days"].choices = day_choices(tuple(edition.days), language)
        if edition.lunch_day:
            self.fields["lunch"].label = lunch_label(edition.lunch_day, language)
        else:
            del self.fields["lunch"]
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("form_token", uuid.uuid4())

        self.slot_fields = []
        self.slot_days = {}
        self.bookable = bookable
        zone = timezone.get_current_timezone_name()
        for slot in bookable:
            name = f"slot_{slot.pk}"
            label, self.slot_days[name] = slot_label(
                slot.starts_at, slot.ends_at, slot.title, language, zone
            )
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=self.session_choices(slot, seats),
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
            self.slot_fields.append((name, slot))
        # What other apps offer at sign-up (hooks.signup_options: B2B meetings).
        self.option_fields = []
        if not self.instance.pk:
            for option in hooks.signup_options:
                field = option.field(edition)
                if field is not None:
                    self.fields[f"option_{option.name}"] = field
                    self.option_fields.append(option.name)

    @staticmethod
    def session_choices(slot, seats):
        return [("", _("Aucune session sur ce créneau"))] + [
            (str(s.pk), session_label(s, seats)) for s in slot.sessions
        ]

    def show_seats(self, seats):
        """Label each session with the seats left (for a form shown again)."""
        for name, slot in self.slot_fields:
            self.fields[name].choices = self.session_choices(slot, seats)

    def clean(self):
        cleaned = super().clean()
        for name in SINGLE_LINE:
            value = cleaned.get(name)
            if value and ("\n" in value or "\r" in value):
                self.add_error(name, _("Ce champ tient sur une seule ligne."))
        days = set(cleaned.get("days") or [])
        for name, _slot in self.slot_fields:
            if cleaned.get(name) and self.slot_days[name] not in days:
                self.add_error(
                    name,
                    _("Cette session a lieu le %(day)s : cochez ce jour ou choisissez « aucune ».")
                    % {"day": date_format(self.slot_days[name], "l j F")},
                )
        if cleaned.get("lunch") and self.edition.lunch_day not in days:
            self.add_error(
                "lunch", _("Le cocktail déjeuner a lieu un jour que vous n'avez pas coché.")
            )
        return cleaned

    def _post_clean(self):
        """Skip the model's full_clean: the fields above already validated every value,
        and services.py, not form.save(), writes the row (under its locks)."""

    @property
    def is_robot(self):
        return bool(self.cleaned_data.get("website"))

    @property
    def session_ids(self):
        return [
            self.cleaned_data[name]
            for name, _slot in self.slot_fields
            if self.cleaned_data.get(name)
        ]

    @property
    def option_boxes(self):
        """The bound fields of the sign-up options, for the template."""
        return [self[f"option_{name}"] for name in self.option_fields]

    @property
    def options(self):
        """The names of the sign-up options ticked."""
        return [name for name in self.option_fields if self.cleaned_data.get(f"option_{name}")]

    @property
    def registration_data(self):
        return {
            name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data
        }


def _share_choices(form_class):
    """Every form built deep-copies the class's fields, their choices included; fixed
    choices are shared instead (FixedChoices). The country's are set per language by each
    form (country_choices): the class keeps none to copy."""
    for name in ("civility", "organisation_type", "language"):
        field = form_class.base_fields[name]
        field.choices = FixedChoices(field.choices)
    form_class.base_fields["country"].choices = FixedChoices(())


_share_choices(RegistrationForm)


class RegistrationChangeForm(RegistrationForm):
    """The same form on the attendee's page: email and consent to the processing stay."""

    class Meta(RegistrationForm.Meta):
        fields = [f for f in RegistrationForm.Meta.fields if f != "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("privacy", "form_token", "website"):
            del self.fields[name]

    @property
    def is_robot(self):
        return False


class LostLinkForm(forms.Form):
    email = forms.EmailField(label=_("Adresse électronique utilisée pour l'inscription"))
    website = honeypot()
