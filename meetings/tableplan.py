"""The table plan for the entrance of the Espace des Partenaires: one A4 page per meeting
time, each table with its two people and their organisations (WeasyPrint, files read from
disk, the badges' way)."""

from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from registration.badges import render_pdf

from .models import Meeting, MeetingTime, Table

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "table-plan.css"


def table_plan(programme):
    """[(time, [(table, meeting or None)])] for every time, every table listed (3 queries)."""
    tables = list(
        Table.objects.filter(programme=programme).select_related("partner").order_by("number")
    )
    by_time = defaultdict(dict)
    for meeting in Meeting.objects.filter(
        time__programme=programme, status=Meeting.Status.SCHEDULED
    ).select_related("request__sender", "request__recipient"):
        by_time[meeting.time_id][meeting.table_id] = meeting
    return [
        (time, [(table, by_time[time.pk].get(table.pk)) for table in tables])
        for time in MeetingTime.objects.filter(programme=programme).order_by("starts_at")
    ]


def table_plan_pdf(programme):
    html = render_to_string(
        "meetings/table_plan.html",
        {"plan": table_plan(programme), "edition": programme.edition},
    )
    return render_pdf(html, stylesheets=(STYLESHEET,))
