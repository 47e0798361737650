from django.urls import path

from .views import badges

app_name = "staff"

urlpatterns = [
    path("badges/", badges.sheets, name="badge_sheets"),
    path("badges/<int:pk>/", badges.sheet, name="badge_sheet"),
    path("badges/<int:pk>/badges.pdf", badges.sheet_pdf, name="badge_sheet_pdf"),
]
