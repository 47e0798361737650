from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.utils.translation import gettext as _

from events.queries import current_edition

from ..dashboard import dashboard as figures
from .base import render_staff


@staff_member_required
@permission_required("registration.view_registration", raise_exception=True)
def dashboard(request):
    context = figures(current_edition())
    return render_staff(request, "staff/dashboard.html", {"title": _("Tableau de bord"), **context})
