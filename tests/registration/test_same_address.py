"""« The same address » is one rule everywhere, the one_registration_per_email constraint's
(lower case): the sign-up's duplicate check, the check after a constraint error, « lien
perdu » and the staff's details form. Django's `iexact` compares in upper case on
PostgreSQL, where « ſ » (long s) is « S »: with the duplicate check in lower case and the
staff form in upper case, a second live registration got in and staff could no longer save
the first one's details (its own address « already that of registration n° 2 »)."""

import uuid

import pytest
from django.core import mail

from registration import emails, services
from registration.models import Registration
from staff.forms import RegistrationDetailsForm
from tests.factories import make_registration
from tests.registration.conftest import MAY

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]  # each engine's own LOWER

LONG_S = "\u017fophie@exemple.fr"  # a valid address for Django's EmailField


def sign_up(edition, email):
    return services.registration_create(
        edition=edition,
        data={
            "civility": "mme",
            "first_name": "Sophie",
            "last_name": "Martin",
            "email": email,
            "phone": "+33612345678",
            "organisation": "Ville de Lyon",
            "organisation_type": "collectivite",
            "position": "",
            "country": "FR",
            "is_elected": False,
            "language": "fr",
            "lunch": False,
            "dietary_needs": "",
            "accessibility_needs": "",
            "photo_consent": False,
            "newsletter_consent": False,
        },
        days=list(edition.days),
        session_ids=[],
        form_token=uuid.uuid4(),
        now=MAY,
    )


def test_case_alone_makes_the_same_address(open_edition):
    first = make_registration(open_edition, email="sophie@exemple.fr")
    with pytest.raises(services.DuplicateRegistration) as refused:
        sign_up(open_edition, "SOPHIE@Exemple.FR")
    assert refused.value.registration.pk == first.pk


def test_another_letter_is_another_address_for_every_check(open_edition, send):
    first = make_registration(open_edition, email="sophie@exemple.fr")
    second = send(sign_up, open_edition, LONG_S)  # the constraint holds it as another
    assert Registration.objects.exclude(status="cancelled").count() == 2
    # Staff can still save the first one's details, its address unchanged.
    form = RegistrationDetailsForm(instance=first)
    form.cleaned_data = {"email": first.email}
    assert form.clean_email() == first.email
    # « Lien perdu » sends each their own link.
    mail.outbox.clear()
    send(emails.access_link_lookup, open_edition.pk, LONG_S)
    send(emails.access_link_lookup, open_edition.pk, "Sophie@exemple.fr")
    assert sorted(message.to[0] for message in mail.outbox) == sorted([second.email, first.email])
