from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Outils de l'équipe")

    def ready(self):
        from . import checks  # noqa: F401  (registers the worker check)
