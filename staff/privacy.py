"""Personal data (GDPR): what we hold on a person, erasing it, and the purge after the event.

Anonymising keeps what the statistics need (organisation type, country, elected or not,
category, status, days, lunch, bookings, arrival times, dates) and removes everything that
identifies or describes the person: names, address, phone, organisation and position,
dietary and accessibility needs, consents, personal links and every email sent to them.

The person also appears outside their registration, and goes from there too: in the admin
history (each entry names its object), in badge sheets (the PDF and the selection's words),
in their stored badge (registration/badges.py) and in the export log (a search for their
name is a filter). Erasing one person finds them there by name, address and organisation,
whatever the case and accents; the purge, which
forgets everyone of an edition, rewrites the history of every registration it anonymises,
deletes the edition's badge sheets, and blanks the filters of every export older than the
retention period.
"""

import unicodedata
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from events.models import Edition
from meetings import privacy as b2b
from registration import badges
from registration.models import (
    AccessKey,
    OutgoingEmail,
    Registration,
    months_later,
    retention_ends,
)
from registration.services import registration_cancel

from .models import Attestation, BadgeSheet, ExportLog


def _erased():
    """What is left where words about a person were (export filters, sheet selections)."""
    return _("(effacé)")


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
        "attestations": [
            {"issued_at": a.issued_at.isoformat(), "days": a.days}
            for a in Attestation.objects.filter(registration=registration)
        ],
        "emails": [
            {"subject": e.subject, "status": e.get_status_display(), "at": e.created_at.isoformat()}
            for e in registration.emails.all()
        ],
        "b2b": b2b.personal_data(registration),
    }


def _history_forget(model, ids, label):
    """Admin history entries about these objects: their text named the person (the object's
    name, the changes made); what happened, when and by whom stays. `label` is the neutral
    name they get, around `%(number)s` (the object's number)."""
    before, _number, after = label.partition("%(number)s")
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id__in=[str(pk) for pk in ids],
    ).update(
        object_repr=Concat(Value(before), "object_id", Value(after), output_field=CharField()),
        change_message="",
    )


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
        search_text="",  # folded copies of the name, address and organisation
        photo_consent=False,
        newsletter_consent=False,
        anonymised_at=now,
        updated_at=now,
    )
    AccessKey.objects.filter(registration__in=ids).delete()
    b2b.forget(ids)
    badges.delete_stored_later(ids)
    emails = OutgoingEmail.objects.filter(registration__in=ids)
    _history_forget(
        OutgoingEmail, emails.values_list("pk", flat=True), _("Courriel n° %(number)s (effacé)")
    )
    emails.delete()
    _history_forget(Registration, ids, _("Inscription n° %(number)s (effacée)"))
    return len(ids)


def _folded(text):
    """Text for matching: lower case, no accents, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def _words_about(registration):
    """What names this person in free text (folded): name, address, organisation."""
    words = {
        registration.first_name,
        registration.last_name,
        registration.full_name,
        registration.email,
        registration.organisation,
    }
    # One letter would match nearly every text; the dash is what anonymising leaves.
    return {w for w in map(_folded, words) if len(w) > 1}


def _mentions(text, words):
    folded = _folded(text)
    return any(word in folded for word in words)


def _sheets_delete(sheets):
    """Delete these badge sheets; their PDFs go once the deletion is committed (a rollback
    keeps both)."""
    files = [sheet.pdf for sheet in sheets if sheet.pdf]
    BadgeSheet.objects.filter(pk__in=[sheet.pk for sheet in sheets]).delete()

    def delete_files():
        for file in files:
            file.storage.delete(file.name)

    transaction.on_commit(delete_files)


def _sheets_forget(registration, words):
    """Badge sheets of the edition that list this person are deleted, built or not (staff
    build them again in a minute, without them); a selection described with their name or
    address gets a neutral description."""
    sheets = list(BadgeSheet.objects.filter(edition=registration.edition_id))
    _sheets_delete([sheet for sheet in sheets if registration.pk in sheet.registration_ids])
    mentioning = [sheet.pk for sheet in sheets if _mentions(sheet.description, words)]
    BadgeSheet.objects.filter(pk__in=mentioning).update(description=_erased())


def _export_logs_forget(words):
    """Export logs whose filter (a search) or description names this person: those words
    are replaced; who exported what, when, and how many rows stay."""
    for log in ExportLog.objects.only("what", "filters").iterator():
        changed = {
            field: _erased()
            for field in ("what", "filters")
            if _mentions(getattr(log, field), words)
        }
        if changed:
            ExportLog.objects.filter(pk=log.pk).update(**changed)


def registration_erase(*, registration, now=None):
    """Erase one person at their request: cancel (their seats go to the waiting lists,
    whose promoted people are told), anonymise, then remove them from the admin history,
    the badge sheets and the export log."""
    now = now or timezone.now()
    with transaction.atomic():
        registration_cancel(registration=registration, now=now, notify=False)
        registration = Registration.objects.get(pk=registration.pk)
        words = _words_about(registration)
        _anonymise(Registration.objects.filter(pk=registration.pk), now)
        _sheets_forget(registration, words)
        _export_logs_forget(words)


# Finished tasks keep their arguments (« lien perdu »'s: the address asked for, registered
# or not): the daily purge deletes them this long after they ran.
TASK_RESULTS_KEPT = timedelta(days=7)


def _task_results_purge(now):
    DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__lt=now - TASK_RESULTS_KEPT,
    ).delete()


def _retained_since(today):
    """The moment before which records are as old as the retention period (N months)."""
    last_day = months_later(today, -settings.PERSONAL_DATA_RETENTION_MONTHS)
    return timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time()))


def _orphan_emails_purge(today):
    """Messages whose registration was deleted outright (the admin allowed it once) are
    found by no edition's purge: deleted once as old as the retention period."""
    OutgoingEmail.objects.filter(
        registration__isnull=True, created_at__lt=_retained_since(today)
    ).delete()


def _export_filters_purge(today):
    """Export logs keep their filters (which may be a searched name) as long as personal
    data is kept: those made N months ago or earlier lose them."""
    erased = _erased()
    ExportLog.objects.filter(at__lt=_retained_since(today)).exclude(
        filters__in=["", "—", erased]
    ).update(filters=erased)


def registrations_purge(*, now=None):
    """Anonymise every edition whose retention period is over (and delete its badge sheets),
    blank the filters of exports as old, delete messages left without their registration as
    old, and the tasks finished a week ago (their arguments may be an address). Returns how
    many registrations were anonymised (0 when there was nothing left to do)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    count = 0
    for edition in Edition.objects.all():
        if retention_ends(edition) <= today:
            with transaction.atomic():
                count += _anonymise(Registration.objects.filter(edition=edition), now)
                _sheets_delete(list(BadgeSheet.objects.filter(edition=edition)))
    _export_filters_purge(today)
    _orphan_emails_purge(today)
    _task_results_purge(now)
    return count
