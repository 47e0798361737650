"""A person's meetings as CSV (from their B2B page): `;`-separated, UTF-8 with a BOM for
Excel, every cell a spreadsheet would run as a formula neutralised."""

import csv

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

# What starts a formula in Excel, LibreOffice or Google Sheets (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def meetings_csv(registration, rows):
    """`rows`: the agenda's meeting rows (queries.agenda)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mes-rendez-vous-b2b.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Début"), _("Fin"), _("Avec"), _("Organisation"), _("Table")])
    for row in rows:
        start, end = timezone.localtime(row.starts_at), timezone.localtime(row.ends_at)
        writer.writerow(
            safe_cell(value)
            for value in (
                f"{start:%Y-%m-%d %H:%M}",
                f"{end:%H:%M}",
                row.person,
                row.organisation,
                row.place,
            )
        )
    return response
