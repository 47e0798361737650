from rencontres.routes import path

from .views import attendance, b2b, badges, dashboard, desk, sessions

app_name = "staff"

urlpatterns = [
    path("tableau-de-bord/", dashboard.dashboard, name="dashboard"),
    path("sessions/", sessions.sessions, name="sessions"),
    path("sessions/<int:pk>/", sessions.session, name="session"),
    path("sessions/<int:pk>/export.csv", sessions.session_export, name="session_export"),
    path("sessions/<int:pk>/emargement.pdf", attendance.session_sheet, name="session_sheet"),
    path("emargement/<str:day>.pdf", attendance.day_sheet, name="day_sheet"),
    path("accueil/", desk.desk, name="desk"),
    path("accueil/scan/", desk.scan, name="desk_scan"),
    path("accueil/annuler/", desk.undo, name="desk_undo"),
    path("accueil/compteurs.json", desk.counters, name="desk_counters"),
    path("accueil/badge/<int:pk>.pdf", desk.reprint, name="desk_reprint"),
    path("badges/", badges.sheets, name="badge_sheets"),
    path("badges/<int:pk>/", badges.sheet, name="badge_sheet"),
    path("badges/<int:pk>/badges.pdf", badges.sheet_pdf, name="badge_sheet_pdf"),
    path("b2b/suivi/", b2b.followup, name="b2b_followup"),
    path("b2b/suivi/<int:pk>/annuler/", b2b.cancel_upcoming, name="b2b_cancel_upcoming"),
]
