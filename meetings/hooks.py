"""How meetings plugs into registration (registration.hooks), from MeetingsConfig.ready."""

import uuid
from datetime import UTC, datetime

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


# The person's scheduled meetings, read with their personal link (one statement for the
# personal page): guid, start, end, table number, the table's partner, and who they meet.
MEETINGS_SQL = """
    SELECT {rows}({row}(
        m.{M.guid}, t.{T.starts_at}, t.{T.ends_at}, tb.{B.number}, p.{P.name},
        o.{R.first_name}, o.{R.last_name}, o.{R.organisation}))
    FROM {S} s
    INNER JOIN {M} m ON m.{M.id} = s.{S.meeting}
    INNER JOIN {T} t ON t.{T.id} = m.{M.time}
    INNER JOIN {B} tb ON tb.{B.id} = m.{M.table}
    LEFT JOIN {P} p ON p.{P.id} = tb.{B.partner}
    INNER JOIN {Q} q ON q.{Q.id} = m.{M.request}
    INNER JOIN {R} o ON o.{R.id} = CASE WHEN q.{Q.sender} = r.{R.id}
        THEN q.{Q.recipient} ELSE q.{Q.sender} END
    WHERE s.{S.registration} = r.{R.id} AND m.{M.status} = 'scheduled'"""


def _moment(value):
    """A time from JSON: PostgreSQL writes it with its offset, SQLite in UTC without."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load_meetings(rows):
    """The read meetings as plain values, in time order (part of the page's memo key)."""
    return tuple(
        sorted(
            (_moment(start), _moment(end), int(number), partner or "", first, last, org,
             str(uuid.UUID(str(guid))))
            for guid, start, end, number, partner, first, last, org in rows
        )
    )  # fmt: skip


def agenda_rows(registration):
    """The person's scheduled meetings as agenda rows: when, with whom, at which table."""
    from registration.agenda import AgendaRow
    from registration.queries import link_read

    rows = []
    for start, end, number, partner, first, last, organisation, guid in link_read(
        registration, "meetings"
    ):
        table = _("Table %(number)s") % {"number": number}
        name = " ".join(part for part in (first, last) if part)
        rows.append(
            AgendaRow(
                start, end, "meeting", name,
                place=f"{table} ({partner})" if partner else table,
                person=name, organisation=organisation, ref=guid,
            )
        )  # fmt: skip
    return rows


def meetings_read():
    from events.models import Partner

    from .models import Meeting, MeetingRequest, MeetingSeat, MeetingTime, Table

    assert Meeting.Status.SCHEDULED == "scheduled"  # noqa: S101 (the SQL's literal)
    return hooks.LinkRead(
        "meetings",
        MEETINGS_SQL,
        {
            "S": MeetingSeat, "M": Meeting, "T": MeetingTime, "B": Table, "P": Partner,
            "Q": MeetingRequest,
        },
        load_meetings,
    )  # fmt: skip


def b2b_closes_at(edition_id):
    """When B2B requests close for an edition (None: no B2B programme), read once per
    programme version in each process: the sign-up form asks at every display and post.
    A change to the B2B setup writes a new version (programme_changed, below)."""
    from events.pagecache import per_version

    from .models import Programme

    def read():
        closes = Programme.objects.filter(edition=edition_id).values_list("closes_at", flat=True)
        return (closes.first(),)  # a tuple: None is a value, not a miss

    return per_version(f"meetings:b2b-closes:{edition_id}", read, in_memory=True)[0]


def programme_changed(sender, **kwargs):
    """The B2B setup saved or deleted: what was derived from it is read again."""
    from events.signals import drop_cached_pages

    drop_cached_pages()


def b2b_field(edition):
    """The sign-up box « take part in B2B meetings », while requests may still be made."""
    from django import forms

    closes_at = b2b_closes_at(edition.pk)
    if closes_at is None or closes_at <= timezone.now():
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
    from django.db.models.signals import post_delete, post_save

    from .models import Programme

    post_save.connect(programme_changed, sender=Programme, dispatch_uid="meetings-b2b-setup")
    post_delete.connect(programme_changed, sender=Programme, dispatch_uid="meetings-b2b-setup")
    if refuse_sessions_over_meetings not in hooks.booking_checks:
        hooks.booking_checks.append(refuse_sessions_over_meetings)
        hooks.signup_options.append(hooks.SignupOption("b2b", b2b_field, b2b_join))
        hooks.cancel_hooks.append(leave_on_cancel)
        hooks.calendar_items.append(calendar_items)
        hooks.link_reads.append(meetings_read())
        hooks.agenda_rows.append(agenda_rows)
        hooks.personal_links.append(
            hooks.PersonalLink(gettext_lazy("Mon agenda et mes rendez-vous B2B"), "meetings:home")
        )
