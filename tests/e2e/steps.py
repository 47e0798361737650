"""Steps several browser journeys share."""

import re


def sign_up(page, *, first, last, email):
    """Fill the French sign-up form (on the page already) and submit it: Wednesday,
    workshop 1."""
    page.get_by_label("Madame").check()
    page.get_by_label("Prénom").fill(first)
    page.locator("#id_last_name").fill(last)
    page.get_by_label("Adresse électronique").fill(email)
    page.locator("#id_phone_1").fill("+84 24 3825 3536")
    page.locator("#id_organisation").fill("Ville de Hanoï")
    page.get_by_label("Type d'organisation").select_option(label="Collectivité territoriale")
    page.locator("#id_country").select_option(label="Viêt Nam")
    page.get_by_label("Mercredi 8 juillet 2026").check()
    page.get_by_label(re.compile(r"Atelier thématique 1 \(intitulé à venir\)")).check()
    page.get_by_label(re.compile("J'accepte que Cités Unies France traite")).check()
    page.get_by_role("button", name="Valider mon inscription").click()
