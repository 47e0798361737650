"""Where apps built on registration (B2B meetings) add their rules, without registration
importing them: each app appends its functions in its AppConfig.ready().

- ``booking_checks``: ``check(*, registration, sessions)`` runs in registration_update's
  transaction, the registration's row locked, for the sessions newly booked; it raises
  ``BookingConflict`` to refuse them.
- ``cancel_hooks``: ``hook(*, registration, now, notify)`` runs in registration_cancel's
  transaction, once the registration is cancelled.

- ``calendar_items``: ``items(registration)`` returns more events.ical.CalendarItem for
  the person's calendar (the .ics feed and the confirmation's attachment).
- ``agenda_rows``: ``rows(registration)`` returns more agenda.AgendaRow for the person's
  agenda (the personal page, the B2B page), from what ``link_reads`` read: no query.
- ``link_reads``: LinkRead(name, sql, tables, load): one more column of the statement that
  opens a personal link (queries.registration_for_link), so that the personal page stays
  one round trip. ``sql`` is a scalar subquery of the registration ``r`` (its id:
  ``r.{R.id}``), formatted with ``tables`` ({letter: model}, quoted as queries._Table
  quotes them) and ``{rows}``/``{row}``: the engine's JSON aggregate of rows and JSON
  array of values. ``load(value)`` turns the decoded JSON (a list, or None) into a
  hashable value, set in ``registration.link_read[name]`` and part of the personal page's
  memo key: a change to what it reads is a page rendered again. ``always=False``: read
  only for the views that name it (``views.personal(reads=(name,))``); other pages do
  not pay for it, nor render again when it changes.
- ``signup_options``: SignupOption(name, field, apply): ``field(edition)`` gives a form
  field for the sign-up form (or None: not offered), ``apply(*, registration)`` runs in
  registration_create's transaction when it was ticked.
- ``personal_links``: PersonalLink(label, URL name taking the token, shown): a button of
  the personal page; ``shown(registration)``, if given, says whether this person gets it
  (from what the link's statement read: ``registration.link_read``, part of the page's
  memo key, or its row).

Their emails go through the outbox with kinds they register (emails.register_kind).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, eq=False)  # hashed by identity: a statement's text is kept per read
class LinkRead:
    name: str
    sql: str
    tables: dict
    load: Callable
    always: bool = True  # False: read only for the views that ask (`personal(reads=…)`)


@dataclass(frozen=True)
class PersonalLink:
    label: str
    url_name: str
    shown: Callable | None = None  # shown(registration) -> bool; None: to everyone


@dataclass(frozen=True)
class SignupOption:
    name: str
    field: Callable
    apply: Callable


booking_checks = []
signup_options = []
cancel_hooks = []
calendar_items = []
agenda_rows = []
link_reads = []
personal_links = []


class BookingConflict(ValueError):
    """A session cannot be booked because of something else in the person's agenda; its
    message says what, for the person (translated)."""

    def __init__(self, message, url_name=None):
        super().__init__(message)
        self.message = message
        self.url_name = url_name  # where the person can sort it out (e.g. their meetings)
