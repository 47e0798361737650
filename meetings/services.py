"""Every write of B2B meetings: setup, profiles, requests, meetings.

Locks, always in this order so that concurrent writers queue instead of deadlocking:

    the people's registration rows, by ascending pk  →  the request  →  the meeting time

A person's rows serialise everything that fills their agenda (their session bookings lock
the same row, see registration.hooks); the time's row serialises the tables of that time.
Messages go to the outbox inside the same transactions (emails.py).
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.models import Registration

from . import emails
from .availability import common_free_times
from .models import (
    Meeting,
    MeetingRequest,
    MeetingSeat,
    MeetingTime,
    Profile,
    Programme,
    Table,
    pack_languages,
)
from .queries import time_label

# Test-only switch: the control run of the concurrency tests turns locks off and must then
# fail, which proves those tests really exercise concurrency.
LOCKING = True


class Refused(Exception):
    """What was asked cannot be done; ``message`` says why, for the person (translated)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class TimeTaken(Refused):
    """Someone took that time (or its last table) first: pick another time."""

    def __init__(self):
        super().__init__(_("Ce créneau vient d'être pris : choisissez-en un autre."))


CLOSED = _("Les demandes de rendez-vous ne sont pas ouvertes en ce moment.")
NOT_TAKING_PART = _("Vous ne participez pas (ou plus) aux rendez-vous B2B.")
NOT_APPROVED = _("Votre profil doit être validé par l'équipe avant de demander un rendez-vous.")
TO_ONESELF = _("Vous ne pouvez pas vous demander un rendez-vous à vous-même.")
UNREACHABLE = _("Cette personne ne reçoit pas de demande de rendez-vous.")
ALREADY = _("Une demande ou un rendez-vous existe déjà entre vous deux.")
TOO_MANY_PENDING = _(
    "Vous avez déjà %(count)s demandes en attente de réponse : attendez une réponse ou "
    "annulez-en une."
)
TOO_MANY_MEETINGS = _("Vous avez déjà %(count)s rendez-vous, le maximum.")
THEY_ARE_FULL = _("Cette personne a déjà le nombre maximal de rendez-vous.")
EMPTY_MESSAGE = _("Écrivez un message (600 caractères au plus).")
NOT_PENDING = _("Cette demande n'attend plus de réponse.")
NOT_FREE = _("Ce créneau n'est plus libre pour l'un de vous : choisissez-en un autre.")
NEVER_FREE = _(
    "Vous n'êtes jamais libres en même temps (jours de présence, sessions réservées) : ce "
    "rendez-vous ne pourrait pas être placé."
)
BLOCKED_MEETING = _(
    "Vous avez un rendez-vous à ce créneau (%(times)s) : annulez-le avant de le bloquer."
)
TIME_LEFT = _("Un horaire commun est encore libre : choisissez-le pour confirmer le rendez-vous.")
MESSAGE_MAX = 600


def _locked(queryset):
    return queryset.select_for_update(of=("self",), no_key=True) if LOCKING else queryset


def _lock_people(*registrations):
    """Lock these registrations' rows in ascending pk order; returns them by pk."""
    rows = _locked(Registration.objects.filter(pk__in=[r.pk for r in registrations]))
    return {r.pk: r for r in rows.order_by("pk")}


# --- setup (staff, in admin) ---------------------------------------------------------


def programme_save(*, programme):
    programme.full_clean()
    programme.save()
    return programme


def screen_key_issue(*, programme):
    """A new secret link for the programme's « next meetings » screen; the previous one
    stops working. Returns the token (shown once to staff, only its hash is kept)."""
    from .models import ScreenKey
    from .screen_models import _digest

    selector, verifier = ScreenKey.new_secret()
    ScreenKey.objects.update_or_create(
        programme=programme,
        defaults={"selector": selector, "verifier_hash": _digest(verifier)},
    )
    return f"{selector}-{verifier}"


def times_generate(*, programme):
    """The meeting times of each B2B session: length + changeover, as many as fit. Times
    no longer in the setup go, unless a meeting uses them (kept; staff move it first).
    Returns (created, removed)."""
    length = timedelta(minutes=programme.meeting_minutes)
    step = length + timedelta(minutes=programme.changeover_minutes)
    wanted = {}
    for session in programme.sessions.order_by("starts_at"):
        start = session.starts_at
        while start + length <= session.ends_at:
            wanted.setdefault(start, (start + length, session))
            start += step
    with transaction.atomic():
        removed = 0
        for time in programme.times.all():
            fits = wanted.get(time.starts_at, (None,))[0] == time.ends_at
            if not fits and not time.meetings.exists():
                time.delete()
                removed += 1
        current = set(programme.times.values_list("starts_at", flat=True))
        created = MeetingTime.objects.bulk_create(
            MeetingTime(programme=programme, session=session, starts_at=start, ends_at=end)
            for start, (end, session) in sorted(wanted.items(), key=lambda item: item[0])
            if start not in current
        )
    return len(created), removed


def table_save(*, table):
    table.full_clean()
    table.save()
    return table


def theme_save(*, theme):
    theme.full_clean()
    theme.save()
    return theme


# --- profiles ------------------------------------------------------------------------


def programme_of(registration):
    return Programme.objects.filter(edition_id=registration.edition_id).first()


def profile_save(*, registration, data, themes, blocked_times=None):
    """Take part, or change one's profile. A new, returning or corrected (after a refusal)
    profile waits for staff's approval when the programme asks for it. `blocked_times`:
    the meeting times the person keeps free (None: unchanged); one they already have a
    meeting at is refused, naming it."""
    programme = programme_of(registration)
    if programme is None or registration.is_cancelled:
        raise Refused(NOT_TAKING_PART)
    data = dict(data)
    if "languages" in data:
        data["languages"] = pack_languages(data["languages"])
    with transaction.atomic():
        _lock_people(registration)
        profile = Profile.objects.filter(registration=registration).first()
        if profile is None:
            profile = Profile(registration=registration)
        # New, back after leaving, or corrected after a refusal: (re)examined.
        if profile.pk is None or profile.status in (Profile.Status.LEFT, Profile.Status.REJECTED):
            profile.status = (
                Profile.Status.PENDING if programme.needs_approval else Profile.Status.APPROVED
            )
            profile.rejection_reason = ""
        for name, value in data.items():
            setattr(profile, name, value)
        if blocked_times is not None:
            taken = MeetingSeat.objects.filter(registration=registration, time__in=blocked_times)
            times = {seat.time for seat in taken.select_related("time")}
            if taken := sorted(times, key=lambda time: time.starts_at):
                labels = ", ".join(time_label(time) for time in taken)
                raise Refused(BLOCKED_MEETING % {"times": labels})
        profile.save()
        profile.themes.set(themes)
        if blocked_times is not None:
            profile.blocked_times.set(blocked_times)
        if profile.wants_digest:
            from .tasks import schedule_digests

            schedule_digests()
    return profile


def profile_approve(*, profile, now=None):
    with transaction.atomic():
        Profile.objects.filter(pk=profile.pk).update(
            status=Profile.Status.APPROVED,
            rejection_reason="",
            reviewed_at=now or timezone.now(),
            updated_at=timezone.now(),
        )
        emails.profile_approved(profile.registration)


def profile_reject(*, profile, reason, now=None):
    """Staff refuse a profile; the reason is sent to the person. Their open requests and
    meetings end as if they had left."""
    with transaction.atomic():
        _end_everything(profile.registration, now or timezone.now(), notify=True)
        Profile.objects.filter(pk=profile.pk).update(
            status=Profile.Status.REJECTED,
            rejection_reason=reason,
            reviewed_at=now or timezone.now(),
            updated_at=timezone.now(),
        )
        emails.profile_rejected(profile.registration, reason=reason)


def profile_leave(*, registration, now=None):
    """Stop taking part: pending requests are withdrawn, meetings cancelled, the other
    parties told."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_people(registration)
        _end_everything(registration, now, notify=True)
        Profile.objects.filter(registration=registration).update(
            status=Profile.Status.LEFT, updated_at=now
        )


def _end_everything(registration, now, *, notify):
    """Cancel a person's open requests and meetings (inside the caller's transaction)."""
    requests = MeetingRequest.objects.filter(status__in=MeetingRequest.OPEN).filter(
        _pair_of(registration)
    )
    for request in requests.select_related("sender", "recipient"):
        meeting = Meeting.objects.filter(request=request, status=Meeting.Status.SCHEDULED).first()
        if meeting is not None:
            _meeting_cancel(meeting, now)
        was_accepted = request.status == MeetingRequest.Status.ACCEPTED
        request.status = MeetingRequest.Status.CANCELLED
        request.answered_at = request.answered_at or now
        request.save(update_fields=["status", "answered_at"])
        if notify:
            other = request.other(registration)
            if meeting is not None:
                emails.meeting_cancelled(other, meeting=meeting, by=registration)
            elif was_accepted:  # accepted « à placer », not placed yet
                emails.to_place_cancelled(other, request=request, by=registration)
            elif request.recipient_id == other.pk:
                emails.request_withdrawn(other, request=request)


def _pair_of(registration):
    return Q(sender=registration) | Q(recipient=registration)


def on_registration_cancelled(*, registration, now, notify):
    """registration's cancel hook: leaving the event leaves B2B too. The other parties are
    told even when the person is not (an erasure): their meeting is off."""
    _end_everything(registration, now, notify=True)
    Profile.objects.filter(registration=registration).update(
        status=Profile.Status.LEFT, updated_at=now
    )


# --- requests ------------------------------------------------------------------------


def _count_pending(registration):
    return MeetingRequest.objects.filter(
        sender=registration, status=MeetingRequest.Status.PENDING
    ).count()


def _count_meetings(registration):
    """Meetings placed, and those accepted for the organisers to place (they count against
    the caps as much). A meeting either party reported as not held took nothing from the
    person's day: it frees its place under the cap for another."""
    placed = MeetingSeat.objects.filter(
        registration=registration, meeting__not_held_at__isnull=True
    ).count()
    to_place = (
        MeetingRequest.objects.filter(_pair_of(registration))
        .filter(status=MeetingRequest.Status.ACCEPTED, meeting__isnull=True)
        .count()
    )
    return placed + to_place


def request_create(*, sender, recipient, message, now=None):
    """Ask someone for a meeting. Raises Refused with the reason."""
    now = now or timezone.now()
    message = (message or "").strip()
    if not message or len(message) > MESSAGE_MAX:
        raise Refused(EMPTY_MESSAGE)
    if sender.pk == recipient.pk:
        raise Refused(TO_ONESELF)
    programme = programme_of(sender)
    if programme is None or not programme.is_open(now):
        raise Refused(CLOSED)
    with transaction.atomic():
        people = _lock_people(sender, recipient)
        sender, recipient = people[sender.pk], people[recipient.pk]
        profiles = {
            p.registration_id: p
            for p in Profile.objects.filter(registration__in=[sender.pk, recipient.pk])
        }
        mine = profiles.get(sender.pk)
        if sender.is_cancelled or mine is None or mine.status == Profile.Status.LEFT:
            raise Refused(NOT_TAKING_PART)
        if mine.status != Profile.Status.APPROVED:
            raise Refused(NOT_APPROVED)
        theirs = profiles.get(recipient.pk)
        if (
            recipient.is_cancelled
            or recipient.edition_id != sender.edition_id
            or theirs is None
            or theirs.status != Profile.Status.APPROVED
            or not theirs.is_listed
        ):
            raise Refused(UNREACHABLE)
        low, high = sorted((sender.pk, recipient.pk))
        if MeetingRequest.objects.filter(
            low=low, high=high, status__in=MeetingRequest.OPEN
        ).exists():
            raise Refused(ALREADY)
        if _count_pending(sender) >= programme.max_pending:
            raise Refused(TOO_MANY_PENDING % {"count": programme.max_pending})
        if _count_meetings(sender) >= programme.max_meetings:
            raise Refused(TOO_MANY_MEETINGS % {"count": programme.max_meetings})
        if _count_meetings(recipient) >= programme.max_meetings:
            raise Refused(THEY_ARE_FULL)
        request = MeetingRequest.objects.create(
            programme=programme,
            sender=sender,
            recipient=recipient,
            low=low,
            high=high,
            message=message,
            expires_at=programme.expiry(now),
        )
        emails.request_received(recipient, request=request)
        from .tasks import expire_requests

        expire_requests.using(run_after=request.expires_at).enqueue()
    return request


def _lock_request(request, registration, *, side):
    """The request locked again, pending, answered by the right person."""
    request = (
        _locked(MeetingRequest.objects.filter(pk=request.pk)).select_related("programme").get()
    )
    if getattr(request, f"{side}_id") != registration.pk:
        raise Refused(NOT_PENDING)
    return request


def _answering(request, registration, now):
    """The pair and the request locked (in that order), the request still waiting for
    this recipient, the window open, both still taking part, neither at their cap:
    (people, request, programme); Refused otherwise."""
    people = _lock_people(request.sender, request.recipient)
    request = _lock_request(request, registration, side="recipient")
    programme = request.programme
    if request.status != MeetingRequest.Status.PENDING or request.expires_at <= now:
        raise Refused(NOT_PENDING)
    if not programme.is_open(now) and now >= programme.closes_at:
        raise Refused(CLOSED)
    if any(p.is_cancelled for p in people.values()):
        raise Refused(UNREACHABLE)
    _check_caps(programme, people, registration)
    return people, request, programme


def request_accept(*, request, registration, time, now=None):
    """The recipient accepts at a time when both are free; the meeting goes to a free table
    of that time (the table of a partner's stand when one of them holds it). Raises
    TimeTaken when that time is no longer possible, Refused otherwise."""
    now = now or timezone.now()
    with transaction.atomic():
        people, request, programme = _answering(request, registration, now)
        # Whether both are free; the tables are counted below, under the time's lock.
        free = common_free_times(programme, list(people), now=now, with_full=True)
        free = {t.pk for t in free}
        if time.pk not in free or time.programme_id != programme.pk:
            raise Refused(NOT_FREE)
        # The time's row: acceptances for the same time queue here, so each one counts the
        # tables after the previous one placed its meeting.
        time = _locked(MeetingTime.objects.filter(pk=time.pk)).get()
        table = _free_table(programme, time, people)
        if table is None:
            raise TimeTaken
        meeting = Meeting.objects.create(request=request, time=time, table=table)
        MeetingSeat.objects.bulk_create(
            MeetingSeat(meeting=meeting, registration_id=pk, time=time) for pk in sorted(people)
        )
        request.status = MeetingRequest.Status.ACCEPTED
        request.answered_at = now
        request.save(update_fields=["status", "answered_at"])
        for person in people.values():
            emails.meeting_accepted(person, meeting=meeting)
    return meeting


def placeable(programme, registration_ids, *, now=None):
    """Whether the scheduling engine could ever place their meeting: a time still to come
    when both attend and have no session (tables and their other meetings may change)."""
    return bool(
        common_free_times(programme, registration_ids, now=now, with_full=True, with_meetings=False)
    )


def request_accept_to_place(*, request, registration, now=None):
    """The recipient accepts although no common time with a free table is left: the request
    is accepted without a meeting, both are told that the organisers will place it (the
    scheduling engine does), and it counts against both caps. Refused while a common time
    is still free (choose it), and for the reasons request_accept refuses."""
    now = now or timezone.now()
    with transaction.atomic():
        people, request, programme = _answering(request, registration, now)
        if common_free_times(programme, list(people), now=now):
            raise Refused(TIME_LEFT)
        if not placeable(programme, list(people), now=now):
            raise Refused(NEVER_FREE)
        request.status = MeetingRequest.Status.ACCEPTED
        request.answered_at = now
        request.save(update_fields=["status", "answered_at"])
        for person in people.values():
            emails.request_to_place(person, request=request)
    return request


def request_cancel_to_place(*, request, registration, now=None):
    """Either party calls off a request accepted « à placer » before the organisers place
    it; the other is told, and both caps are freed."""
    now = now or timezone.now()
    if registration.pk not in (request.sender_id, request.recipient_id):
        raise Refused(NOT_PENDING)
    with transaction.atomic():
        people = _lock_people(request.sender, request.recipient)
        request = _locked(MeetingRequest.objects.filter(pk=request.pk)).get()
        placed = Meeting.objects.filter(request=request, status=Meeting.Status.SCHEDULED)
        if request.status != MeetingRequest.Status.ACCEPTED or placed.exists():
            raise Refused(NOT_PENDING)
        request.status = MeetingRequest.Status.CANCELLED
        request.save(update_fields=["status"])
        other = people[
            request.recipient_id if registration.pk == request.sender_id else request.sender_id
        ]
        emails.to_place_cancelled(other, request=request, by=people[registration.pk])
    return request


def _check_caps(programme, people, registration):
    for person in people.values():
        if _count_meetings(person) >= programme.max_meetings:
            raise Refused(
                THEY_ARE_FULL
                if person.pk != registration.pk
                else (TOO_MANY_MEETINGS % {"count": programme.max_meetings})
            )


def _free_table(programme, time, people):
    taken = set(
        Meeting.objects.filter(time=time, status=Meeting.Status.SCHEDULED).values_list(
            "table", flat=True
        )
    )
    tables = Table.objects.filter(programme=programme).order_by("number")
    stands = [t for t in tables if t.host_id in people]
    candidates = stands[:1] or [t for t in tables if t.host_id is None]
    return next((t for t in candidates if t.pk not in taken), None)


def request_decline(*, request, registration, note="", now=None):
    now = now or timezone.now()
    with transaction.atomic():
        request = _lock_request(request, registration, side="recipient")
        if request.status != MeetingRequest.Status.PENDING:
            raise Refused(NOT_PENDING)
        request.status = MeetingRequest.Status.DECLINED
        request.decline_note = (note or "").strip()[:200]
        request.answered_at = now
        request.save(update_fields=["status", "decline_note", "answered_at"])
        emails.request_declined(request.sender, request=request)
    return request


def request_withdraw(*, request, registration, now=None):
    """The sender takes back a request not answered yet."""
    now = now or timezone.now()
    with transaction.atomic():
        request = _lock_request(request, registration, side="sender")
        if request.status != MeetingRequest.Status.PENDING:
            raise Refused(NOT_PENDING)
        request.status = MeetingRequest.Status.CANCELLED
        request.answered_at = now
        request.save(update_fields=["status", "answered_at"])
        emails.request_withdrawn(request.recipient, request=request)
    return request


def requests_expire(*, now=None):
    """Pending requests past their expiry end; their senders are told. Returns how many."""
    now = now or timezone.now()
    expired = 0
    with transaction.atomic():
        due = _locked(
            MeetingRequest.objects.filter(
                status=MeetingRequest.Status.PENDING, expires_at__lte=now
            ).select_related("sender", "recipient")
        ).order_by("pk")
        for request in due:
            request.status = MeetingRequest.Status.EXPIRED
            request.answered_at = now
            request.save(update_fields=["status", "answered_at"])
            emails.request_expired(request.sender, request=request)
            expired += 1
    return expired


# --- meetings ------------------------------------------------------------------------


def _meeting_cancel(meeting, now):
    meeting.seats.all().delete()
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_at = now
    meeting.sequence += 1  # calendars replace the event with its cancelled version
    meeting.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])


def meeting_cancel(*, meeting, registration, now=None):
    """Either party cancels; the other is told. The pair may ask again afterwards."""
    request = meeting.request
    if registration.pk not in (request.sender_id, request.recipient_id):
        raise Refused(NOT_PENDING)
    return _meeting_cancel_told(meeting, now or timezone.now(), by=registration)


def meetings_lock(*, meetings, locked):
    """Staff lock scheduled meetings in place (the scheduling engine never moves a locked
    meeting: a VIP's, one printed in a brochure) or unlock them. Returns how many changed."""
    return (
        Meeting.objects.filter(pk__in=meetings.values("pk"), status=Meeting.Status.SCHEDULED)
        .exclude(is_locked=locked)
        .update(is_locked=locked)
    )


def meeting_cancel_by_staff(*, meeting, now=None):
    """Staff cancel a meeting (admin); both people are told it was the team."""
    return _meeting_cancel_told(meeting, now or timezone.now(), by=None)


def _meeting_cancel_told(meeting, now, *, by):
    request = meeting.request
    with transaction.atomic():
        _lock_people(request.sender, request.recipient)
        meeting = _locked(Meeting.objects.filter(pk=meeting.pk)).select_related("time").get()
        if meeting.status != Meeting.Status.SCHEDULED:
            return meeting
        _meeting_cancel(meeting, now)
        MeetingRequest.objects.filter(pk=request.pk).update(status=MeetingRequest.Status.CANCELLED)
        people = (request.sender, request.recipient)
        if by is not None:  # the other first
            people = sorted(people, key=lambda person: person.pk == by.pk)
        for person in people:
            emails.meeting_cancelled(person, meeting=meeting, by=by)
    return meeting


NOT_ENDED = _(
    "Ce rendez-vous n'est pas terminé : vous pourrez signaler qu'il n'a pas eu lieu après "
    "sa fin, à %(end)s."
)
EVENT_OVER = _("Les Rencontres sont terminées : ce signalement ne peut plus être modifié.")
NOT_YOURS = _("Seule la personne qui a fait ce signalement peut le retirer.")


def _meeting_of_party(meeting, registration):
    """The meeting locked, with its time and edition; Refused unless the person is one of
    its two parties and it is scheduled."""
    request = meeting.request
    if registration.pk not in (request.sender_id, request.recipient_id):
        raise Refused(NOT_PENDING)
    meeting = (
        _locked(Meeting.objects.filter(pk=meeting.pk))
        .select_related("time", "request__programme__edition")
        .get()
    )
    if meeting.status != Meeting.Status.SCHEDULED:
        raise Refused(NOT_PENDING)
    return meeting


def meeting_report_not_held(*, meeting, registration, now=None):
    """Either party says the meeting did not take place: possible once it has ended, until
    the end of the event. Twice is once (the first report stays)."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _meeting_of_party(meeting, registration)
        if now < meeting.time.ends_at:
            end = timezone.localtime(meeting.time.ends_at)
            raise Refused(NOT_ENDED % {"end": end.strftime("%H:%M")})
        if now > meeting.request.programme.edition.ends_at:
            raise Refused(EVENT_OVER)
        if meeting.not_held_at is None:
            meeting.not_held_at = now
            meeting.not_held_by = registration
            meeting.save(update_fields=["not_held_at", "not_held_by", "updated_at"])
    return meeting


def meeting_report_undo(*, meeting, registration, now=None):
    """The person who reported the meeting as not held takes it back (a mistake), until the
    end of the event."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _meeting_of_party(meeting, registration)
        if now > meeting.request.programme.edition.ends_at:
            raise Refused(EVENT_OVER)
        if meeting.not_held_at is None:
            return meeting
        if meeting.not_held_by_id != registration.pk:
            raise Refused(NOT_YOURS)
        meeting.not_held_at = None
        meeting.not_held_by = None
        meeting.save(update_fields=["not_held_at", "not_held_by", "updated_at"])
    return meeting


def meetings_cancel_upcoming(*, registration, now=None):
    """Staff cancel the meetings still to come of someone reported absent (a « no-show »):
    each other party is told the team cancelled it, and the pair may ask again. Returns
    how many were cancelled."""
    now = now or timezone.now()
    upcoming = Meeting.objects.filter(
        seats__registration=registration,
        status=Meeting.Status.SCHEDULED,
        time__starts_at__gt=now,
    )
    with transaction.atomic():
        # Everyone at those meetings (the seats of the meetings, not the seats filtered on
        # the absent person above), locked in order before their seats go.
        others = MeetingSeat.objects.filter(meeting__in=upcoming).values_list(
            "registration", flat=True
        )
        _lock_people(*Registration.objects.filter(pk__in=[registration.pk, *others]))
        meetings = _locked(upcoming).select_related(
            "time", "request__sender__edition", "request__recipient__edition"
        )
        count = 0
        for meeting in meetings.order_by("pk"):
            _meeting_cancel(meeting, now)
            request = meeting.request
            MeetingRequest.objects.filter(pk=request.pk).update(
                status=MeetingRequest.Status.CANCELLED
            )
            emails.meeting_cancelled(
                request.other(registration), meeting=meeting, by=None, no_show=True
            )
            count += 1
    return count


def request_withdraw_by_staff(*, request, now=None):
    """Staff take back a request still waiting (admin): as if its sender had; the
    recipient is told. Returns False when it no longer waited."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_people(request.sender, request.recipient)
        request = _locked(MeetingRequest.objects.filter(pk=request.pk)).get()
        if request.status != MeetingRequest.Status.PENDING:
            return False
        request.status = MeetingRequest.Status.CANCELLED
        request.answered_at = now
        request.save(update_fields=["status", "answered_at"])
        emails.request_withdrawn(request.recipient, request=request)
    return True


def profile_hide(*, profile, now=None):
    """Staff take a profile out of the directory (admin): nobody can ask them any more;
    what is already agreed stays. The person may list it again from their page."""
    Profile.objects.filter(pk=profile.pk).update(is_listed=False, updated_at=now or timezone.now())


def theme_delete(*, theme):
    theme.delete()  # its profiles simply lose it


def table_delete(*, table):
    if table.meetings.exists():
        raise Refused(_("Des rendez-vous ont lieu à cette table : déplacez-les d'abord."))
    table.delete()


def digests_send(*, now=None):
    """One message per person who prefers a daily digest and received requests (still
    waiting) since their last one. Returns how many were queued."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        profiles = _locked(
            Profile.objects.filter(wants_digest=True).exclude(status=Profile.Status.LEFT)
        ).select_related("registration__edition")
        for profile in profiles.order_by("pk"):
            requests = MeetingRequest.objects.filter(
                recipient=profile.registration, status=MeetingRequest.Status.PENDING
            ).select_related("sender")
            if profile.digest_sent_at:
                requests = requests.filter(created_at__gt=profile.digest_sent_at)
            requests = list(requests.order_by("created_at", "pk"))
            if requests:
                emails.digest(profile.registration, requests=requests)
                sent += 1
            Profile.objects.filter(pk=profile.pk).update(digest_sent_at=now)
    return sent
