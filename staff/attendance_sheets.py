"""Feuilles d'émargement: an A4 PDF per session or per day (WeasyPrint), the people expected
in alphabetical order of last name with an empty column to sign, the session's title, room
and time (or the day) at the top of every page, « page n / N » at the bottom.

Who is expected: for a session that is booked, its confirmed bookings; for any other
session (plenary, cocktail…) and for a day, the confirmed registrations for that day.
"""

import unicodedata
from datetime import date
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from registration.badges import render_pdfs
from registration.models import Registration

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "attendance-sheet.css"


def sort_key(text):
    """« Ávila » between « Avenel » and « Aziz », as a reader looks for it (databases
    compare accented letters by their code, after Z)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def expected_people(edition, *, session=None, day=None):
    """The confirmed registrations expected at `session` (or on `day`), sorted by last name
    then first name, case and accents aside (1 query)."""
    people = Registration.objects.filter(edition=edition, status=Registration.Status.CONFIRMED)
    if session is not None and session.type.is_bookable:
        people = people.filter(bookings__session=session, bookings__status="confirmed")
    else:
        people = people.filter(days__day=day or timezone.localdate(session.starts_at))
    people = people.only("first_name", "last_name", "organisation").order_by("pk")
    return sorted(people, key=lambda p: (sort_key(p.last_name), sort_key(p.first_name), p.pk))


def sheet_context(edition, *, session=None, day=None):
    return {
        "edition": edition,
        "session": session,
        "day": day or timezone.localdate(session.starts_at),
        "people": expected_people(edition, session=session, day=day),
    }


def sheets_pdf(edition, *, sessions=(), days=()):
    """One PDF holding one sheet per session and per day, each starting on a new page and
    numbered on its own (« 1 / 2 » of that session's sheet, as it is handed out)."""
    sheets = [sheet_context(edition, session=session) for session in sessions] + [
        sheet_context(edition, day=day) for day in days
    ]
    groups = [[sheet] for sheet in sheets] or [[]]  # none asked for: an empty document
    htmls = [
        render_to_string("staff/attendance_sheet.html", {"sheets": group, "edition": edition})
        for group in groups
    ]
    return render_pdfs(htmls, stylesheets=(STYLESHEET,))


def sheets_response(edition, *, sessions=(), days=(), name):
    response = HttpResponse(
        sheets_pdf(edition, sessions=sessions, days=days), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="emargement-{slugify(name)[:60]}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def day_from_text(edition, text):
    """One of the edition's days from an ISO date in a URL (None for anything else)."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if day in edition.days else None
