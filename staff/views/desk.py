"""The check-in desk, for a phone or a laptop at the entrance.

One field takes a scanned code (a scanner types it, then Enter) or a name; the camera
(BarcodeDetector) fills the same field where the browser has it (static/js/desk.js).
"""

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events.queries import current_edition
from registration import badges
from registration.models import Registration

from .. import checkin
from .base import render_staff

check_in = permission_required("registration.check_in", raise_exception=True)


def clean(text):
    """What was typed or scanned, bounded; NUL removed (PostgreSQL refuses it in a query)."""
    return text.replace("\x00", "").strip()[:100]


@staff_member_required
@check_in
def desk(request):
    edition = current_edition()
    context = {"title": _("Accueil — enregistrement des arrivées"), **checkin.counters(edition)}
    query = clean(request.GET.get("q", ""))
    if query:
        context["query"] = query
        context["results"] = checkin.search(edition, query)
    if registration := checkin.find_by_pk(edition, request.GET.get("personne", "")):
        context["person"] = registration
        context["arrival"] = checkin.arrival_today(registration)
        context["bookings"] = checkin.todays_bookings(registration)
        context["just_recorded"] = request.GET.get("etat") == "nouveau"
    return render_staff(request, "staff/desk.html", context)


@staff_member_required
@check_in
@require_POST
def scan(request):
    """A scanned code (or a typed one): record the arrival. Anything else: a name search."""
    edition = current_edition()
    text = clean(request.POST.get("q", ""))
    registration = checkin.find_by_code(edition, text) or checkin.find_by_pk(
        edition, request.POST.get("personne", "")
    )
    if registration is None:
        return redirect(reverse("staff:desk") + "?" + urlencode({"q": text}))
    arrival = checkin.checkin_record(registration=registration, by=request.user)
    state = {"personne": registration.pk, "etat": "nouveau" if arrival.created else "vu"}
    return redirect(reverse("staff:desk") + "?" + urlencode(state))


@staff_member_required
@check_in
def counters(request):
    data = checkin.counters(current_edition())
    return JsonResponse({"arrived": data["arrived"], "expected": data["expected"]})


@staff_member_required
@check_in
def reprint(request, pk):
    """The badge again (lost, misprinted): not an arrival."""
    registration = get_object_or_404(Registration, pk=pk, status=Registration.Status.CONFIRMED)
    if registration.edition_id != current_edition().pk:
        raise Http404("Not this edition")
    return badges.badge_response(registration, disposition="inline")
