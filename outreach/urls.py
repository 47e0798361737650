from django.utils.translation import gettext_lazy as _

from rencontres.routes import path

from . import views

app_name = "outreach"

# Under …/espace/<token>/ like the personal pages, so that the logging filter cuts the
# secret from any log line (rencontres/logging.py).
urlpatterns = [
    path(
        _("inscription/espace/<str:token>/venue/oui/"),
        views.reconfirm,
        {"coming": True},
        name="reconfirm_yes",
    ),
    path(
        _("inscription/espace/<str:token>/venue/non/"),
        views.reconfirm,
        {"coming": False},
        name="reconfirm_no",
    ),
]
