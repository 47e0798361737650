"""Writes to the programme that do more than save a form: a slot carries its sessions
along when it moves, uploaded images are made safe before they are stored, and next year's
edition is copied from this one.

What moves do to people's bookings (and the messages they get) is registration's business:
registration/programme.py wraps slot_save and is what the admin calls.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from . import uploads
from .models import AccessOption, Edition, Partner, Session, Slot, Speaker


@dataclass(frozen=True)
class Before:
    """Where and when a session was before an edit. The room by id: its name depends on
    the language it is read in (the staff member's, then the recipient's)."""

    session_id: int
    starts_at: datetime
    ends_at: datetime
    room_id: int | None

    @classmethod
    def of(cls, session):
        return cls(session.pk, session.starts_at, session.ends_at, session.room_id)

    def differs(self, session):
        return (self.starts_at, self.ends_at, self.room_id) != (
            session.starts_at,
            session.ends_at,
            session.room_id,
        )


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
        # NO KEY UPDATE: the slot's times change, never its key, so a booking referencing
        # it still commits (PostgreSQL's deferred foreign-key check takes KEY SHARE on it)
        # while a sign-up holding one of its sessions waits for nothing here.
        old = (
            Slot.objects.select_for_update(no_key=True).filter(pk=slot.pk).first()
            if slot.pk
            else None
        )
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


def _store_image(field_file, upload, *, box, keep_transparency):
    """Replace the file of ``field_file`` with the normalised ``upload`` (not saved yet)."""
    if isinstance(upload, UploadedFile):
        content = uploads.normalised_image(upload, box=box, keep_transparency=keep_transparency)
        field_file.save(content.name, content, save=False)


def speaker_save(*, speaker: Speaker, photo=None) -> Speaker:
    """Save a speaker; ``photo``, a new upload, is reduced and re-encoded first."""
    _store_image(speaker.photo, photo, box=uploads.PHOTO_BOX, keep_transparency=False)
    speaker.save()
    return speaker


def partner_save(*, partner: Partner, logo=None) -> Partner:
    """Save a partner; ``logo``, a new upload, is reduced and re-encoded first."""
    _store_image(partner.logo, logo, box=uploads.LOGO_BOX, keep_transparency=True)
    partner.save()
    return partner


class EditionExists(Exception):
    pass


def _copy(instance, **changes):
    """An unsaved copy of ``instance`` with ``changes`` (translated fields included)."""
    concrete = instance._meta.concrete_fields
    names = {f.attname for f in concrete}
    fields = {}
    for f in concrete:
        # With modeltranslation, « title » stands for title_fr/title_en: copy those only.
        if f.primary_key or f"{f.attname}_fr" in names:
            continue
        value = getattr(instance, f.attname)
        fields[f.attname] = value.name if isinstance(value, FieldFile) else value
    fields.update(changes)
    return type(instance)(**fields)


def _shifted(moment: datetime, days: int, tz) -> datetime:
    """The same wall-clock time ``days`` later in the edition's time zone (a copy across a
    daylight-saving change keeps 14:00 at 14:00)."""
    local = timezone.localtime(moment, tz)
    return (local.replace(tzinfo=None) + timedelta(days=days)).replace(tzinfo=tz)


def edition_copy(*, edition: Edition, number: int, start_date: date) -> Edition:
    """Next year's edition, prepared from ``edition``: its venue (with access and rooms,
    copied so the archive keeps its own), partners, slots and sessions moved to the new
    dates at the same times, every session marked provisional; registration dates moved by
    the same number of days. Registrations stay with the old edition; the new one is not
    current until staff make it so."""
    if Edition.objects.filter(number=number).exists():
        raise EditionExists(number)
    days = (start_date - edition.start_date).days
    tz = edition.tz
    with transaction.atomic():
        venue = _copy(edition.venue)
        venue.save()
        AccessOption.objects.bulk_create(
            _copy(option, venue_id=venue.pk) for option in edition.venue.access_options.all()
        )
        rooms = {}
        for room in edition.venue.rooms.all():
            rooms[room.pk] = _copy(room, venue_id=venue.pk)
            rooms[room.pk].save()

        new = _copy(
            edition,
            number=number,
            is_current=False,
            venue_id=venue.pk,
            start_date=edition.start_date + timedelta(days=days),
            end_date=edition.end_date + timedelta(days=days),
            lunch_day=edition.lunch_day and edition.lunch_day + timedelta(days=days),
            registration_opens_at=_shifted(edition.registration_opens_at, days, tz),
            registration_closes_at=_shifted(edition.registration_closes_at, days, tz),
            programme_pdf="",
        )
        new.save()
        Partner.objects.bulk_create(
            _copy(partner, edition_id=new.pk) for partner in edition.partners.all()
        )
        for slot in edition.slots.prefetch_related("sessions__speakers"):
            new_slot = _copy(
                slot,
                edition_id=new.pk,
                starts_at=_shifted(slot.starts_at, days, tz),
                ends_at=_shifted(slot.ends_at, days, tz),
            )
            new_slot.save()
            for session in slot.sessions.all():
                new_session = _copy(
                    session,
                    slot_id=new_slot.pk,
                    room_id=rooms[session.room_id].pk if session.room_id else None,
                    starts_at=_shifted(session.starts_at, days, tz),
                    ends_at=_shifted(session.ends_at, days, tz),
                    is_provisional=True,
                    sequence=0,
                )
                # A new session: its own public code and calendar UID.
                for name in ("code", "guid"):
                    setattr(new_session, name, Session._meta.get_field(name).get_default())
                new_session.save(force_insert=True)
                new_session.speakers.set(session.speakers.all())
    return new
