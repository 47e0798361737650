"""The export log in admin: who exported which personal data, when; read only."""

import pytest

from staff.models import ExportLog
from tests.staff.conftest import grant

LOG = "/admin/staff/exportlog/"


@pytest.fixture
def entry(admin_user):
    return ExportLog.objects.create(
        user=admin_user, what="Inscriptions", filters="country__exact=BR", rows=12
    )


def test_admin_lists_the_exports(admin_client, entry):
    response = admin_client.get(LOG)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Inscriptions" in html and "country__exact=BR" in html and "admin" in html
    assert admin_client.get(LOG, {"q": "BR"}).context["cl"].result_count == 1
    assert admin_client.get(LOG, {"q": "nothing"}).context["cl"].result_count == 0


def test_the_log_cannot_be_written_from_admin(admin_client, entry):
    assert admin_client.get(LOG + "add/").status_code == 403
    detail = admin_client.get(f"{LOG}{entry.pk}/change/")
    assert detail.status_code == 200  # shown, read only
    assert 'name="what"' not in detail.content.decode()
    admin_client.post(f"{LOG}{entry.pk}/change/", {"what": "rien", "rows": 0})
    assert admin_client.post(f"{LOG}{entry.pk}/delete/").status_code == 403
    admin_client.post(LOG, {"action": "delete_selected", "_selected_action": [entry.pk]})
    entry.refresh_from_db()
    assert (entry.what, entry.rows) == ("Inscriptions", 12)


def test_staff_need_the_view_permission(client, staff_user, entry):
    client.force_login(staff_user)
    assert client.get(LOG).status_code == 403
    client.force_login(grant(staff_user, "view_exportlog"))
    assert client.get(LOG).status_code == 200


def test_the_log_is_on_the_admin_home(admin_client, entry):
    assert LOG in admin_client.get("/admin/").content.decode()
