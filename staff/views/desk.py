"""The check-in desk, for a phone or a laptop at the entrance.

One field takes a scanned code (a scanner types it, then Enter) or a name; the camera
(BarcodeDetector) fills the same field where the browser has it (static/js/desk.js). Every
answer is a fresh page whose field is empty and focused, so the next scan starts clean.

A scan is answered at once with the card (one request, not a redirect and a second
request: the desk waits for both). The page says its own address (`data-url`: the card's,
as a GET), which static/js/desk.js puts in the address bar, so a refresh reads the card
again rather than sending the scan again; without JavaScript a refresh sends it again,
which records nothing new (the second scan of a badge is « déjà enregistré·e »).
States in that address (`etat`): nouveau (recorded), vu (already in today), confirmer
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

from events.pagecache import one_programme_version
from events.queries import current_edition
from registration import badges
from registration.models import Registration

from .. import checkin
from .base import render_staff

check_in = permission_required("registration.check_in", raise_exception=True)
undo_checkin = permission_required("staff.undo_checkin", raise_exception=True)
STATES = {"nouveau", "vu", "confirmer", "annule"}


def desk_url(**state):
    return reverse("staff:desk") + ("?" + urlencode(state) if state else "")


def clean(text):
    """What was typed or scanned, bounded; NUL removed (PostgreSQL refuses it in a query)."""
    return text.replace("\x00", "").strip()[:100]


def answer(request, edition, url, context=(), person=None):
    """The desk's page: the counters (read with `person`'s card when there is one), what
    `context` adds (a card, an alert, a search's results), and, answering a scan, the
    address of the same page as a GET (`url`)."""
    context = {
        "title": _("Accueil — enregistrement des arrivées"),
        "desk_url": url,
        **checkin.counters(edition, registration=person),
        **dict(context),
    }
    return render_staff(request, "staff/desk.html", context)


@staff_member_required
@check_in
def desk(request):
    with one_programme_version():  # one read of the shared cache for the whole page
        edition = current_edition()
        context, query = {}, request.GET
        if unknown := clean(query.get("inconnu", "")):
            context["unknown_code"] = unknown
        elif text := clean(query.get("q", "")):
            context |= {"query": text, "results": checkin.search(edition, text)}
        if registration := checkin.find_by_pk(edition, query.get("personne", "")):
            state = query.get("etat", "")
            context |= checkin.card(registration, state if state in STATES else "")
        return answer(request, edition, None, context, registration)


@staff_member_required
@check_in
@require_POST
def scan(request):
    """A scanned code (or a typed one): record the arrival and show the card. A code no
    badge carries: a loud warning. Anything else: a name search. An unusual arrival (not an
    event day, not registered for today) waits for staff to confirm that very case
    (`confirmer`)."""
    with one_programme_version():
        edition = current_edition()
        text = clean(request.POST.get("q", ""))
        registration = checkin.find_by_code(edition, text) or checkin.find_by_pk(
            edition, request.POST.get("personne", "")
        )
        if registration is None:
            if checkin.looks_like_a_code(text):
                return answer(request, edition, desk_url(inconnu=text), {"unknown_code": text})
            if text:
                results = checkin.search(edition, text)
                context = {"query": text, "results": results}
                return answer(request, edition, desk_url(q=text), context)
            return redirect(desk_url())
        arrival = checkin.checkin_record(
            registration=registration,
            by=request.user,
            confirmed=clean(request.POST.get("confirmer", "")),
        )
        state = "confirmer" if arrival.unusual else "nouveau" if arrival.created else "vu"
        url = desk_url(personne=registration.pk, etat=state)
        return answer(request, edition, url, checkin.card(registration, state), registration)


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
