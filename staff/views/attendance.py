"""Feuilles d'émargement (PDF) for a session or a day, from the staff's session pages."""

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from events.models import Session
from events.queries import current_edition

from .. import attendance_sheets

view_registrations = permission_required("registration.view_registration", raise_exception=True)


@staff_member_required
@view_registrations
def session_sheet(request, pk):
    edition = current_edition()
    session = get_object_or_404(
        Session.objects.select_related("room", "type"), pk=pk, slot__edition=edition
    )
    return attendance_sheets.sheets_response(edition, sessions=[session], name=session.title)


@staff_member_required
@view_registrations
def day_sheet(request, day):
    edition = current_edition()
    if (found := attendance_sheets.day_from_text(edition, day)) is None:
        raise Http404("Not a day of the edition")
    return attendance_sheets.sheets_response(edition, days=[found], name=found.isoformat())
