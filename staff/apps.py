from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    # What the staff tools record (arrivals taken back, attestations, exports): the tools
    # themselves are the « Outils de l'équipe » box at the top of the admin's index.
    verbose_name = _("Registres de l'équipe")

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the worker check)
            hooks,
        )

        hooks.connect()
