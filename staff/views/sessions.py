"""Per-session fill: seats, waiting lists, who is booked."""

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from events.models import Session
from events.queries import current_edition

from .. import exports
from ..queries import session_bookings, session_fill
from .base import render_staff

view_registrations = permission_required("registration.view_registration", raise_exception=True)


@staff_member_required
@view_registrations
def sessions(request):
    edition = current_edition()
    return render_staff(
        request,
        "staff/sessions.html",
        {
            "fill": session_fill(edition),
            "days": edition.days,
            "title": _("Remplissage des sessions"),
        },
    )


@staff_member_required
@view_registrations
def session(request, pk):
    session = get_object_or_404(Session.objects.select_related("room"), pk=pk)
    return render_staff(
        request,
        "staff/session.html",
        {"session": session, "bookings": session_bookings(session), "title": session.title},
    )


@staff_member_required
@permission_required("registration.export_registration", raise_exception=True)
def session_export(request, pk):
    session = get_object_or_404(Session, pk=pk)
    return exports.session_export(session, session_bookings(session), user=request.user)
