from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class RencontresConfig(AppConfig):
    name = "rencontres"
    verbose_name = _("Site")


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin on the site's own AdminSite (rencontres/admin.py); named in
    INSTALLED_APPS, never this app's default."""

    default = False
    default_site = "rencontres.admin.AdminSite"
