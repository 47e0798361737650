from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    name = "registration"
    verbose_name = _("Inscriptions")

    def ready(self):
        from .queries import plan_once

        connection_created.connect(plan_once, dispatch_uid="registration.plan_once")
