"""What meetings adds to the day-before reminder (outreach.reminders.day_before_section):
the person's B2B meetings (time, table, counterpart) and the link to their printed agenda.
Called by the worker in the person's language; registered from MeetingsConfig.ready()."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from outreach.reminders import Section

from .queries import meetings_of


def _hour(moment):
    """14h30 in French, 14:30 in English, as the reminder's agenda writes them."""
    local = timezone.localtime(moment)
    return f"{local.hour}h{local.minute:02d}" if get_language() == "fr" else f"{local:%H:%M}"


def meeting_line(meeting):
    start = timezone.localtime(meeting.starts_at)
    return _("%(day)s, %(start)s-%(end)s — table %(table)s, avec %(name)s (%(organisation)s)") % {
        "day": capfirst(date_format(start, "l j F")),  # .capitalize() lowers « July »
        "start": _hour(meeting.starts_at),
        "end": _hour(meeting.ends_at),
        "table": meeting.table,
        "name": meeting.counterpart,
        "organisation": meeting.organisation,
    }


def reminder_section(registration):
    """The meetings and the printed agenda's link; without meetings, the link alone."""
    meetings = meetings_of(registration)
    link = _("Votre agenda à imprimer (PDF) :")
    if not meetings:
        return Section(_("Votre agenda, à imprimer :"), [], link, "meetings:printed_agenda")
    return Section(
        _("Vos rendez-vous B2B, à l'Espace des Partenaires :"),
        [meeting_line(meeting) for meeting in meetings],
        link,
        "meetings:printed_agenda",
    )
