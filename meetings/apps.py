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
            home_read,
            hooks,
        )

        hooks.connect()
        home_read.connect()  # the B2B page's state, read with the personal link
        self.connect_on_the_day()

    @staticmethod
    def connect_on_the_day():
        """The day-before reminder's section (meetings, the printed agenda's link) and the
        printed agenda on the personal page."""
        from outreach.reminders import DAY_BEFORE_SECTIONS, day_before_section
        from registration import hooks

        from .day_before import reminder_section

        if reminder_section not in DAY_BEFORE_SECTIONS:
            day_before_section(reminder_section)
            hooks.personal_links.append(
                hooks.PersonalLink(_("Mon agenda à imprimer (PDF)"), "meetings:printed_agenda")
            )
