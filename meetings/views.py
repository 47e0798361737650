"""B2B pages, behind the personal link (registration.views.personal): 404 for any other
token, and for anything (profile, request, meeting) that is not the person's to see."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events.pagecache import one_programme_version
from registration import pagememo
from registration.models import Registration
from registration.queries import edition_of, link_read
from registration.views import personal

from . import directory as b2b_directory
from . import directory_read, exports, queries, services
from . import printed_agenda as printed
from .availability import common_free_times
from .forms import AcceptForm, DeclineForm, ProfileForm, RequestForm
from .models import MeetingRequest, Profile, ScreenKey
from .screen import REFRESH_SECONDS, board, screen_page

form_page = personal(referrer_policy="same-origin")


def _page(request, registration, token, template, **context):
    return TemplateResponse(
        request,
        f"meetings/{template}.html",
        {"edition": registration.edition, "registration": registration, "token": token, **context},
    )


def _programme(registration):
    programme = queries.programme_for(registration)
    if programme is None or registration.is_cancelled:
        raise Http404("No B2B for this registration")
    return programme


def _taking_part(registration):
    """The person's profile, if they take part (not left, not refused); else 404."""
    profile = queries.profile_of(registration)
    if profile is None or profile.status in (Profile.Status.LEFT, Profile.Status.REJECTED):
        raise Http404("Not taking part")
    return profile


@personal(reads=("b2b",))
def home(request, registration, token):
    """The person's B2B page: their profile's state, requests, and their one agenda. No
    query but the link's (which reads the B2B state too, home_read.py); rendered only
    when something it shows changed (pagememo)."""
    state = link_read(registration, "b2b")
    if state.programme_id is None or registration.is_cancelled:
        raise Http404("No B2B for this registration")
    now = timezone.now()
    # What the time changes on the page: which meetings are over (« did it take place? »),
    # from the meetings the link read (hooks.load_meetings: end, …, guid).
    meetings = link_read(registration, "meetings")
    ended = tuple(meeting[-1] for meeting in meetings if meeting[1] <= now)
    key = None
    if not pagememo.has_messages(request):  # shown once: such a page is not kept
        key = pagememo.page_key(
            request, token, "b2b-home",
            registration.columns_read, registration.days_read, registration.bookings_read,
            registration.link_read, ended, query="",
        )  # fmt: skip
        if page := pagememo.kept(request, key, token):
            return page
    pending = [r for r in state.requests if r.status == MeetingRequest.Status.PENDING]
    profile = None
    if state.profile_status is not None:
        profile = queries.ProfileState(state.profile_status, state.rejection_reason)
    return pagememo.render(
        request,
        "meetings/home.html",
        {
            "edition": registration.edition, "registration": registration, "token": token,
            "profile": profile,
            "received": [r for r in pending if r.sender_id != registration.pk],
            "sent": [r for r in pending if r.sender_id == registration.pk],
            "to_place": [r for r in state.requests if r.to_place],
            "agenda": queries.agenda(registration),
            "reported": {r.reported for r in state.requests if r.reported},
            "now": now,
        },
        token=token,
        key=key,
    )  # fmt: skip


@form_page
@require_http_methods(["GET", "POST"])
def profile(request, registration, token):
    programme = _programme(registration)
    current = queries.profile_of(registration)
    initial = {"is_listed": True}
    if current is not None:
        initial = {
            "presentation": current.presentation,
            "offers": current.offers,
            "seeks": current.seeks,
            "themes": list(current.themes.all()),
            "countries": list(current.countries),
            "languages": current.language_codes,
            "is_listed": current.is_listed,
            "wants_digest": current.wants_digest,
            "blocked_times": list(current.blocked_times.values_list("pk", flat=True)),
        }
    times = queries.meeting_times(programme, registration)
    form = ProfileForm(request.POST or None, initial=initial, times=times)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_save(
                registration=registration,
                data=form.profile_data,
                themes=form.cleaned_data["themes"],
                blocked_times=form.chosen_blocked_times,
            )
        except services.Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Votre profil B2B est enregistré."))
            return redirect("meetings:home", token=token)
    return _page(request, registration, token, "profile_form", form=form, profile=current)


@form_page
@require_http_methods(["GET", "POST"])
def leave(request, registration, token):
    _programme(registration)
    _taking_part(registration)
    if request.method == "POST":
        services.profile_leave(registration=registration)
        messages.success(request, _("Vous ne participez plus aux rendez-vous B2B."))
        return redirect("meetings:home", token=token)
    return _page(request, registration, token, "leave")


def directory(request, token):
    """The directory: one statement (directory_read.py) reads the link, what the page
    checks, the themes and the page's rows; the page is then served from this process's
    memory when it was rendered from the same rows, themes, filters and programme (a
    personal page like the others: no-store, the link cut out of what is kept)."""
    asked = b2b_directory.filters_of(request.GET)
    with one_programme_version():
        read = directory_read.directory_read(
            token=token, filters=asked, page=request.GET.get("page"), now=timezone.now()
        )
        if read is None:
            raise Http404("Unknown link")
        if (
            read.programme_id is None
            or read.registration_status == Registration.Status.CANCELLED
            or read.profile_status in (None, Profile.Status.LEFT, Profile.Status.REJECTED)
        ):
            raise Http404("No B2B directory for this registration")
        themes = read.themes(get_language())
        filters = b2b_directory.themes_checked(asked, themes)
        request.page_query = {**filters, **({"page": read.number} if read.number > 1 else {})}
        key = page = None
        if not pagememo.has_messages(request):  # shown once: such a page is not kept
            shown = tuple(sorted(request.page_query.items()))
            key = pagememo.page_key(
                request, token, "b2b-directory", read.edition_id, read.themes_text,
                read.rows_text, read.found, shown, query="",
            )  # fmt: skip
            page = pagememo.kept(request, key, token)
        if page is None:
            page = _directory_page(request, token, read, themes, filters, key)
    # As registration.views.personal answers: never stored, never indexed, no referrer.
    page["Cache-Control"] = "no-store"
    page["Referrer-Policy"] = "no-referrer"
    page["X-Robots-Tag"] = "noindex, nofollow"
    return page


def _directory_page(request, token, read, themes, filters, key):
    rows, found = read.rows()
    names = dict(themes)
    cards = b2b_directory.cards_html(
        [
            b2b_directory.card_of(row, [names[pk] for pk, _n in themes if pk in row["theme_ids"]])
            for row in rows
        ]
    )
    pages = max(1, -(-found // directory_read.PAGE_SIZE))
    return pagememo.render(
        request,
        "meetings/directory.html",
        {
            "edition": edition_of(read.edition_id),
            "token": token,
            "page": directory_read.DirectoryPage(rows, found, read.number, pages),
            "cards": cards,
            "q": filters.get("q", ""),
            "query": b2b_directory.query_of(filters),
            "options": b2b_directory.filter_options(themes, filters),
        },
        token=token,
        key=key,
    )


@form_page
@require_http_methods(["GET", "POST"])
def person(request, registration, token, pk):
    _programme(registration)
    mine = _taking_part(registration)
    other = queries.listed_profile(viewer=registration, pk=pk)
    if other is None:
        raise Http404("Not listed")
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.request_create(
                sender=registration,
                recipient=other.registration,
                message=form.cleaned_data["message"],
            )
        except services.Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Votre demande est envoyée."))
            return redirect("meetings:request", token=token, request_id=sent.public_id)
    return _page(request, registration, token, "person", other=other, form=form, mine=mine)


@form_page
@require_http_methods(["GET", "POST"])
def answer(request, registration, token, request_id):
    """A request: the recipient accepts (choosing a time) or declines; the sender may take
    it back while it waits."""
    programme = _programme(registration)
    meeting_request = queries.request_of(registration, request_id)
    if meeting_request is None:
        raise Http404("Not this person's request")
    is_recipient = meeting_request.recipient_id == registration.pk
    pending = meeting_request.status == MeetingRequest.Status.PENDING
    times = []
    if is_recipient and pending:
        times = common_free_times(
            programme, [meeting_request.sender_id, meeting_request.recipient_id]
        )
        for time in times:
            time.label = queries.time_label(time)
    placeable = bool(times) or (
        is_recipient
        and pending
        and services.placeable(programme, [meeting_request.sender_id, meeting_request.recipient_id])
    )
    action = request.POST.get("action") if request.method == "POST" else None
    accept_form = AcceptForm(request.POST if action == "accept" else None, times=times)
    decline_form = DeclineForm(request.POST if action == "decline" else None)
    if action and (pending or queries.is_to_place(meeting_request)):
        try:
            if action == "accept" and is_recipient and accept_form.is_valid():
                services.request_accept(
                    request=meeting_request, registration=registration, time=accept_form.chosen
                )
                messages.success(request, _("Le rendez-vous est confirmé."))
                return redirect("meetings:home", token=token)
            if action == "to_place" and is_recipient and not times:
                services.request_accept_to_place(request=meeting_request, registration=registration)
                messages.success(
                    request,
                    _(
                        "Demande acceptée : l'équipe placera ce rendez-vous et vous serez "
                        "prévenu·es tous les deux par courriel."
                    ),
                )
                return redirect("meetings:home", token=token)
            if action == "cancel_to_place" and queries.is_to_place(meeting_request):
                services.request_cancel_to_place(request=meeting_request, registration=registration)
                messages.success(
                    request, _("Le rendez-vous est annulé ; l'autre personne est prévenue.")
                )
                return redirect("meetings:home", token=token)
            if action == "decline" and is_recipient and decline_form.is_valid():
                services.request_decline(
                    request=meeting_request,
                    registration=registration,
                    note=decline_form.cleaned_data["note"],
                )
                messages.success(request, _("La demande est déclinée."))
                return redirect("meetings:home", token=token)
            if action == "withdraw" and not is_recipient:
                services.request_withdraw(request=meeting_request, registration=registration)
                messages.success(request, _("Votre demande est retirée."))
                return redirect("meetings:home", token=token)
        except services.Refused as refused:
            accept_form.add_error(None, refused.message)
    return _page(
        request, registration, token, "request",
        meeting_request=meeting_request, other=meeting_request.other(registration),
        is_recipient=is_recipient, pending=pending, placeable=placeable,
        to_place=queries.is_to_place(meeting_request),
        accept_form=accept_form, decline_form=decline_form,
    )  # fmt: skip


@form_page
@require_http_methods(["GET", "POST"])
def cancel(request, registration, token, meeting):
    _programme(registration)
    found = queries.meeting_of(registration, meeting)
    if found is None or found.status != found.Status.SCHEDULED:
        raise Http404("Not this person's meeting")
    if request.method == "POST":
        services.meeting_cancel(meeting=found, registration=registration)
        messages.success(request, _("Le rendez-vous est annulé ; l'autre personne est prévenue."))
        return redirect("meetings:home", token=token)
    return _page(
        request, registration, token, "cancel",
        meeting=found, other=found.request.other(registration),
        when=queries.time_label(found.time),
    )  # fmt: skip


@form_page
@require_http_methods(["GET", "POST"])
def not_held(request, registration, token, meeting):
    """After a meeting's end, either party says it did not take place (or takes that back
    until the end of the event)."""
    _programme(registration)
    found = queries.meeting_of(registration, meeting)
    if found is None or found.status != found.Status.SCHEDULED:
        raise Http404("Not this person's meeting")
    error = None
    if request.method == "POST":
        undo = request.POST.get("action") == "undo"
        try:
            if undo:
                services.meeting_report_undo(meeting=found, registration=registration)
            else:
                services.meeting_report_not_held(meeting=found, registration=registration)
        except services.Refused as refused:
            error = refused.message
        else:
            messages.success(
                request,
                _("Votre signalement est retiré.")
                if undo
                else _("C'est noté : ce rendez-vous n'a pas eu lieu. Merci de nous l'avoir dit."),
            )
            return redirect("meetings:home", token=token)
    now = timezone.now()
    return _page(
        request, registration, token, "not_held",
        meeting=found, other=found.request.other(registration), error=error,
        when=queries.time_label(found.time), ended=found.time.ends_at <= now,
        event_over=now > registration.edition.ends_at,
        ends=timezone.localtime(found.time.ends_at),
    )  # fmt: skip


@personal
def meetings_csv(request, registration, token):
    """The person's scheduled meetings as a spreadsheet."""
    _programme(registration)
    rows = queries.agenda(registration)
    return exports.meetings_csv(registration, [row for row in rows if row.kind == "meeting"])


@personal
def printed_agenda(request, registration, token):
    """The person's agenda as an A4 PDF to print, in their language (no-store, like every
    page behind the link)."""
    if registration.is_cancelled:
        raise Http404("Cancelled")
    return HttpResponse(
        printed.agenda_pdf(registration),
        content_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="mon-agenda-rencontres-aict.pdf"'},
    )


def screen(request, token):
    """The « next meetings » screen, opened by its secret link (screen_models.py says why
    a link rather than a staff login); reloads itself without script."""
    programme = ScreenKey.objects.find(token)
    if programme is None:
        raise Http404("Unknown screen link")
    now = timezone.now()
    shown = board(programme, now)
    response = TemplateResponse(
        request,
        "meetings/screen.html",
        {
            "edition": programme.edition,
            "now": now,
            "board": shown,
            "page": screen_page(shown, request.GET.get("page", "")),
            "refresh_seconds": REFRESH_SECONDS,
        },
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
