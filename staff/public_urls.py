"""Public addresses of the staff app (under the site's language prefix): an attendee's
attestation de présence from their personal space, and the verification of a code."""

from django.utils.translation import gettext_lazy as _

from rencontres.routes import path

from .views import attestations

app_name = "attendance"

urlpatterns = [
    path(
        _("inscription/espace/<str:token>/attestation.pdf"),
        attestations.personal_attestation,
        name="attestation",
    ),
    path(_("attestation/verifier/<str:code>/"), attestations.verify, name="verify"),
]
