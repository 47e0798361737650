"""The check-in desk, for a phone or a laptop at the entrance.

One field takes a scanned code (a scanner types it, then Enter) or a name; the camera
(BarcodeDetector) fills the same field where the browser has it (static/js/desk.js). Every
answer is a fresh page whose field is empty and focused, so the next scan starts clean.

A scan is answered at once with the card (one request, not a redirect and a second
request: the desk waits for both). The page says its own address (`data-url`: the card's,
as a GET), which static/js/desk.js puts in the address bar, so a refresh reads the card
again rather than sending the scan again; without JavaScript a refresh sends it again,
which records nothing new (the second scan of a badge is « déjà enregistré·e »), nor after
an undo: each form carries the time its page was shown (`affiche`), and a scan from a page
older than the undo is refused (`shown_at`, checkin.checkin_record).
States in that address (`etat`): nouveau (recorded), vu (already in today), confirmer
(an unusual arrival waits for staff), annule (taken back); `inconnu`: a code no badge has.
"""

import re
import uuid
from datetime import datetime
from urllib.parse import quote_plus

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events.pagecache import LRU, one_programme_version, release_id
from events.queries import current_edition
from registration import badges
from registration.models import Registration

from .. import checkin

check_in = permission_required("registration.check_in", raise_exception=True)
undo_checkin = permission_required("staff.undo_checkin", raise_exception=True)
STATES = {"nouveau", "vu", "confirmer", "annule"}


def desk_url(**state):
    return reverse("staff:desk") + ("?" + urlencode(state) if state else "")


def shown_at(text):
    """When the page a scan was sent from was shown (its `affiche` field), None if the
    field is missing or not such a time: a scan sent again from a page older than an undo
    records nothing (checkin.checkin_record)."""
    try:
        shown = datetime.fromisoformat(text[:40])
    except ValueError:
        return None
    return shown if timezone.is_aware(shown) else None


def clean(text):
    """What was typed or scanned, bounded; NUL removed (PostgreSQL refuses it in a query)."""
    return text.replace("\x00", "").strip()[:100]


# The desk's page around what changes with each scan (the admin's frame, the scan form) is
# rendered once per release, language and staff member, with these marks where the
# changing parts go, and kept in this process's memory: a scan renders its answer and the
# counters only (the frame was half of a scan's work).
MARKS = {
    part: f"desk-{part}-{uuid.uuid4().hex}"
    for part in ("counters", "answer", "url", "next", "csrf", "shown")
}
_MARKED = re.compile("|".join(MARKS.values()))
_kept = LRU(64)


class _At:
    """The request, but at `path` (the language links of the admin's frame point there)."""

    def __init__(self, request, path):
        self._request, self._path = request, path

    def get_full_path(self):
        return self._path

    def __getattr__(self, name):
        return getattr(self._request, name)


def _frame(request, title):
    """The desk's page with MARKS for what changes, kept (see MARKS)."""
    user = request.user
    key = (
        release_id(), get_language(), title, user.pk, user.get_username(), user.get_short_name(),
        user.has_usable_password(),
    )  # fmt: skip
    frame = _kept.get(key)
    if frame is None:
        marked = {
            **admin.site.each_context(request),
            "title": title,
            "messages": (),  # pending messages wait for the next admin page
            "request": _At(request, MARKS["next"]),
            "csrf_token": MARKS["csrf"],
            "shown": MARKS["shown"],
            "desk_url": MARKS["url"],
            "counters_html": SafeString(MARKS["counters"]),
            "answer_html": SafeString(MARKS["answer"]),
        }
        frame = render_to_string("staff/desk.html", marked, request)
        _kept.set(key, frame)
    return frame


def answer(request, edition, url, context=(), person=None):
    """The desk's page at `url` (its address as a GET: a scan's answer gives it to desk.js
    for the address bar): the counters (read with `person`'s card when there is one) and
    what `context` adds (a card, an alert, a search's results), in the kept frame."""
    shown = timezone.now().isoformat()  # sent back with a scan (see shown_at)
    context = {**checkin.counters(edition, registration=person), **dict(context), "shown": shown}
    parts = {
        MARKS["counters"]: render_to_string("staff/desk_counters.html", context, request),
        MARKS["answer"]: render_to_string("staff/desk_answer.html", context, request),
        MARKS["url"]: escape(url),
        MARKS["next"]: quote_plus(url),  # as admin_language_links writes it
        MARKS["csrf"]: get_token(request),
        MARKS["shown"]: shown,
    }
    frame = _frame(request, _("Accueil — enregistrement des arrivées"))
    return HttpResponse(_MARKED.sub(lambda found: parts[found.group()], frame))


@staff_member_required
@check_in
def desk(request):
    with one_programme_version():  # one read of the shared cache for the whole page
        edition = current_edition()
        context = {}
        if unknown := clean(request.GET.get("inconnu", "")):
            context["unknown_code"] = unknown
        elif text := clean(request.GET.get("q", "")):
            context |= {"query": text, "results": checkin.search(edition, text)}
        if registration := checkin.find_by_pk(edition, request.GET.get("personne", "")):
            state = request.GET.get("etat", "")
            context |= checkin.card(registration, state if state in STATES else "")
        return answer(request, edition, request.get_full_path(), context, registration)


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
            shown=shown_at(request.POST.get("affiche", "")),
        )
        state = "confirmer" if arrival.unusual else "nouveau" if arrival.created else "vu"
        state = "annule" if arrival.undone else state
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
