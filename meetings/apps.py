from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Rencontres B2B")

    def ready(self):
        # registration knows nothing of meetings: meetings plugs its rules into registration's
        # hooks (a session booked over a meeting is refused, leaving cancels the meetings).
        from . import (
            emails,  # noqa: F401  (registers the B2B kinds of email with the outbox)
            hooks,
        )

        hooks.connect()
