from django.utils.translation import gettext_lazy as _

from rencontres.routes import path

from . import views

app_name = "meetings"

urlpatterns = [
    path(_("inscription/espace/<str:token>/b2b/"), views.home, name="home"),
    path(
        _("inscription/espace/<str:token>/b2b/rendez-vous.csv"),
        views.meetings_csv,
        name="meetings_csv",
    ),
    path(
        _("inscription/espace/<str:token>/agenda-imprimable.pdf"),
        views.printed_agenda,
        name="printed_agenda",
    ),
    path(_("b2b/ecran/<str:token>/"), views.screen, name="screen"),
    path(_("inscription/espace/<str:token>/b2b/profil/"), views.profile, name="profile"),
    path(_("inscription/espace/<str:token>/b2b/quitter/"), views.leave, name="leave"),
    path(_("inscription/espace/<str:token>/b2b/annuaire/"), views.directory, name="directory"),
    path(_("inscription/espace/<str:token>/b2b/annuaire/<int:pk>/"), views.person, name="person"),
    path(
        _("inscription/espace/<str:token>/b2b/demandes/<uuid:request_id>/"),
        views.answer,
        name="request",
    ),
    path(
        _("inscription/espace/<str:token>/b2b/rendez-vous/<uuid:meeting>/annuler/"),
        views.cancel,
        name="cancel",
    ),
    path(
        _("inscription/espace/<str:token>/b2b/rendez-vous/<uuid:meeting>/tenu/"),
        views.not_held,
        name="not_held",
    ),
]
