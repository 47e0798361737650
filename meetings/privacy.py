"""B2B data in the personal-data rules (staff/privacy.py calls these): a person's copy,
their erasure and the yearly purge."""

from django.db.models import Q
from django.utils.html import escape

from registration.models import OutgoingEmail

from .directory import forget_cards
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
    profiles = Profile.objects.filter(registration__in=registration_ids)
    forget_cards(list(profiles.values_list("pk", flat=True)))
    profiles.delete()
    MeetingRequest.objects.filter(
        Q(sender__in=registration_ids) | Q(recipient__in=registration_ids)
    ).update(message="—", decline_note="")
    _outbox_forget(set(registration_ids))


def _outbox_forget(ids):
    """The other parties' B2B messages that name these people (queued, even by this
    erasure, or sent) stop naming them: the context marks them erased (the worker renders
    « a person no longer taking part »), and what was already rendered loses their name
    and organisation. The person's own messages are deleted by the caller."""
    # Their requests are cancelled: a request email not sent yet has nothing left to say.
    OutgoingEmail.objects.filter(
        kind="b2b_request_received", sent_at__isnull=True, context__other__pk__in=list(ids)
    ).delete()
    named = Q(context__other__pk__in=list(ids)) | Q(kind__in=["b2b_digest", "b2b_meetings_moved"])
    emails = OutgoingEmail.objects.filter(named, kind__startswith="b2b_").exclude(
        registration__in=ids
    )
    for email in emails.only("context", "subject", "body", "html_body"):
        texts = {name: getattr(email, name) for name in ("subject", "body", "html_body")}
        changed = False
        for item in _items(email.context):
            person = item.get("other") or {}
            if person.get("pk") not in ids or person.get("erased"):
                continue
            # What they wrote may name them too (a signature, a phone number).
            words = [person.get("name"), person.get("organisation"), item.get("message")]
            for word in words:
                if word and len(word) > 1:
                    for form in {word, escape(word)}:
                        texts = {name: text.replace(form, "—") for name, text in texts.items()}
            if item.get("message"):
                item["message"] = "—"
            person.update(name="", organisation="", erased=True)
            changed = True
        if changed:
            OutgoingEmail.objects.filter(pk=email.pk).update(context=email.context, **texts)


def _items(context):
    """The parts of a message's context about one other party: the context itself, and
    each of its requests (a digest) or changes (meetings moved)."""
    return [context, *(item for key in ("requests", "changes") for item in context.get(key, []))]
