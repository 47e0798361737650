from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("Messages aux participant·es")

    def ready(self):
        # Registers this app's kinds of email with the outbox (registration/emails.py).
        from . import emails  # noqa: F401
