"""A person's B2B meetings as calendar items (events.ical builds the file)."""

from django.conf import settings
from django.utils.translation import gettext as _

from .models import Meeting


def meeting_items(registration):
    """Scheduled and cancelled meetings (STATUS:CANCELLED kept, so calendars that had one
    remove it), with a stable UID and a SEQUENCE that grows with each change (1 query)."""
    if registration.pk is None:
        return []
    meetings = (
        Meeting.objects.filter(request__sender=registration)
        | Meeting.objects.filter(request__recipient=registration)
    ).select_related("time", "table__partner", "request__sender", "request__recipient")
    venue = registration.edition.venue
    items = []
    from events.ical import CalendarItem

    for meeting in meetings:
        other = meeting.request.other(registration)
        cancelled = meeting.status == Meeting.Status.CANCELLED
        items.append(
            CalendarItem(
                uid=f"b2b-{meeting.guid}@rencontres-aict",
                starts_at=meeting.time.starts_at,
                ends_at=meeting.time.ends_at,
                summary=_("Rendez-vous B2B : %(name)s (%(organisation)s)")
                % {"name": other.full_name, "organisation": other.organisation},
                location=", ".join(
                    [str(meeting.table), _("Espace des Partenaires"), venue.full_address]
                ),
                sequence=meeting.sequence,
                last_modified=meeting.updated_at,
                categories=("B2B",),
                status="CANCELLED" if cancelled else "CONFIRMED",
                url=settings.SITE_URL,
            )
        )
    return items
