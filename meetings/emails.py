"""B2B messages, through registration's outbox (written in the transaction of the change,
sent by the worker in the recipient's language). They name the other party and their
organisation, never their address or phone."""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from registration import emails
from registration.models import AccessKey


def people_named(context):
    """The other parties a message's context names (dicts: pk, name, organisation)."""
    found = [context.get("other")]
    for key in ("requests", "changes"):
        found += [item.get("other") for item in context.get(key, [])]
    return [person for person in found if person]


def _forgotten(email):
    """A person erased after this message was queued is never named when it is rendered:
    privacy.forget marked them, they read as « a person no longer taking part » in the
    recipient's language."""
    label = str(_("une personne qui ne participe plus aux Rencontres"))
    context = email.context
    if not any(person.get("erased") for person in people_named(context)):
        return {}
    for person in people_named(context):
        if person.get("erased"):
            person.update(name=label, organisation="—")
    return {key: context[key] for key in ("other", "requests", "changes") if key in context}


def _answer_link(email):
    """A personal link minted when the message leaves, working until the last of its
    requests expires, and not one of the person's few most recent links
    (AccessKey.issue(until=)): a person asked by many keeps every answer link, and their
    own links too. Cut from what is stored, like every secret."""
    from .models import MeetingRequest

    ids = [r["request"] for r in email.context.get("requests", [])] or [email.context["request"]]
    expiry = max(
        MeetingRequest.objects.filter(public_id__in=ids).values_list("expires_at", flat=True),
        default=timezone.now(),
    )
    token = AccessKey.issue(email.registration, until=expiry)
    return {"token": token, "site_url": settings.SITE_URL, "secrets": [token], **_forgotten(email)}


# The B2B messages (their templates: meetings/email/<name>.txt and .html), named in the
# outbox b2b_<name>. The request received and the digest carry a personal link to answer,
# minted when they leave (_answer_link); the meeting accepted or cancelled carries the
# person's calendar (.ics) updated.
KINDS = {
    "request_received": {"label": _("B2B : demande reçue"), "context": _answer_link},
    "request_withdrawn": {"label": _("B2B : demande retirée")},
    "request_declined": {"label": _("B2B : demande déclinée")},
    "request_expired": {"label": _("B2B : demande expirée")},
    "meeting_accepted": {"label": _("B2B : rendez-vous accepté"), "agenda": True},
    "request_to_place": {"label": _("B2B : demande acceptée, à placer")},
    "to_place_cancelled": {"label": _("B2B : rendez-vous à placer annulé")},
    "meeting_cancelled": {"label": _("B2B : rendez-vous annulé"), "agenda": True},
    "meetings_moved": {"label": _("B2B : rendez-vous déplacés"), "agenda": True},
    "profile_approved": {"label": _("B2B : profil approuvé")},
    "profile_rejected": {"label": _("B2B : profil refusé")},
    "digest": {"label": _("B2B : récapitulatif du jour"), "context": _answer_link},
}
for name, options in KINDS.items():
    options.setdefault("context", _forgotten)
    emails.register_kind(f"b2b_{name}", templates=f"meetings/email/{name}", **options)


def _queue(registration, kind, **context):
    if kind not in KINDS:
        raise ValueError(kind)
    return emails.queue(registration, f"b2b_{kind}", **context)


def _person(registration):
    """The other party as a message names them; `pk` lets an erasure find them here."""
    return {
        "pk": registration.pk,
        "name": registration.full_name,
        "organisation": registration.organisation,
    }


def _when(registration, time):
    """The meeting's time, written in the recipient's language and the event's zone."""
    with translation.override(registration.language):
        start = timezone.localtime(time.starts_at, registration.edition.tz)
        end = timezone.localtime(time.ends_at, registration.edition.tz)
        return f"{date_format(start, 'l j F Y, H:i')}–{date_format(end, 'H:i')}"


def _table(registration, table):
    with translation.override(registration.language):
        return str(table)


def request_received(registration, *, request):
    """At once, unless the person asked for a daily digest (digest() then)."""
    from .models import Profile

    if Profile.objects.filter(registration=registration, wants_digest=True).exists():
        return
    _queue(
        registration,
        "request_received",
        other=_person(request.sender),
        message=request.message,
        request=str(request.public_id),
    )


def request_withdrawn(registration, *, request):
    _queue(registration, "request_withdrawn", other=_person(request.sender))


def request_declined(registration, *, request):
    _queue(
        registration,
        "request_declined",
        other=_person(request.recipient),
        note=request.decline_note,
    )


def request_expired(registration, *, request):
    _queue(registration, "request_expired", other=_person(request.recipient))


def request_to_place(registration, *, request):
    """Accepted with no common time left: the organisers will place the meeting (its time
    and table come later, in the usual « accepted » message)."""
    _queue(
        registration,
        "request_to_place",
        other=_person(request.other(registration)),
        by_me=registration.pk == request.recipient_id,
    )


def to_place_cancelled(registration, *, request, by):
    """An accepted request not placed yet is called off by the other party."""
    _queue(registration, "to_place_cancelled", other=_person(by))


def meeting_accepted(registration, *, meeting):
    other = meeting.request.other(registration)
    _queue(
        registration,
        "meeting_accepted",
        other=_person(other),
        when=_when(registration, meeting.time),
        table=_table(registration, meeting.table),
    )


def meeting_cancelled(registration, *, meeting, by, no_show=False):
    """`by`: the party who cancelled, or None when the team did (admin); `no_show`: the
    team did because the other party missed a meeting before."""
    other = meeting.request.other(registration)
    _queue(
        registration,
        "meeting_cancelled",
        other=_person(other),
        when=_when(registration, meeting.time),
        by_me=by is not None and by.pk == registration.pk,
        by_team=by is None,
        no_show=no_show,
    )


def _where(registration, meeting):
    return f"{_when(registration, meeting.time)}, {_table(registration, meeting.table)}"


def meetings_moved(registration, *, changes):
    """One message for all of a person's meetings the scheduling engine moved: `changes` is
    a list of (meeting before, meeting after)."""
    _queue(
        registration,
        "meetings_moved",
        changes=[
            {
                "other": _person(before.request.other(registration)),
                "before": _where(registration, before),
                "after": _where(registration, after),
            }
            for before, after in changes
        ],
    )


def profile_approved(registration):
    _queue(registration, "profile_approved")


def profile_rejected(registration, *, reason):
    _queue(registration, "profile_rejected", reason=reason)


def digest(registration, *, requests):
    """The requests received since the last digest, in one message with a link to answer."""
    _queue(
        registration,
        "digest",
        requests=[
            {"other": _person(r.sender), "message": r.message, "request": str(r.public_id)}
            for r in requests
        ],
    )
