from django.utils.translation import gettext_lazy as _

from rencontres.routes import path

from . import views

app_name = "registration"

urlpatterns = [
    # The personal pages first: they are asked for most, and each translated route without
    # a parameter tried before them costs a translation lookup (patterns with a parameter
    # are a regular expression, compiled once per language).
    path(_("inscription/espace/<str:token>/"), views.manage, name="manage"),
    path(_("inscription/espace/<str:token>/modifier/"), views.change, name="change"),
    path(_("inscription/espace/<str:token>/annuler/"), views.cancel, name="cancel"),
    path(_("inscription/espace/<str:token>/agenda.ics"), views.agenda, name="agenda"),
    path(_("inscription/espace/<str:token>/badge.pdf"), views.badge, name="badge"),
    path(_("inscription/"), views.register, name="register"),
    path(_("inscription/merci/"), views.thanks, name="thanks"),
    path(_("inscription/lien-perdu/"), views.lost_link, name="lost_link"),
]
