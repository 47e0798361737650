"""The pages a French association's site must have: « Mentions légales » and the RGAA
« Déclaration d'accessibilité », edited in admin, linked from every footer, in both
languages."""

import pytest
from django.contrib.auth.models import User

from tests.events.test_content_editing import post_form


@pytest.mark.parametrize(
    ("page", "texts"),
    [
        ("/fr/mentions-legales/", ["Éditeur du site", "Cités Unies France", "9, rue Christiani"]),
        ("/en/legal-notice/", ["Publisher", "Cités Unies France", "Hosting"]),
        (
            "/fr/accessibilite/",
            [
                "<strong>non conforme</strong>",
                "RGAA",
                "axe-core",
                "Défenseur des droits",
                "Libre réponse 71120, 75342 Paris CEDEX 07",
                "coop-dec@cites-unies-france.org",
            ],
        ),
        (
            "/en/accessibility/",
            ["<strong>non-compliant</strong>", "axe-core", "Défenseur des droits"],
        ),
    ],
)
def test_pages_say_what_the_law_asks(client, edition_2026, page, texts):
    response = client.get(page)
    assert response.status_code == 200
    for text in texts:
        assert text in response.text, text


@pytest.mark.parametrize(
    ("page", "links"),
    [
        ("/fr/", ["/fr/mentions-legales/", "/fr/accessibilite/", "Accessibilité : non conforme"]),
        ("/fr/programme/", ["/fr/mentions-legales/", "/fr/accessibilite/"]),
        ("/en/register/", ["/en/legal-notice/", "/en/accessibility/", "non-compliant"]),
        ("/fr/nulle-part/", ["/fr/mentions-legales/", "/fr/accessibilite/"]),
    ],
)
def test_every_footer_links_both(client, edition_2026, page, links):
    footer = client.get(page).text.split('<footer class="site-footer">')[1]
    for link in links:
        assert link in footer, link


def test_staff_fill_them_in_admin_and_the_pages_follow(client, edition_2026):
    client.force_login(User.objects.create_superuser("staff", "s@example.org", "pw-tests-only"))
    assert "Information en cours de mise à jour." in client.get("/fr/mentions-legales/").text
    assert "non conforme" in client.get("/fr/").text
    response = post_form(
        client,
        f"/admin/events/edition/{edition_2026.pk}/change/",
        publication_director="Michaël Delafosse, président",
        host_name="Hébergeur Exemple SAS",
        host_details="1, rue de l'Exemple, 75000 Paris",
        accessibility_state="partial",
        accessibility_updated_on="2026-06-01",
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    notice = client.get("/fr/mentions-legales/").text
    assert "Michaël Delafosse, président" in notice and "Hébergeur Exemple SAS" in notice
    assert "Information en cours de mise à jour." not in notice
    statement = client.get("/fr/accessibilite/").text
    assert "<strong>partiellement conforme</strong>" in statement
    assert "1 juin 2026" in statement
    assert "Accessibilité : partiellement conforme" in client.get("/fr/").text
