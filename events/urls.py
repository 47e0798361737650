from django.utils.translation import gettext_lazy as _

from rencontres.routes import path

from . import views

app_name = "events"

urlpatterns = [
    path(_("pre-programme/"), views.pre_programme, name="pre_programme"),
    path(_("programme/"), views.programme, name="programme"),
    path(_("programme.ics"), views.programme_ics, name="programme_ics"),
    path(_("programme/<str:code>/"), views.session_detail, name="session"),
    path(_("programme/<str:code>.ics"), views.session_ics, name="session_ics"),
    path("types.css", views.type_styles, name="type_styles"),
    path("schedule.json", views.schedule_json, name="schedule_json"),
    path("schedule.xml", views.schedule_xml, name="schedule_xml"),
    path(_("partenaires/"), views.partners, name="partners"),
    path(_("maintenant/"), views.now_and_next, name="now"),
    path(_("archives/"), views.archives, name="archives"),
    path(_("archives/<int:number>/"), views.archive, name="archive"),
]
