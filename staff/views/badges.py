"""Badge sheets: ask for one, watch it being built, download it."""

from datetime import timedelta

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from events.queries import current_edition

from .. import heartbeat
from ..forms import BadgeSheetForm
from ..models import BadgeSheet
from ..sheets import badge_sheet_request, badge_sheet_restart
from .base import render_staff

print_badges = permission_required("registration.print_badges", raise_exception=True)

# A sheet still waiting for a worker after this long: the page says why.
WAITING_LONG = timedelta(minutes=1)


@staff_member_required
@print_badges
@require_http_methods(["GET", "POST"])
def sheets(request):
    edition = current_edition()
    form = BadgeSheetForm(request.POST or None, edition=edition)
    if request.method == "POST" and form.is_valid():
        sheet = badge_sheet_request(
            edition=edition,
            registrations=form.registrations(),
            description=form.description(),
            user=request.user,
        )
        return redirect("staff:badge_sheet", pk=sheet.pk)
    recent = BadgeSheet.objects.filter(edition=edition).select_related("requested_by")[:20]
    return render_staff(
        request,
        "staff/badge_sheets.html",
        {"form": form, "sheets": recent, "title": _("Planches de badges")},
    )


@staff_member_required
@print_badges
@require_http_methods(["GET", "POST"])
def sheet(request, pk):
    sheet = get_object_or_404(BadgeSheet, pk=pk)
    now = timezone.now()
    if request.method == "POST":  # « Relancer »: its worker stopped
        badge_sheet_restart(sheet=sheet, now=now)
        return redirect("staff:badge_sheet", pk=sheet.pk)
    return render_staff(
        request,
        "staff/badge_sheet.html",
        {
            "sheet": sheet,
            "title": str(sheet),
            "waiting_long": sheet.waiting_since(now) > WAITING_LONG,
            "stalled": sheet.stalled(now),
            "worker_running": heartbeat.worker_running(),
        },
    )


@staff_member_required
@print_badges
def sheet_pdf(request, pk):
    sheet = get_object_or_404(BadgeSheet, pk=pk, status=BadgeSheet.Status.READY)
    if not sheet.pdf:
        raise Http404("No file")
    response = FileResponse(
        sheet.pdf.open("rb"), as_attachment=True, filename=f"badges-{sheet.pk}.pdf"
    )
    response["Cache-Control"] = "no-store"
    return response
