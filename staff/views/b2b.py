"""B2B meetings on the day, for staff: held or not per meeting time, and who was reported
absent, with their meetings still to come (to call them, or free their partners)."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from events.queries import current_edition
from meetings import services
from meetings.followup import held_per_time, no_shows
from meetings.models import Programme
from registration.models import Registration

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


@staff_member_required
@permission_required("meetings.change_meeting", raise_exception=True)
@require_POST
def cancel_upcoming(request, pk):
    """Someone reported absent will not come back: their meetings to come are cancelled,
    which frees their partners (told by email) for other meetings."""
    registration = get_object_or_404(Registration, pk=pk, edition=current_edition())
    count = services.meetings_cancel_upcoming(registration=registration)
    messages.success(
        request,
        ngettext(
            "%(count)s rendez-vous de %(name)s annulé ; l'autre personne est prévenue.",
            "%(count)s rendez-vous de %(name)s annulés ; les autres personnes sont prévenues.",
            count,
        )
        % {"count": count, "name": registration.full_name},
    )
    return redirect("staff:b2b_followup")
