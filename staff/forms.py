from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from registration.forms import RegistrationChangeForm, RegistrationForm
from registration.models import Registration, same_address
from registration.services import DETAIL_FIELDS


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


# Who the person is, as staff read it (the admin's change form and « add » show it alike).
PERSON_FIELDS = [
    "civility",
    "first_name",
    "last_name",
    "email",
    "phone",
    "language",
    "organisation",
    "organisation_type",
    "position",
    "country",
    "is_elected",
]


class StaffRegistrationForm(RegistrationForm):
    """Staff register someone by hand (a speaker, a guest, a late request by phone): the
    sign-up form, with the badge category, without the robot trap."""

    class Meta(RegistrationForm.Meta):
        fields = [*RegistrationForm.Meta.fields, "category"]
        labels = {**RegistrationForm.Meta.labels, "category": _("Catégorie du badge")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["website"]
        self.fields["privacy"].label = _(
            "La personne a pris connaissance de la notice sur les données personnelles et "
            "accepte leur traitement pour les Rencontres."
        )
        self.fields["privacy"].error_messages["required"] = _(
            "Son accord est nécessaire : lisez-lui la notice ou envoyez-la lui d'abord."
        )

    @property
    def is_robot(self):
        return False

    def staff_fieldsets(self):
        """The admin's sections of this form: (title, field names)."""
        return [
            (_("Personne"), [*PERSON_FIELDS, "category"]),
            (_("Venue"), ["days", "lunch", "dietary_needs", "accessibility_needs"]),
            (_("Sessions"), [name for name, _slot in self.slot_fields]),
            (_("Consentements"), ["privacy", "photo_consent", "newsletter_consent"]),
        ]


class RegistrationDetailsForm(forms.ModelForm):
    """The admin's change form of a registration: details only (seats change through the
    services). An address already used by another live registration is refused here, with
    a link to it, rather than by the database."""

    class Meta:
        model = Registration
        fields = sorted(DETAIL_FIELDS)

    def clean_email(self):
        email = self.cleaned_data["email"]
        others = Registration.objects.filter(
            same_address(email.strip()),
            edition=self.instance.edition_id,
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
        ).exclude(pk=self.instance.pk)
        other = others.first()
        if other is not None and not self.instance.is_cancelled:
            raise forms.ValidationError(
                _("Cette adresse est déjà celle de l'inscription n° %(number)d (%(name)s)."),
                code="duplicate",
                params={"number": other.pk, "name": other.full_name},
            )
        return email

    def clean(self):
        cleaned = super().clean()
        lunch_day = self.instance.edition.lunch_day if self.instance.edition_id else None
        if cleaned.get("lunch") and lunch_day:
            days = set(self.instance.days.values_list("day", flat=True))
            if lunch_day not in days:
                self.add_error(
                    "lunch", _("Le cocktail déjeuner a lieu un jour où la personne n'est pas.")
                )
        return cleaned


class StaffChangeForm(RegistrationChangeForm):
    """Staff change someone's days, sessions and details (a phone call), with the form the
    person has on their own page: the same rules, the same email afterwards."""

    def staff_fieldsets(self):
        return [
            (_("Personne"), [name for name in PERSON_FIELDS if name != "email"]),
            (_("Venue"), ["days", "lunch", "dietary_needs", "accessibility_needs"]),
            (_("Sessions"), [name for name, _slot in self.slot_fields]),
            (_("Consentements"), ["photo_consent", "newsletter_consent"]),
        ]
