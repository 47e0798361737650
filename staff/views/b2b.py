"""B2B meetings on the day, for staff: held or not per meeting time, and who was reported
absent, with their meetings still to come (to call them, or free their partners)."""

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.utils import timezone
from django.utils.translation import gettext as _

from events.queries import current_edition
from meetings.followup import held_per_time, no_shows
from meetings.models import Programme

from .base import render_staff


@staff_member_required
@permission_required("meetings.view_meeting", raise_exception=True)
def followup(request):
    programme = Programme.objects.filter(edition=current_edition()).first()
    now = timezone.now()
    return render_staff(
        request,
        "staff/b2b_followup.html",
        {
            "title": _("Suivi des rendez-vous B2B"),
            "programme": programme,
            "times": held_per_time(programme, now=now) if programme else [],
            "no_shows": no_shows(programme, now=now) if programme else {},
        },
    )
