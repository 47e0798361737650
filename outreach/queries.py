"""Reads of the outreach app: who a message goes to."""

from registration.models import Booking, Registration

from .models import Reconfirmation, StaffMessage

LIVE = (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)


def message_recipients(message):
    """The registrations a staff message goes to, each once, in sign-up order.

    One session: the live registrations with a booking of it (confirmed seat, waiting list
    or both, as staff chose). One day: the confirmed people attending that day. Everyone:
    every confirmed person."""
    people = Registration.objects.filter(edition_id=message.edition_id)
    if message.audience == StaffMessage.Audience.SESSION:
        bookings = Booking.objects.filter(session_id=message.session_id)
        if message.booked != StaffMessage.Booked.BOTH:
            bookings = bookings.filter(status=message.booked)
        people = people.filter(status__in=LIVE, pk__in=bookings.values("registration"))
    elif message.audience == StaffMessage.Audience.DAY:
        people = people.filter(status=Registration.Status.CONFIRMED, days__day=message.day)
    else:
        people = people.filter(status=Registration.Status.CONFIRMED)
    return people.order_by("created_at", "pk")


def recipients_by_language(message):
    """{language: count} of a message's recipients (the preview's figures, one query)."""
    from django.db.models import Count

    rows = message_recipients(message).order_by().values_list("language").annotate(n=Count("pk"))
    return dict(rows)


def unanswered(campaign):
    """Who a campaign asked and has not answered, still confirmed, seat not released: the
    reminder's recipients and, after the deadline, the seats staff may release (1 query)."""
    return list(
        Reconfirmation.objects.filter(
            campaign=campaign,
            answer=Reconfirmation.Answer.NONE,
            released_at__isnull=True,
            registration__status=Registration.Status.CONFIRMED,
        )
        .select_related("registration__edition")
        .order_by("registration__last_name", "registration__first_name", "pk")
    )


def campaign_figures(campaign):
    """{answer: count} and the released seats of a campaign (1 query)."""
    from django.db.models import Count, Q

    rows = Reconfirmation.objects.filter(campaign=campaign).aggregate(
        coming=Count("pk", filter=Q(answer=Reconfirmation.Answer.COMING)),
        not_coming=Count("pk", filter=Q(answer=Reconfirmation.Answer.NOT_COMING)),
        released=Count("pk", filter=Q(released_at__isnull=False)),
        silent=Count(
            "pk",
            filter=Q(answer="", released_at__isnull=True, registration__status="confirmed"),
        ),
        total=Count("pk"),
    )
    return rows
