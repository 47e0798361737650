"""B2B data in the personal-data rules (staff/privacy.py calls these): a person's copy,
their erasure and the yearly purge."""

from django.db.models import Q

from .models import Meeting, MeetingRequest, Profile


def personal_data(registration):
    """What B2B holds on one person (JSON-ready): their profile, requests and meetings,
    with the other party's name and organisation as the person saw them, never an address."""
    profile = Profile.objects.filter(registration=registration).prefetch_related("themes").first()
    requests = (
        MeetingRequest.objects.filter(Q(sender=registration) | Q(recipient=registration))
        .select_related("sender", "recipient")
        .order_by("created_at", "pk")
    )
    meetings = Meeting.objects.filter(request__in=requests).select_related("time", "table__partner")
    return {
        "profile": None
        if profile is None
        else {
            "status": profile.get_status_display(),
            "listed": profile.is_listed,
            "presentation": profile.presentation,
            "offers": profile.offers,
            "seeks": profile.seeks,
            "themes": [str(t) for t in profile.themes.all()],
            "countries": [c.code for c in profile.countries],
            "languages": profile.language_codes,
        },
        "requests": [
            {
                "direction": "sent" if r.sender_id == registration.pk else "received",
                "other": r.other(registration).full_name,
                "message": r.message,
                "status": r.get_status_display(),
                "at": r.created_at.isoformat(),
            }
            for r in requests
        ],
        "meetings": [
            {
                "starts_at": m.time.starts_at.isoformat(),
                "table": str(m.table),
                "status": m.get_status_display(),
            }
            for m in meetings
        ],
    }


def forget(registration_ids):
    """Remove what these people wrote (profiles; messages and words of their requests,
    either side's, since each names the other); meetings stay as bare facts for the
    statistics (a time, a table, a status)."""
    Profile.objects.filter(registration__in=registration_ids).delete()
    MeetingRequest.objects.filter(
        Q(sender__in=registration_ids) | Q(recipient__in=registration_ids)
    ).update(message="—", decline_note="")
