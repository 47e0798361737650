"""How meetings plugs into registration (registration.hooks), from MeetingsConfig.ready."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registration import hooks

from .availability import meetings_overlapping


def refuse_sessions_over_meetings(*, registration, sessions):
    """A session booked over a scheduled meeting is refused: the person moves or cancels
    the meeting first (their B2B page)."""
    clashes = meetings_overlapping(registration, sessions)
    if clashes:
        start = timezone.localtime(clashes[0].time.starts_at)
        raise hooks.BookingConflict(
            _(
                "Vous avez un rendez-vous B2B le %(when)s, pendant une session choisie : "
                "annulez ce rendez-vous (page « Rendez-vous B2B ») ou choisissez une autre "
                "session."
            )
            % {"when": date_format(start, "l j F, H:i")},
            url_name="meetings:home",
        )


def leave_on_cancel(*, registration, now, notify):
    from .services import on_registration_cancelled

    on_registration_cancelled(registration=registration, now=now, notify=notify)


def calendar_items(registration):
    from .ical import meeting_items

    return meeting_items(registration)


def b2b_field(edition):
    """The sign-up box « take part in B2B meetings », while requests may still be made."""
    from django import forms

    from .models import Programme

    if not Programme.objects.filter(edition=edition, closes_at__gt=timezone.now()).exists():
        return None
    return forms.BooleanField(
        label=gettext_lazy(
            "Je souhaite participer aux rendez-vous B2B (je compléterai mon profil depuis mon "
            "espace personnel)."
        ),
        required=False,
    )


def b2b_join(*, registration):
    from .services import profile_save

    profile_save(registration=registration, data={}, themes=[])


def connect():
    if refuse_sessions_over_meetings not in hooks.booking_checks:
        hooks.booking_checks.append(refuse_sessions_over_meetings)
        hooks.signup_options.append(hooks.SignupOption("b2b", b2b_field, b2b_join))
        hooks.cancel_hooks.append(leave_on_cancel)
        hooks.calendar_items.append(calendar_items)
        hooks.personal_links.append(
            (gettext_lazy("Mon agenda et mes rendez-vous B2B"), "meetings:home")
        )
