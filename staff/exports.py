"""CSV exports of personal data, for staff with the export permission.

UTF-8 with a byte-order mark so that Excel reads accents right, `;` between columns (what
Excel expects in French settings), and every cell that a spreadsheet would run as a formula
neutralised, except phone numbers in international format with spaces (`+33 6 12 34 56 78`):
digits and spaces cannot call anything, and Excel keeps them as text. Each export is logged:
who, when, what, which filter.
"""

import csv
import re

import phonenumbers
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from registration.models import Booking

from .models import ExportLog

DELIMITER = ";"
# What starts a formula in Excel, LibreOffice or Google Sheets (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A phone number as the exports write it: country code, then groups of digits, one space
# between them (nothing else: no operator, no letter, no parenthesis).
PHONE = re.compile(r"\+[1-9]\d{0,2}(?: \d+)+")


def is_phone(text):
    """Whether `text` is exactly a possible phone number written as `phone_cell` writes it."""
    if not PHONE.fullmatch(text):
        return False
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(text))
    except phonenumbers.NumberParseException:
        return False


def phone_cell(number):
    """A phone number in international format with spaces only (`+1 202 555 0123`, where
    the usual format has `+1 202-555-0123`, which a spreadsheet would compute)."""
    return re.sub(r"[^+\d]+", " ", number.as_international) if number else ""


def safe_cell(value):
    """A cell's text, with a leading apostrophe if a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not is_phone(text):
        return "'" + text
    return text


def csv_response(*, filename, header, rows, user, what, filters=""):
    """The export as a download, logged. `rows` are lists of plain values."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    count = 0
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        count += 1
    log_export(user=user, what=what, filters=filters, rows=count)
    return response


def log_export(*, user, what, rows, filters=""):
    ExportLog.objects.create(user=user, what=what, filters=filters, rows=rows)


def _days(registration):
    return ", ".join(day.day.strftime("%d/%m") for day in registration.days.all())


def _sessions(registration):
    """The sessions booked, in time order; a place on a waiting list says so."""
    waiting = _("liste d'attente")
    return " | ".join(
        booking.session.title
        if booking.status == Booking.Status.CONFIRMED
        else f"{booking.session.title} ({waiting})"
        for booking in registration.bookings.all()
    )


def registrations_export(queryset, *, user, filters):
    """Every registration of `queryset`, one row each."""
    bookings = Booking.objects.select_related("session").order_by("session__starts_at", "pk")
    queryset = queryset.select_related("edition").prefetch_related(
        "days", "checkins", Prefetch("bookings", queryset=bookings)
    )
    header = [
        _("Civilité"),
        _("Prénom"),
        _("Nom"),
        _("Courriel"),
        _("Téléphone"),
        _("Organisation"),
        _("Type d'organisation"),
        _("Fonction"),
        _("Pays"),
        _("Élu·e"),
        _("Jours"),
        _("Cocktail déjeuner"),
        _("Régime alimentaire"),
        _("Accessibilité"),
        _("Statut"),
        _("Catégorie"),
        _("Langue"),
        _("Accord photo"),
        _("Lettre d'information"),
        _("Code d'accueil"),
        _("Arrivées"),
        _("Inscrit·e le"),
        _("Sessions"),  # last: the columns before keep their places in existing sheets
    ]
    rows = (
        [
            r.get_civility_display() if r.civility else "",
            r.first_name,
            r.last_name,
            r.email,
            phone_cell(r.phone),
            r.organisation,
            r.get_organisation_type_display(),
            r.position,
            r.country.name,
            r.is_elected,
            _days(r),
            r.lunch,
            r.dietary_needs,
            r.accessibility_needs,
            r.get_status_display(),
            r.get_category_display(),
            r.language,
            r.photo_consent,
            r.newsletter_consent,
            r.checkin_code,
            ", ".join(timezone.localtime(c.at).strftime("%d/%m %H:%M") for c in r.checkins.all()),
            timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
            _sessions(r),
        ]
        for r in queryset.iterator(chunk_size=500)
    )
    return csv_response(
        filename=f"inscriptions-{timezone.localdate():%Y%m%d}.csv",
        header=header,
        rows=rows,
        user=user,
        what=_("Inscriptions"),
        filters=filters,
    )


def session_export(session, bookings, *, user):
    """The people booked on one session: confirmed first, then the waiting list in order."""
    header = [
        _("Statut"),
        _("Position"),
        _("Prénom"),
        _("Nom"),
        _("Organisation"),
        _("Pays"),
        _("Courriel"),
        _("Réservée le"),
    ]
    rows = (
        [
            b.get_status_display(),
            b.position or "",
            b.registration.first_name,
            b.registration.last_name,
            b.registration.organisation,
            b.registration.country.name,
            b.registration.email,
            timezone.localtime(b.created_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for b in bookings
    )
    return csv_response(
        filename=f"session-{session.code or session.pk}.csv",
        header=header,
        rows=rows,
        user=user,
        what=_("Session « %(title)s »") % {"title": session.title},
    )
