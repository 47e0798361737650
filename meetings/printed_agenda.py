"""The person's printed agenda (A4, WeasyPrint, the badges' way): the one agenda
(queries.agenda: plenaries of the days attended, sessions and waiting-list places, B2B
meetings with their table and counterpart), day by day, and where the Espace des
Partenaires is. In the person's language."""

from itertools import groupby
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from registration.badges import render_pdf

from . import queries

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "printed-agenda.css"


def b2b_place(programme):
    """The room of the B2B sessions (« Espace des Partenaires » in the 2026 fixture) and
    where it is in the venue, as admin has it; None without a B2B programme."""
    if programme is None:
        return None
    session = programme.sessions.select_related("room").exclude(room=None).first()
    return session.room if session else None


def agenda_context(registration):
    programme = queries.programme_for(registration)
    rows = queries.agenda(registration)
    tz = registration.edition.tz
    days = [
        (day, list(day_rows))
        for day, day_rows in groupby(rows, key=lambda row: timezone.localdate(row.starts_at, tz))
    ]
    return {
        "registration": registration,
        "edition": registration.edition,
        "venue": registration.edition.venue,
        "days": days,
        "has_meetings": any(row.kind == "meeting" for row in rows),
        "b2b_room": b2b_place(programme),
        "meeting_minutes": programme.meeting_minutes if programme else 0,
    }


def agenda_pdf(registration):
    with translation.override(registration.language):
        html = render_to_string("meetings/printed_agenda.html", agenda_context(registration))
    return render_pdf(html, stylesheets=(STYLESHEET,))
