"""Every write of the registration app: sign-up, changes, cancellation, waiting lists.

Seats are counted only under locks, always taken in the same order so that concurrent
requests queue instead of deadlocking:

    edition row  →  the registration's row  →  session rows, by ascending pk

Emails are written to the outbox inside the same transactions (see emails.py).
"""

import functools
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.models import Edition, Room, Session, SessionType, Slot
from rencontres.sql import Table as SqlTable
from rencontres.sql import instance

from . import badges, emails, hooks
from .models import DETAILS, AttendanceDay, Booking, Registration, same_address

# Test-only switch: the control run of the concurrency tests turns locks off and must then
# oversell, which proves those tests really exercise concurrency.
LOCKING = True


class RegistrationClosed(Exception):
    """The calendar does not allow this now (registration not open yet or closed, event
    over)."""


# The calendar rules, in one place: what may be done in each state of the edition
# (Edition.registration_state: before the opening, open, closed, event over). Views ask
# `allows()` to show or hide a button; the services enforce it, whatever the door.
State = Edition.RegistrationState
CALENDAR = {
    # Signing up, changing one's details, days and sessions: while registration is open.
    "sign_up": {State.OPEN},
    "change": {State.OPEN},
    # Staff registering someone by hand (a speaker, a late guest), or changing their days
    # and sessions (a phone call): until the event ends.
    "staff_sign_up": {State.NOT_OPEN, State.OPEN, State.CLOSED},
    "staff_change": {State.NOT_OPEN, State.OPEN, State.CLOSED},
    # Cancelling: until the event ends (the seat may still help someone on day 2); once
    # it is over there is nothing left to give up, and nobody to promote.
    "cancel": {State.NOT_OPEN, State.OPEN, State.CLOSED},
}


def allows(edition, action, now=None):
    return edition.registration_state(now) in CALENDAR[action]


def _require(edition, action, now):
    if not allows(edition, action, now):
        raise RegistrationClosed(action)


class DuplicateRegistration(Exception):
    """This address already has a live registration for the edition."""

    def __init__(self, registration):
        super().__init__(registration.pk)
        self.registration = registration


class AlreadySubmitted(Exception):
    """The same form was posted again (double click, reload): nothing more to do."""


class InvalidBooking(ValueError):
    pass


@dataclass
class Changes:
    """What a write did to seats, for the messages that follow it."""

    promoted_bookings: list = field(default_factory=list)
    promoted_registrations: list = field(default_factory=list)


def _locked(queryset):
    # FOR NO KEY UPDATE: excludes other writers of these rows, yet lets other transactions
    # check foreign keys to them (PostgreSQL does that at COMMIT, Django's constraints being
    # deferred), so a booking or a link added elsewhere never waits on these locks.
    return queryset.select_for_update(of=("self",), no_key=True) if LOCKING else queryset


EDITION_LOCK_STATEMENT = "SELECT {E}.{E.capacity} FROM {E} WHERE {E}.{E.id} = %s"


@functools.cache
def _edition_lock_sql(vendor, locking):
    """The statement the ORM writes for `_locked(Edition.objects.filter(pk=…))
    .values_list("capacity")`, once per engine: every sign-up and cancellation runs it."""
    sql = EDITION_LOCK_STATEMENT.format(E=SqlTable(Edition))
    return sql + _for_update(SqlTable(Edition)) if locking else sql


def _for_update(table):
    """FOR NO KEY UPDATE OF `table` only (see _locked), as this engine writes it."""
    features = connection.features
    if not features.has_select_for_update:
        return ""
    return " " + connection.ops.for_update_sql(
        of=(format(table),) if features.has_select_for_update_of else (),
        no_key=features.has_select_for_no_key_update,
    )


def _lock_edition(edition):
    """Lock the edition row; returns its current capacity."""
    with connection.cursor() as cursor:
        cursor.execute(_edition_lock_sql(connection.vendor, LOCKING), [edition.pk])
        row = cursor.fetchone()
    if row is None:
        raise Edition.DoesNotExist(edition.pk)
    return row[0]


# The locking read of sessions (a narrow row is quicker to fetch and lock): SESSION_FIELDS,
# then what the seat rules need of their slot, type and room (their edition, whether
# bookable, the room's capacity); what the ORM writes for `.select_related("room", "type",
# "slot").only(…)`, `_locked()` and ordered by pk. {S.slot} is a quoted column.
SESSIONS_STATEMENT = """
    SELECT {S}.{S.id}, {S}.{S.slot}, {S}.{S.type}, {S}.{S.room}, {S}.{S.starts_at},
        {S}.{S.ends_at}, {S}.{S.capacity}, {S}.{S.is_published},
        {T}.{T.edition}, {K}.{K.is_bookable}, {R}.{R.capacity}
    FROM {S} INNER JOIN {T} ON {S}.{S.slot} = {T}.{T.id}
    INNER JOIN {K} ON {S}.{S.type} = {K}.{K.id}
    LEFT OUTER JOIN {R} ON {S}.{S.room} = {R}.{R.id}
    WHERE {S}.{S.id} IN ({ids}) ORDER BY {S}.{S.id} ASC"""


@functools.cache
def _sessions_sql(count, vendor, locking):
    """SESSIONS_STATEMENT for `count` sessions, written once per engine and number of
    sessions: building it with the ORM at every sign-up cost more than running it."""
    sql = SESSIONS_STATEMENT.format(
        S=SqlTable(Session),
        T=SqlTable(Slot),
        K=SqlTable(SessionType),
        R=SqlTable(Room),
        ids=", ".join(["%s"] * count),
    )
    return sql + _for_update(SqlTable(Session)) if locking else sql


# The columns of Session that SESSIONS_STATEMENT reads first, in its order: what the seat
# rules and the other apps' booking checks (hooks: the B2B meetings' times) read of them.
SESSION_FIELDS = tuple(
    Session._meta.get_field(name)
    for name in ("id", "slot", "type", "room", "starts_at", "ends_at", "capacity", "is_published")
)


def _read_sessions(session_ids):
    """The sessions as the seat rules read them (the other fields deferred). Made from the
    rows (rencontres.sql.instance): a RawQuerySet cost 0.7 ms a sign-up, the rows 0.1."""
    sql = _sessions_sql(len(session_ids), connection.vendor, LOCKING)
    with connection.cursor() as cursor:
        cursor.execute(sql, session_ids)
        rows = cursor.fetchall()
    sessions = []
    for *columns, edition_id, is_bookable, room_capacity in rows:
        session = instance(Session, SESSION_FIELDS, columns)
        # What select_related() would have put there, for the seat rules only (from_db:
        # modeltranslation makes Slot(pk=…) and the like cost 60–90 µs each, 15 this way).
        session.slot = instance(Slot, _PK_AND[Slot], [session.slot_id, edition_id])
        session.type = instance(SessionType, _PK_AND[SessionType], [session.type_id, is_bookable])
        if session.room_id is not None:
            session.room = instance(Room, _PK_AND[Room], [session.room_id, room_capacity])
        sessions.append(session)
    return sessions


# The pk and the one column the seat rules read of a session's slot, type and room.
_PK_AND = {
    model: (model._meta.pk, model._meta.get_field(name))
    for model, name in ((Slot, "edition"), (SessionType, "is_bookable"), (Room, "capacity"))
}


def _lock_sessions(session_ids):
    """The sessions, locked one by one in ascending pk order (the fixed order)."""
    session_ids = sorted(set(session_ids))
    if not session_ids:
        return []
    sessions = _read_sessions(session_ids)
    if LOCKING and len(sessions) < len(session_ids):
        # A session moved (slot, room) while we waited for its lock drops out of this
        # locking join: PostgreSQL re-checks the join against the rows read before the
        # wait. Read again, now with a fresh view; a missing pk is then really missing.
        sessions = _read_sessions(session_ids)
    return sessions


def _has_seat(session):
    capacity = session.effective_capacity
    if capacity is None:
        return True
    return Booking.objects.filter(session=session, status=Booking.Status.CONFIRMED).count() < (
        capacity
    )


def check_bookings(*, edition, days, sessions, now, kept=()):
    """The rules the form also checks, enforced again where the seats are taken. A session
    that has already begun cannot be booked (`kept`: pks of sessions already booked)."""
    slots = set()
    for session in sessions:
        if session.starts_at <= now and session.pk not in kept:
            raise InvalidBooking(session.pk)
        if session.slot.edition_id != edition.pk or not session.is_published:
            raise InvalidBooking(session.pk)
        if not session.type.is_bookable:
            raise InvalidBooking(session.pk)
        if timezone.localdate(session.starts_at) not in days:
            raise InvalidBooking(session.pk)
        if session.slot_id in slots:
            raise InvalidBooking(session.pk)
        slots.add(session.slot_id)


# One booking of a (locked) session: a seat if the registration is confirmed and the
# session has one left (its confirmed bookings counted and its capacity — its own, or its
# room's — read by the statement, so after the locks were taken: a room made smaller while
# this sign-up waited for them counts), the waiting list otherwise. {B.status} is a quoted
# column.
BOOKING_ROW = """(%s, %s, %s,
    CASE WHEN {seat} THEN %s ELSE %s END,
    %s, CASE WHEN {seat} THEN %s END, %s)"""
BOOKING_STATEMENT = """INSERT INTO {B} ({B.registration}, {B.session}, {B.slot}, {B.status},
    {B.created_at}, {B.confirmed_at}, {B.overlap_accepted}) VALUES {rows}"""
CAPACITY = """(SELECT COALESCE(s.{S.capacity}, r.{R.capacity}) FROM {S} s
    LEFT JOIN {R} r ON r.{R.id} = s.{S.room} WHERE s.{S.id} = %s)"""
SEAT = """(%s AND ({capacity} IS NULL OR
    (SELECT COUNT(*) FROM {B} WHERE {B}.{B.session} = %s AND {B}.{B.status} = '{confirmed}')
    < {capacity}))"""


@functools.cache
def _booking_sql(count, vendor):
    """The INSERT of `count` bookings (BOOKING_ROW), once per engine and number."""
    B = SqlTable(Booking)
    capacity = CAPACITY.format(S=SqlTable(Session), R=SqlTable(Room))
    seat = SEAT.format(B=B, confirmed=Booking.Status.CONFIRMED.value, capacity=capacity)
    return BOOKING_STATEMENT.format(B=B, rows=", ".join([BOOKING_ROW.format(seat=seat)] * count))


def _book(registration, sessions, now):
    """Book these (locked) sessions, one per slot: a seat where there is one, the waiting
    list otherwise. One statement whatever the number of sessions."""
    if not sessions:
        return
    confirmed = registration.status == Registration.Status.CONFIRMED
    ops = connection.ops
    created, confirmed_at = (
        ops.adapt_datetimefield_value(timezone.now()),
        ops.adapt_datetimefield_value(now),
    )
    seats, waiting = Booking.Status.CONFIRMED.value, Booking.Status.WAITLISTED.value
    params = []
    for session in sessions:
        seat = [confirmed, session.pk, session.pk, session.pk]
        params += [registration.pk, session.pk, session.slot_id]
        params += [*seat, seats, waiting, created, *seat, confirmed_at, False]
    with connection.cursor() as cursor:
        cursor.execute(_booking_sql(len(sessions), connection.vendor), params)


def _promote_bookings(session, now):
    """Give free seats of a (locked) session to its waiting list, first come first served.
    Bookings of registrations still on the edition's waiting list wait their turn; once
    the session has begun, its seats go to nobody (no « place freed » after the fact)."""
    promoted = []
    # A seat at that time already: in the slot, or in a session of another slot that staff
    # moved onto this one's times.
    busy = Booking.objects.filter(status=Booking.Status.CONFIRMED).filter(
        Q(slot=session.slot_id)
        | Q(session__starts_at__lt=session.ends_at, session__ends_at__gt=session.starts_at)
    )
    while session.starts_at > now and _has_seat(session):
        booking = (
            Booking.objects.filter(
                session=session,
                status=Booking.Status.WAITLISTED,
                registration__status=Registration.Status.CONFIRMED,
            )
            # Not someone who already holds a seat at that time (staff moved a session,
            # or a slot, onto theirs and put this one on its waiting list).
            .exclude(Exists(busy.filter(registration=OuterRef("registration"))))
            .order_by("created_at", "pk")
            .first()
        )
        if booking is None:
            break
        booking.status = Booking.Status.CONFIRMED
        booking.confirmed_at = now
        booking.save(update_fields=["status", "confirmed_at"])
        promoted.append(booking)
    return promoted


def _promote_registrations(edition, capacity):
    """Give free places of a (locked) edition to its waiting list, first come first served.
    Their bookings wait for seats: the caller then locks those sessions and promotes."""
    confirmed = Registration.objects.filter(
        edition=edition, status=Registration.Status.CONFIRMED
    ).count()
    promoted = []
    while confirmed < capacity:
        registration = (
            Registration.objects.filter(edition=edition, status=Registration.Status.WAITLISTED)
            .order_by("created_at", "pk")
            .first()
        )
        if registration is None:
            break
        registration.status = Registration.Status.CONFIRMED
        registration.save(update_fields=["status", "updated_at"])
        promoted.append(registration)
        confirmed += 1
    return promoted


def registration_create(
    *, edition, data, days, session_ids, form_token, by_staff=False, now=None, options=()
):
    """Register someone, book their sessions; returns the registration. Their personal
    link is minted by the worker when it sends the confirmation (emails.py).

    Confirmed while the edition has places, otherwise on its waiting list; each session
    booked while it has seats, otherwise waitlisted. `options`: the names of the sign-up
    options ticked (hooks.signup_options).
    """
    now = now or timezone.now()
    _require(edition, "staff_sign_up" if by_staff else "sign_up", now)
    form_token = uuid.UUID(str(form_token))
    try:
        with transaction.atomic():
            # Before the edition's lock, which every sign-up waits on: a duplicate that
            # slips in meanwhile is stopped by the constraints (handled below).
            for existing in _same_form_or_address(edition, form_token, data["email"]):
                if existing.form_token != form_token:
                    raise DuplicateRegistration(existing)
                if _same_address(existing.email, data["email"]):
                    raise AlreadySubmitted
                # The same form sent again for someone else (Back button, a colleague
                # registered next): another person, another token.
                form_token = uuid.uuid4()
            # Written before the edition's lock, on the waiting list: what does not depend
            # on the places left (the row, its days, the confirmation in the outbox) is
            # not done while every other sign-up waits. Nobody else sees these rows
            # before the commit, by which time the status below is decided.
            registration = Registration.objects.create(
                edition=edition,
                status=Registration.Status.WAITLISTED,
                form_token=form_token,
                privacy_consent_at=now,
                **data,
            )
            AttendanceDay.objects.bulk_create(
                AttendanceDay(registration=registration, day=day) for day in sorted(set(days))
            )
            emails.registration_created(registration)
            # Under the lock: the sessions, the status and the bookings only.
            capacity = _lock_edition(edition)
            sessions = _lock_sessions(session_ids)
            if len(sessions) != len(set(session_ids)):
                raise InvalidBooking(session_ids)
            check_bookings(edition=edition, days=set(days), sessions=sessions, now=now)
            if _confirm_if_room(registration, capacity):
                registration.status = Registration.Status.CONFIRMED
            _book(registration, sessions, now)
            for option in hooks.signup_options:
                if option.name in options:
                    option.apply(registration=registration)
            badges.store_later(registration)
    except IntegrityError:
        # Without locks (SQLite runs them one at a time anyway) the constraints decide.
        same_form = Registration.objects.filter(form_token=form_token).first()
        if same_form and _same_address(same_form.email, data["email"]):
            raise AlreadySubmitted from None
        existing = _live_registration(edition, data["email"])
        if existing:
            raise DuplicateRegistration(existing) from None
        raise
    return registration


CONFIRM_STATEMENT = """UPDATE {R} SET {R.status} = %s WHERE {R.id} = %s
    AND (SELECT COUNT(*) FROM {R} c WHERE c.{R.edition} = %s AND c.{R.status} = %s) < %s"""


@functools.cache
def _confirm_sql(vendor):
    """Confirm one registration if fewer than %s are confirmed in its edition: once per
    engine (the ORM's UPDATE with a counting subquery cost more to build than to run)."""
    return CONFIRM_STATEMENT.format(R=SqlTable(Registration))


def _confirm_if_room(registration, capacity):
    """Confirm a (new, waitlisted) registration if the (locked) edition has a place left;
    returns whether it did. One statement: the places are counted by it, so after the
    lock was taken (a count in the locking SELECT would read the snapshot from before the
    wait, and oversell, as the concurrency test showed)."""
    confirmed = Registration.Status.CONFIRMED.value
    with connection.cursor() as cursor:
        cursor.execute(
            _confirm_sql(connection.vendor),
            [confirmed, registration.pk, registration.edition_id, confirmed, capacity],
        )
        return cursor.rowcount == 1


LIVE = (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)
# What is compared, and what a DuplicateRegistration's reader shows (staff: its number and
# name); the other columns stay unread unless asked for.
DUPLICATE_FIELDS = tuple(
    Registration._meta.get_field(name)
    for name in ("id", "form_token", "email", "first_name", "last_name", "organisation")
)
# The registrations a sign-up may repeat: the same form (its token), or a live registration
# of the same address in the edition, matched as the one_registration_per_email constraint
# matches it (lower case, not cancelled: models.same_address), by the constraint's index (the
# statuses are literals: an engine proves a partial index's condition from literals only).
DUPLICATE_STATEMENT = """SELECT {columns} FROM {R}
    WHERE {R.form_token} = %s OR (
        LOWER({R.email}) = LOWER(%s) AND {R.edition} = %s
        AND {R.status} <> '{cancelled}' AND {R.status} IN ({live})
    ) ORDER BY {R.id}"""


@functools.cache
def _duplicate_sql(vendor):
    """DUPLICATE_STATEMENT, once per engine (the ORM's query cost 1 ms of a sign-up's CPU
    to build, four times what the database took to run it)."""
    R = SqlTable(Registration)
    columns = ", ".join(getattr(R, f.name) for f in DUPLICATE_FIELDS)
    return DUPLICATE_STATEMENT.format(
        R=R,
        columns=columns,
        cancelled=Registration.Status.CANCELLED.value,
        live=", ".join(f"'{status.value}'" for status in LIVE),
    )


def _same_form_or_address(edition, form_token, email):
    """The registrations (DUPLICATE_FIELDS only) posted with this form or live with this
    address in the edition, in pk order."""
    token = Registration._meta.get_field("form_token").get_db_prep_value(form_token, connection)
    with connection.cursor() as cursor:
        cursor.execute(_duplicate_sql(connection.vendor), [token, email, edition.pk])
        rows = cursor.fetchall()
    return [instance(Registration, DUPLICATE_FIELDS, row) for row in rows]


def _same_address(a, b):
    return a.strip().lower() == b.strip().lower()


def _live_registration(edition, email):
    live = Registration.objects.filter(edition=edition, status__in=LIVE)
    return live.filter(same_address(email)).first()


def slot_choices(bookings):
    """{slot id: session id}: the one choice per slot the change forms show. Where staff
    kept two overlapping bookings, the latest booked; registration_update reads it back
    the same way to tell « unchanged » (keep both) from « chose the other one »."""
    return {b.slot_id: b.session_id for b in sorted(bookings, key=lambda b: b.pk)}


def registration_update(*, registration, data, days, session_ids, by_staff=False, now=None):
    """Change someone's details, days and bookings, under the same seat rules (staff: also
    once registration has closed, until the event ends).

    Bookings kept keep their place; a seat given up goes to the waiting list at once.
    """
    now = now or timezone.now()
    _require(registration.edition, "staff_change" if by_staff else "change", now)
    changes = Changes()
    with transaction.atomic():
        registration = _locked(Registration.objects.filter(pk=registration.pk)).get()
        if registration.is_cancelled:
            raise InvalidBooking("cancelled")
        for name, value in data.items():
            setattr(registration, name, value)
        registration.save()

        days = set(days)
        registration.days.exclude(day__in=days).delete()
        known = set(registration.days.values_list("day", flat=True))
        AttendanceDay.objects.bulk_create(
            AttendanceDay(registration=registration, day=day) for day in sorted(days - known)
        )

        current = {b.session_id: b for b in registration.bookings.all()}
        wanted = set(session_ids)
        sessions = {s.pk: s for s in _lock_sessions(set(current) | wanted)}
        if not wanted <= set(sessions):
            raise InvalidBooking(session_ids)
        check_bookings(
            edition=registration.edition,
            days=days,
            sessions=[sessions[pk] for pk in wanted],
            now=now,
            kept=set(current),
        )
        # Someone staff left in two sessions at once sees one choice for that slot (see
        # slot_choices): leaving it as shown keeps both; choosing the other held session
        # keeps that one alone (the shown one is given up like any other).
        shown = slot_choices(current.values())
        doubled = {b.slot_id for b in current.values() if b.overlap_accepted}
        kept_slots = {slot for slot in doubled if shown[slot] in wanted}
        added = [sessions[pk] for pk in sorted(wanted - set(current))]
        for check in hooks.booking_checks:
            check(registration=registration, sessions=added)
        freed = []
        for session_id in sorted(set(current) - wanted):
            booking = current[session_id]
            if booking.slot_id in kept_slots:
                continue
            if booking.status == Booking.Status.CONFIRMED:
                freed.append(sessions[session_id])
            booking.delete()
        # A slot no longer doubled: its remaining booking is ordinary again.
        registration.bookings.filter(slot__in=doubled - kept_slots).update(overlap_accepted=False)
        _book(registration, added, now)
        for session in freed:
            changes.promoted_bookings += _promote_bookings(session, now)
        emails.registration_changed(registration, changes)
        badges.store_later(registration)
    return registration, changes


# What staff may change on a registration without touching seats (days and sessions go
# through registration_update, under the seat rules).
DETAIL_FIELDS = frozenset({*DETAILS, "category"})


def registration_update_details(*, registration, data):
    """Staff: correct someone's details (a typo in a name, an address, the badge category).
    Another live registration's address is refused (DuplicateRegistration)."""
    unknown = set(data) - DETAIL_FIELDS
    if unknown:
        raise ValueError(f"not a detail: {sorted(unknown)}")
    try:
        with transaction.atomic():
            registration = _locked(Registration.objects.filter(pk=registration.pk)).get()
            if "email" in data and not registration.is_cancelled:
                other = (
                    _live_registration(registration.edition, data["email"])
                    if not _same_address(registration.email, data["email"])
                    else None
                )
                if other is not None:
                    raise DuplicateRegistration(other)
            for name, value in data.items():
                setattr(registration, name, value)
            registration.save()
            badges.store_later(registration)
    except IntegrityError:
        raise DuplicateRegistration(
            _live_registration(registration.edition, data["email"])
        ) from None
    return registration


def registrations_set_category(*, registrations, category):
    """Staff: the badge category of several people at once. Returns how many changed."""
    changed = Registration.objects.filter(pk__in=[r.pk for r in registrations]).update(
        category=category, updated_at=timezone.now()
    )
    badges.store_later(*registrations)
    return changed


def registration_cancel(*, registration, now=None, notify=True):
    """Cancel a registration and all its bookings; their seats go to the waiting lists.
    `notify=False` (erasure of the person's data): only the promoted are written to.

    The person may cancel until the event ends; erasure may come at any time, but once the
    event is over it frees no seat and promotes nobody."""
    now = now or timezone.now()
    edition = registration.edition
    if notify:
        _require(edition, "cancel", now)
    promote = allows(edition, "cancel", now)
    changes = Changes()
    with transaction.atomic():
        capacity = _lock_edition(edition)
        registration = _locked(Registration.objects.filter(pk=registration.pk)).get()
        if registration.is_cancelled:
            return registration, changes
        was_confirmed = registration.status == Registration.Status.CONFIRMED
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at", "updated_at"])
        if was_confirmed and promote:
            changes.promoted_registrations = _promote_registrations(edition, capacity)
        # Every session whose seats may move, locked at once in the fixed order, before
        # any booking row is touched (a promotion elsewhere may be waiting on those).
        bookings = list(registration.bookings.all())
        waiting = Booking.objects.filter(
            registration__in=changes.promoted_registrations
        ).values_list("session", flat=True)
        sessions = _lock_sessions({b.session_id for b in bookings} | set(waiting))
        registration.bookings.all().delete()
        for hook in hooks.cancel_hooks:
            hook(registration=registration, now=now, notify=notify)
        for session in sessions if promote else ():
            changes.promoted_bookings += _promote_bookings(session, now)
        badges.store_later(registration, *changes.promoted_registrations)
        if notify:
            emails.registration_cancelled(registration, changes)
        else:
            emails.promotions(changes)
    return registration, changes


class EditionRefused(ValueError):
    """An edit of the edition that would leave registrations wrong; the message says why,
    for staff (translated)."""


def edition_change_refusal(*, edition):
    """Why saving this edited (unsaved) edition would leave its registrations wrong, as a
    message for staff, or None: a capacity below the people already given a place, or days
    left out that people have registered for. Reads only (2 queries)."""
    if edition.pk is None:
        return None
    live = Registration.objects.filter(edition=edition).exclude(
        status=Registration.Status.CANCELLED
    )
    confirmed = live.filter(status=Registration.Status.CONFIRMED).count()
    if edition.capacity is not None and edition.capacity < confirmed:
        return ngettext(
            "%(confirmed)d personne a déjà une place confirmée : la capacité ne peut pas "
            "descendre à %(capacity)d.",
            "%(confirmed)d personnes ont déjà une place confirmée : la capacité ne peut pas "
            "descendre à %(capacity)d.",
            confirmed,
        ) % {"confirmed": confirmed, "capacity": edition.capacity}
    left_out = (
        AttendanceDay.objects.filter(registration__in=live)
        .exclude(day__range=(edition.start_date, edition.end_date))
        .values_list("day", flat=True)
        .distinct()
    )
    if days := sorted(left_out):
        return _(
            "Des personnes sont inscrites le %(days)s : ce jour ne peut pas sortir des dates "
            "de l'édition (modifiez d'abord leurs inscriptions)."
        ) % {"days": ", ".join(date_format(day, "l j F Y") for day in days)}
    return None


def edition_save(*, edition, now=None):
    """Save an edited edition (staff, in admin) and keep its registrations right, in one
    transaction under the edition's lock: an edit that would leave them wrong raises
    EditionRefused (nothing saved, see edition_change_refusal); a capacity raise gives
    places to the waiting list in order, and their bookings wait for seats as any promoted
    person's do, with the usual emails. Returns the Changes."""
    now = now or timezone.now()
    changes = Changes()
    if edition.pk is None:
        edition.save()
        return changes
    with transaction.atomic():
        _lock_edition(edition)
        if refusal := edition_change_refusal(edition=edition):
            raise EditionRefused(refusal)
        edition.save()
        if not allows(edition, "cancel", now):  # the event is over: no place to give
            return changes
        changes.promoted_registrations = _promote_registrations(edition, edition.capacity)
        waiting = Booking.objects.filter(
            registration__in=changes.promoted_registrations
        ).values_list("session", flat=True)
        for session in _lock_sessions(set(waiting)):
            changes.promoted_bookings += _promote_bookings(session, now)
        badges.store_later(*changes.promoted_registrations)
        emails.promotions(changes)
    return changes


def access_link_request(*, edition, email, duplicate_signup=False):
    """Send the address its registration's link again, if it has one. Returns nothing:
    callers answer the same whether or not the address is registered. Only a task is
    queued (the worker looks the address up), so the request itself does the same work,
    and takes the same time, for any address."""
    emails.access_link(edition, email, duplicate_signup=duplicate_signup)
