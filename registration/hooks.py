"""Where apps built on registration (B2B meetings) add their rules, without registration
importing them: each app appends its functions in its AppConfig.ready().

- ``booking_checks``: ``check(*, registration, sessions)`` runs in registration_update's
  transaction, the registration's row locked, for the sessions newly booked; it raises
  ``BookingConflict`` to refuse them.
- ``cancel_hooks``: ``hook(*, registration, now, notify)`` runs in registration_cancel's
  transaction, once the registration is cancelled.

- ``calendar_items``: ``items(registration)`` returns more events.ical.CalendarItem for
  the person's calendar (the .ics feed and the confirmation's attachment).
- ``agenda_rows``: ``rows(registration)`` returns more rows (objects with ``starts_at``)
  for the personal page's agenda.
- ``signup_options``: SignupOption(name, field, apply): ``field(edition)`` gives a form
  field for the sign-up form (or None: not offered), ``apply(*, registration)`` runs in
  registration_create's transaction when it was ticked.
- ``personal_links``: (label, URL name taking the token) shown on the personal page.

Their emails go through the outbox with kinds they register (emails.register_kind).
"""

from collections.abc import Callable
from dataclasses import dataclass


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
personal_links = []


class BookingConflict(ValueError):
    """A session cannot be booked because of something else in the person's agenda; its
    message says what, for the person (translated)."""

    def __init__(self, message, url_name=None):
        super().__init__(message)
        self.message = message
        self.url_name = url_name  # where the person can sort it out (e.g. their meetings)
