from django.contrib import admin
from django.urls import include
from django.utils.translation import gettext_lazy as _

from . import media, views
from .forms import AdminLoginForm
from .routes import language_patterns, path

admin.site.site_header = _("Rencontres AICT — administration")
admin.site.site_title = _("Rencontres AICT")
admin.site.index_title = _("Gestion de l'événement")
admin.site.login_form = AdminLoginForm  # failed logins are throttled

urlpatterns = [
    # Staff tools (French, like the admin they extend): badge sheets, check-in desk…
    path("admin/outils/", include("staff.urls")),
    path("admin/", admin.site.urls),
    path("media/<path:path>", media.serve, name="media"),
    *language_patterns(
        path("", views.home, name="home"),
        path(_("editorial/"), views.editorial, name="editorial"),
        path(_("infos-pratiques/"), views.practical, name="practical"),
        path(_("donnees-personnelles/"), views.privacy, name="privacy"),
        path(_("mentions-legales/"), views.legal_notice, name="legal_notice"),
        path(_("accessibilite/"), views.accessibility, name="accessibility"),
        # /en/admin/?next=/admin/…: the admin, in that language from now on.
        path("admin/", views.admin_in_language, name="admin_language"),
        path("", include("events.urls")),
        path("", include("registration.urls")),
        path("", include("outreach.urls")),
        path("", include("staff.public_urls")),
        path("", include("meetings.urls")),
        prefix_default_language=True,
    ),
]

handler404 = "rencontres.views.not_found"
