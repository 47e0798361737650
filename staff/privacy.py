"""Personal data (GDPR): what we hold on a person, erasing it, and the purge after the event.

Anonymising keeps what the statistics need (organisation type, country, elected or not,
category, status, days, lunch, bookings, arrival times, dates) and removes everything that
identifies or describes the person: names, address, phone, organisation and position,
dietary and accessibility needs, consents, personal links and every email sent to them.
"""

import calendar
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from events.models import Edition
from registration.models import AccessKey, OutgoingEmail, Registration
from registration.services import registration_cancel

from .models import BadgeSheet


def personal_data(registration):
    """Everything held on one person, for a copy sent at their request (JSON-ready)."""
    return {
        "edition": str(registration.edition),
        "civility": registration.get_civility_display() if registration.civility else "",
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "email": registration.email,
        "phone": registration.phone.as_international if registration.phone else "",
        "organisation": registration.organisation,
        "organisation_type": registration.get_organisation_type_display(),
        "position": registration.position,
        "country": registration.country.name,
        "is_elected": registration.is_elected,
        "language": registration.language,
        "days": [d.day.isoformat() for d in registration.days.all()],
        "lunch": registration.lunch,
        "dietary_needs": registration.dietary_needs,
        "accessibility_needs": registration.accessibility_needs,
        "privacy_consent_at": registration.privacy_consent_at.isoformat(),
        "photo_consent": registration.photo_consent,
        "newsletter_consent": registration.newsletter_consent,
        "category": registration.get_category_display(),
        "status": registration.get_status_display(),
        "created_at": registration.created_at.isoformat(),
        "cancelled_at": registration.cancelled_at.isoformat()
        if registration.cancelled_at
        else None,
        "bookings": [
            {
                "session": str(b.session.title),
                "starts_at": b.session.starts_at.isoformat(),
                "status": b.get_status_display(),
            }
            for b in registration.bookings.select_related("session")
        ],
        "checkins": [c.at.isoformat() for c in registration.checkins.all()],
        "emails": [
            {"subject": e.subject, "status": e.get_status_display(), "at": e.created_at.isoformat()}
            for e in registration.emails.all()
        ],
    }


def _anonymise(registrations, now):
    """Strip the personal data of these registrations (one UPDATE per column set)."""
    ids = list(registrations.filter(anonymised_at__isnull=True).values_list("pk", flat=True))
    Registration.objects.filter(pk__in=ids).update(
        # One address each, so "one live registration per address" still holds.
        email=Concat(Value("anonyme-"), Cast("pk", CharField()), Value("@invalid.example")),
        civility="",
        first_name="",
        last_name="—",
        phone="",
        organisation="—",
        position="",
        dietary_needs="",
        accessibility_needs="",
        photo_consent=False,
        newsletter_consent=False,
        anonymised_at=now,
        updated_at=now,
    )
    AccessKey.objects.filter(registration__in=ids).delete()
    OutgoingEmail.objects.filter(registration__in=ids).delete()
    return len(ids)


def registration_erase(*, registration, now=None):
    """Erase one person at their request: cancel (their seats go to the waiting lists,
    whose promoted people are told), then anonymise."""
    now = now or timezone.now()
    with transaction.atomic():
        registration_cancel(registration=registration, now=now, notify=False)
        _anonymise(Registration.objects.filter(pk=registration.pk), now)


def retention_ends(edition):
    """The day an edition's personal data goes: N months after its last day."""
    end = edition.end_date
    months = end.month - 1 + settings.PERSONAL_DATA_RETENTION_MONTHS
    year, month = end.year + months // 12, months % 12 + 1
    return date(year, month, min(end.day, calendar.monthrange(year, month)[1]))


def registrations_purge(*, now=None):
    """Anonymise every edition whose retention period is over. Returns how many
    registrations were anonymised (0 when there was nothing left to do)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    count = 0
    for edition in Edition.objects.all():
        if retention_ends(edition) <= today:
            with transaction.atomic():
                count += _anonymise(Registration.objects.filter(edition=edition), now)
                for sheet in BadgeSheet.objects.filter(edition=edition):
                    sheet.pdf.delete(save=False)
                    sheet.delete()
    return count
