"""Writes of the programme that move time: a slot carries its sessions along.

What these moves do to people's bookings (and the messages they get) is registration's
business: registration/programme.py wraps these functions and is what the admin calls.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Session, Slot


@dataclass(frozen=True)
class Before:
    """Where and when a session was before an edit."""

    session_id: int
    starts_at: datetime
    ends_at: datetime
    room: str

    @classmethod
    def of(cls, session):
        return cls(session.pk, session.starts_at, session.ends_at, _room_name(session))

    def differs(self, session):
        return (self.starts_at, self.ends_at, self.room) != (
            session.starts_at,
            session.ends_at,
            _room_name(session),
        )


def _room_name(session):
    return session.room.name if session.room_id else ""


def slot_sessions_after(slot, old_starts_at):
    """The slot's sessions as they will be once the slot moves from `old_starts_at` to its
    new times (unsaved): those that follow it take its times, those with their own times
    keep their place in it. Raises ValidationError when one no longer fits in the slot or
    meets another session in its room."""
    delta = slot.starts_at - old_starts_at
    sessions = list(slot.sessions.select_related("room").order_by("pk"))
    moved_ids = {s.pk for s in sessions}
    errors = []
    for session in sessions:
        session.slot = slot
        if session.own_times:
            session.starts_at += delta
            session.ends_at += delta
        session.follow_slot()
        if session.starts_at < slot.starts_at or session.ends_at > slot.ends_at:
            errors.append(
                _("« %(session)s » ne tient plus dans le créneau.") % {"session": session.title}
            )
        elif session.room_id:
            clash = (
                Session.objects.filter(
                    room_id=session.room_id,
                    starts_at__lt=session.ends_at,
                    ends_at__gt=session.starts_at,
                )
                .exclude(pk__in=moved_ids)
                .first()
            )
            if clash:
                errors.append(
                    _("La salle %(room)s est déjà occupée à ce moment par « %(other)s ».")
                    % {"room": session.room, "other": clash.title}
                )
    if errors:
        raise ValidationError(errors)
    return sessions


def slot_save(*, slot):
    """Save a slot (new or edited). When its times change, its sessions move with it (see
    slot_sessions_after). Returns what the moved sessions were before (Before), for the
    people who booked them."""
    with transaction.atomic():
        old = Slot.objects.select_for_update().filter(pk=slot.pk).first() if slot.pk else None
        if old is None or (old.starts_at, old.ends_at) == (slot.starts_at, slot.ends_at):
            slot.save()
            return []
        sessions = slot_sessions_after(slot, old.starts_at)
        locked = {
            s.pk: s
            for s in Session.objects.select_for_update(of=("self",), no_key=True)
            .select_related("room")
            .filter(pk__in=[s.pk for s in sessions])
            .order_by("pk")
        }
        slot.save()
        before = []
        for session in sessions:
            previous = locked[session.pk]
            if Before.of(previous).differs(session):
                before.append(Before.of(previous))
            session.save(update_fields=["starts_at", "ends_at", "sequence", "updated_at"])
        return before
