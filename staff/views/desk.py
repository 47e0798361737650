"""The check-in desk, for a phone or a laptop at the entrance.

One field takes a scanned code (a scanner types it, then Enter) or a name; the camera
(BarcodeDetector) fills the same field where the browser has it (static/js/desk.js). Every
answer is a fresh page whose field is empty and focused, so the next scan starts clean.
States in the page's address (`etat`): nouveau (recorded), vu (already in today), confirmer
(an unusual arrival waits for staff), annule (taken back); `inconnu`: a code no badge has.
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
undo_checkin = permission_required("staff.undo_checkin", raise_exception=True)
STATES = {"nouveau", "vu", "confirmer", "annule"}


def desk_url(**state):
    return reverse("staff:desk") + "?" + urlencode(state)


def clean(text):
    """What was typed or scanned, bounded; NUL removed (PostgreSQL refuses it in a query)."""
    return text.replace("\x00", "").strip()[:100]


@staff_member_required
@check_in
def desk(request):
    edition = current_edition()
    context = {"title": _("Accueil — enregistrement des arrivées"), **checkin.counters(edition)}
    if unknown := clean(request.GET.get("inconnu", "")):
        context["unknown_code"] = unknown
    elif query := clean(request.GET.get("q", "")):
        context["query"] = query
        context["results"] = checkin.search(edition, query)
    if registration := checkin.find_by_pk(edition, request.GET.get("personne", "")):
        day = context["day"]
        state = request.GET.get("etat", "")
        context |= {
            "person": registration,
            "arrival": checkin.arrival_today(registration),
            "bookings": checkin.todays_bookings(registration),
            "meetings": checkin.meetings_of_the_day(registration, day),
            "registered_days": checkin.registered_days(registration),
            "unusual": checkin.unusual_arrival(registration, day),
            "state": state if state in STATES else "",
        }
    return render_staff(request, "staff/desk.html", context)


@staff_member_required
@check_in
@require_POST
def scan(request):
    """A scanned code (or a typed one): record the arrival. A code no badge carries: a loud
    warning. Anything else: a name search. An unusual arrival (not an event day, not
    registered for today) waits for staff to confirm that very case (`confirmer`)."""
    edition = current_edition()
    text = clean(request.POST.get("q", ""))
    registration = checkin.find_by_code(edition, text) or checkin.find_by_pk(
        edition, request.POST.get("personne", "")
    )
    if registration is None:
        if checkin.looks_like_a_code(text):
            return redirect(desk_url(inconnu=text))
        return redirect(desk_url(q=text) if text else reverse("staff:desk"))
    arrival = checkin.checkin_record(
        registration=registration,
        by=request.user,
        confirmed=clean(request.POST.get("confirmer", "")),
    )
    state = "confirmer" if arrival.unusual else "nouveau" if arrival.created else "vu"
    return redirect(desk_url(personne=registration.pk, etat=state))


@staff_member_required
@check_in
@undo_checkin
@require_POST
def undo(request):
    """Take back today's arrival of the person on the card (recorded by mistake)."""
    registration = checkin.find_by_pk(current_edition(), request.POST.get("personne", ""))
    if registration is None:
        raise Http404("No such registration")
    if arrival := checkin.arrival_today(registration):
        checkin.checkin_undo(checkin=arrival, by=request.user)
    return redirect(desk_url(personne=registration.pk, etat="annule"))


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
