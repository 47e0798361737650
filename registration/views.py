"""Sign-up, the attendee's own page (behind a secret link) and « lien perdu »."""

from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpResponseNotModified
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from events.models import Edition
from events.pagecache import one_programme_version
from events.queries import current_edition
from rencontres import ratelimit
from rencontres.http import CalendarResponse, etag_of, not_modified

from . import badges, hooks, pagememo, queries, services
from .agenda import agenda_rows, personal_calendar
from .forms import (
    SESSION_GONE,
    LostLinkForm,
    RegistrationChangeForm,
    RegistrationForm,
    seats_state,
)


def too_many_requests(request, scope):
    """The 429 page: this address has used up its allowance of `scope` for now."""
    minutes = ratelimit.retry_minutes(scope)
    response = TemplateResponse(
        request,
        "429.html",
        {"edition": current_edition(), "retry_minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


@require_http_methods(["GET", "POST"])
@never_cache  # each display carries a new form token; Back must not resubmit an old one
def register(request):
    edition = current_edition()
    state = edition.registration_state()
    if state != Edition.RegistrationState.OPEN:
        return TemplateResponse(
            request,
            "registration/closed.html",
            {"edition": edition, "state": state},
            status=403 if request.method == "POST" else 200,
        )
    form = RegistrationForm(
        request.POST or None,
        edition=edition,
        bookable=queries.bookable_slots(edition),
        initial={"language": get_language()},
    )
    if request.method == "POST" and form.is_valid():
        if form.is_robot:
            return redirect("registration:thanks")
        # A valid sign-up costs a registration and an email: that is what is counted.
        address = ratelimit.client_address(request)
        if not ratelimit.count("signup", address):
            return too_many_requests(request, "signup")
        try:
            services.registration_create(
                edition=edition,
                data=form.registration_data,
                days=form.cleaned_data["days"],
                session_ids=form.session_ids,
                form_token=form.cleaned_data["form_token"],
                options=form.options,
            )
        except services.AlreadySubmitted:
            pass  # the first of two identical posts did the work
        except services.DuplicateRegistration:
            # Same answer as a new sign-up (no address is revealed); the email tells more.
            services.access_link_request(
                edition=edition, email=form.cleaned_data["email"], duplicate_signup=True
            )
        except services.RegistrationClosed:
            return TemplateResponse(
                request,
                "registration/closed.html",
                {"edition": edition, "state": edition.registration_state()},
                status=403,
            )
        except services.InvalidBooking:
            form.add_error(None, SESSION_GONE)
        if not form.errors:
            return redirect("registration:thanks")
    form.show_seats(queries.seats_taken(edition))
    return TemplateResponse(
        request,
        "registration/register.html",
        {"edition": edition, "form": form, "is_full": queries.is_full(edition)},
    )


def thanks(request):
    return TemplateResponse(request, "registration/thanks.html", {"edition": current_edition()})


@require_http_methods(["GET", "POST"])
def lost_link(request):
    edition = current_edition()
    form = LostLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form.cleaned_data["website"]:
            # Each request may cost an email: counted per client address (429 beyond) and
            # per address asked for (beyond, nothing is sent, and the answer is the same:
            # nobody can flood a mailbox, nor learn whether it is registered).
            if not ratelimit.count("lost_link", ratelimit.client_address(request)):
                return too_many_requests(request, "lost_link")
            email = form.cleaned_data["email"]
            if ratelimit.count("lost_link_address", email.strip().lower()):
                services.access_link_request(edition=edition, email=email)
        messages.info(
            request,
            _(
                "Si cette adresse correspond à une inscription, un courriel contenant le lien "
                "vient de lui être envoyé. Pensez à regarder dans les indésirables."
            ),
        )
        return redirect("registration:lost_link")
    return TemplateResponse(
        request, "registration/lost_link.html", {"edition": edition, "form": form}
    )


def personal(
    view=None, *, referrer_policy="no-referrer", cache_control="no-store", seats=False, reads=()
):
    """Views of one registration, opened by its secret link: 404 for any other token,
    never cached, never indexed, and the secret URL never sent as a referrer. `seats`: the
    seats taken of the edition are read with it (registration.seats_read), in its one query;
    `reads`: the hooks.link_reads read only on request that the view needs, likewise.

    Pages holding a form say `same-origin` instead: under `no-referrer` browsers post the
    form with `Origin: null`, which the CSRF check rightly refuses; `same-origin` still
    keeps the URL from every other site."""
    if view is None:
        return lambda view: personal(
            view,
            referrer_policy=referrer_policy,
            cache_control=cache_control,
            seats=seats,
            reads=reads,
        )

    @wraps(view)
    def wrapper(request, token, *args, **kwargs):
        # The edition, the sessions and the page's memo key each read the programme
        # version: one read of the shared cache for the request instead of one each.
        with one_programme_version():
            registration = queries.registration_for_link(token, seats=seats, reads=reads)
            if registration is None:
                raise Http404("Unknown link")
            response = view(request, registration, token, *args, **kwargs)
        response["Cache-Control"] = cache_control
        response["Referrer-Policy"] = referrer_policy
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def can(registration, action):
    """Whether the person may `action` ("change", "cancel") now (services.CALENDAR)."""
    return not registration.is_cancelled and services.allows(registration.edition, action)


@personal
def manage(request, registration, token):
    """The attendee's page and their one agenda: 1 query (the link's, which reads the B2B
    meetings too), whatever the bookings and meetings; rendered only when something it
    shows changed (pagememo)."""
    days, waitlist_position = registration.days_read, registration.waitlist_read
    can_change, can_cancel = can(registration, "change"), can(registration, "cancel")
    key = None
    if not pagememo.has_messages(request):  # shown once: such a page is not kept
        key = pagememo.page_key(
            request,
            token,
            "manage",
            registration.columns_read,
            days,
            registration.bookings_read,
            registration.link_read,
            waitlist_position,
            can_change,
            can_cancel,
            query="",
        )
        if page := pagememo.kept(request, key, token):
            return page
    return pagememo.render(
        request,
        "registration/manage.html",
        {
            "edition": registration.edition,
            "registration": registration,
            "token": token,
            "agenda": agenda_rows(registration),
            "has_bookings": bool(registration.bookings_read),
            "days": days,
            "waitlist_position": waitlist_position,
            "can_change": can_change,
            "can_cancel": can_cancel,
            "more_links": [
                (link.label, link.url_name)
                for link in hooks.personal_links
                if link.shown is None or link.shown(registration)
            ],
        },
        token=token,
        key=key,
    )


@personal(referrer_policy="same-origin", seats=True)
@require_http_methods(["GET", "POST"])
def change(request, registration, token):
    """The change form: 1 query (the link's, which reads the seats taken too) whatever the
    bookings; on GET, rendered only when something it shows changed (pagememo)."""
    if not can(registration, "change"):
        return redirect("registration:manage", token=token)
    edition = registration.edition
    bookable = queries.bookable_slots(edition)
    initial = {"days": [day.isoformat() for day in registration.days_read]}
    shown = services.slot_choices(registration.bookings_read)
    initial.update({f"slot_{slot}": str(session) for slot, session in shown.items()})
    key = None
    if request.method == "GET":
        seats = registration.seats_read
        # What the labels say of the seats (of the sessions themselves: the programme version).
        states = [seats_state(session, seats) for slot in bookable for session in slot.sessions]
        key = pagememo.page_key(
            request, token, "change", registration.columns_read, initial, states, query=""
        )
        if page := pagememo.kept(request, key, token):
            return page
    form = RegistrationChangeForm(
        request.POST or None,
        instance=registration,
        edition=edition,
        bookable=bookable,
        initial=initial,
    )
    if request.method == "POST":
        if form.is_valid():
            if not ratelimit.count("change", registration.pk):
                return too_many_requests(request, "change")
            try:
                services.registration_update(
                    registration=registration,
                    data=form.registration_data,
                    days=form.cleaned_data["days"],
                    session_ids=form.session_ids,
                )
            except services.InvalidBooking:
                form.add_error(None, SESSION_GONE)
            except hooks.BookingConflict as conflict:
                form.add_error(None, conflict.message)
            except services.RegistrationClosed:
                return redirect("registration:manage", token=token)
            else:
                messages.success(request, _("Vos modifications sont enregistrées."))
                return redirect("registration:manage", token=token)
        seats = queries.seats_taken(edition)
    form.show_seats(seats)
    return pagememo.render(
        request,
        "registration/change.html",
        {"edition": edition, "registration": registration, "token": token, "form": form},
        token=token,
        key=key,
    )


@personal(referrer_policy="same-origin")
@require_http_methods(["GET", "POST"])
def cancel(request, registration, token):
    if not can(registration, "cancel"):
        return redirect("registration:manage", token=token)
    if request.method == "POST":
        try:
            services.registration_cancel(registration=registration)
        except services.RegistrationClosed:
            return redirect("registration:manage", token=token)
        messages.success(request, _("Votre inscription est annulée."))
        return redirect("registration:manage", token=token)
    return TemplateResponse(
        request,
        "registration/cancel.html",
        {"edition": registration.edition, "registration": registration, "token": token},
    )


@personal(cache_control="private, no-cache")
def agenda(request, registration, token):
    """The attendee's calendar (confirmed sessions, plenaries of their days), which a
    calendar app can subscribe to: private, revalidated with its ETag."""
    content = personal_calendar(registration)
    etag = etag_of(content)
    if not_modified(request, etag):
        response = HttpResponseNotModified()
    else:
        response = CalendarResponse(content, filename="mon-agenda-rencontres-aict.ics")
    response["ETag"] = etag
    return response


@personal(cache_control="private, no-store")
def badge(request, registration, token):
    """The attendee's badge (PDF, A6), for a confirmed registration."""
    if registration.status != registration.Status.CONFIRMED:
        raise Http404("No badge for this registration")
    return badges.badge_response(registration, stored=True)
