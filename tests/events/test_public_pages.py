"""The public pages, in French and English, say what the brochure says."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

PAGES = [
    "home",
    "editorial",
    "practical",
    "events:pre_programme",
    "events:programme",
    "events:partners",
    "privacy",
]


def url(name, lang, **kwargs):
    with translation.override(lang):
        return reverse(name, kwargs=kwargs)


def text_of(response):
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_page_is_well_formed(client, edition_2026, name, lang):
    response = client.get(url(name, lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert html.count("<h1") == 1
    assert 'href="#main"' in html and 'id="main"' in html  # skip link
    assert "<script" not in html and "style=" not in html  # ready for a strict CSP
    assert "//cdn" not in html and "https://fonts." not in html


def test_root_redirects_to_french(client, edition_2026):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/fr/"


def test_language_switcher_keeps_the_page(client, edition_2026):
    html = client.get(url("practical", "fr")).content.decode()
    assert f'href="{url("practical", "en")}"' in html
    assert url("practical", "en") != url("practical", "fr")


def test_home_in_french(client, edition_2026):
    text = text_of(client.get("/fr/"))
    assert "« Les collectivités territoriales dans le nouvel ordre mondial »" in text
    assert "Mercredi 8 et jeudi 9 juillet 2026" in text
    assert "Salons de l'Hôtel des Arts & Métiers" in text.replace("&amp;", "&")
    assert "9bis, avenue d'Iéna, 75116 Paris" in text
    assert "17 es Rencontres de l'action internationale des collectivités territoriales" in text
    for fmt in [
        "Conférence plénière thématique",
        "Ateliers thématiques",
        "Des réunions régionales",
        "« Cafés des Rencontres » : rendez-vous avec les acteurs de l'AICT",
        "Espace des Partenaires : networking - animations - rencontres B2B...",
        "Plénière de mise à l'honneur d'un pays",
    ]:
        assert fmt in text
    assert "Le projet PLATFORMA est co-financé par l'Union européenne" in text


def test_practical_information_in_french(client, edition_2026):
    text = text_of(client.get(url("practical", "fr"))).replace("&amp;", "&")
    for fact in [
        "Salons de l'Hôtel des Arts & Métiers",
        "9bis, avenue d'Iéna, 75116 Paris",
        "https://www.salons-artsetmetiers.com/",
        "Venir en transport en commun :",
        "Métro ligne 9 – station Iéna – Sortie Musée Guimet",
        "Bus n° 32, n° 63, n° 82, station Iéna",
        "Parking public Parking Kléber, 65 avenue Kléber 75116 Paris",
        "Pour plus d'informations sur le programme & les inscriptions en ligne, "
        "merci de contacter Cités Unies France :",
        "Tél. : +33(0)1 53 41 81 81",
        "Courriel : coop-dec@cites-unies-france.org",
        "Site Internet de CUF : https://cites-unies-france.org/Rencontres-de-l-AICT",
        "Site dédié aux Rencontres : http://raict.org",
        "@CitesUniesFR #RencontresAICT2026",
        "https://www.linkedin.com/company/cites-unies-france-officiel/",
        "Ouverture des inscriptions en ligne : 15 avril 2026",
    ]:
        assert fact in text, fact


def test_editorial_in_french(client, edition_2026):
    response = client.get(url("editorial", "fr"))
    html = response.content.decode().replace("&#x27;", "'")
    assert "<strong>le multilatéralisme est fortement mis à l'épreuve</strong>" in html
    text = text_of(response)
    assert "Les collectivités territoriales dans le nouvel ordre mondial" in text
    assert "partenaires internationaux issus de plus de 25 pays" in text
    assert "Michaël Delafosse" in text
    assert "Président de Cités Unies France Maire de Montpellier" in text


def test_pre_programme_lists_every_slot(client, edition_2026):
    text = text_of(client.get(url("events:pre_programme", "fr")))
    assert "Mercredi 8 juillet :" in text and "Jeudi 9 juillet :" in text
    for line in [
        "13h00 - 14h00 Accueil des participants",
        "14h30 - 16h00 Ateliers/Réunions/B2B",
        "16h30 - 18h30 Conférence plénière",
        "8h00 - 9h30 Accueil des participants",
        "11h30 - 12h30 Plénière de mise à l'honneur d'un pays à l'Espace des partenaires",
        "12h30 - 14h30 Cocktail déjeuner",
        "14h30 - 15h30 « Cafés des Rencontres » / B2B",
        "17h00 - 17h30 Pot de clôture",
    ]:
        assert line in text.replace("</time>-<time", " - "), line


def test_programme_groups_by_day_and_filters_without_javascript(client, edition_2026):
    page = url("events:programme", "fr")
    text = text_of(client.get(page))
    assert "Mercredi 8 juillet 2026" in text and "Jeudi 9 juillet 2026" in text
    assert "Salon Iéna" in text  # rooms shown
    assert "Programme en cours de construction." in text  # provisional content said so

    thursday_workshops = text_of(client.get(page, {"jour": "2026-07-09", "type": "atelier"}))
    assert "Mercredi 8 juillet 2026" not in thursday_workshops
    assert "Atelier thématique 3 (intitulé à venir)" in thursday_workshops
    assert "Atelier thématique 1 (intitulé à venir)" not in thursday_workshops
    assert "Pause café" not in thursday_workshops.split("Jeudi 9 juillet 2026", 1)[1]

    # Nonsense filters are ignored, never an error.
    assert client.get(page, {"jour": "2026-13-45", "type": "<script>"}).status_code == 200


def test_session_detail(client, edition_2026):
    from events.models import Session

    session = Session.objects.get(title_fr="Ouverture officielle des Rencontres")
    response = client.get(url("events:session", "fr", code=session.code))
    text = text_of(response)
    assert "Mercredi 8 juillet 2026, 14h00 - 14h30" in text.replace("</time>-<time", " - ")
    assert "Grand Salon" in text
    assert url("events:session_ics", "fr", code=session.code) in response.content.decode()
    assert client.get(url("events:session", "fr", code="NOPE00")).status_code == 404


def test_unpublished_session_is_hidden(client, edition_2026):
    from events.models import Session

    session = Session.objects.get(title_fr="Ouverture officielle des Rencontres")
    session.is_published = False
    session.save()
    assert client.get(url("events:session", "fr", code=session.code)).status_code == 404
    assert (
        "Ouverture officielle des Rencontres</a>"
        not in client.get(url("events:programme", "fr")).content.decode()
    )


def test_english_pages_use_english_content(client, edition_2026):
    assert "Local governments in the new world order" in text_of(client.get("/en/"))
    text = text_of(client.get(url("events:programme", "en")))
    assert "Wednesday 8 July 2026" in text
    assert "Thematic workshop 1 (title to be announced)" in text


def test_english_falls_back_to_french_when_empty(client, edition_2026):
    from events.models import Session

    session = Session.objects.get(title_fr="Ouverture officielle des Rencontres")
    session.title_en = ""
    session.save()
    html = client.get(url("events:session", "en", code=session.code)).content.decode()
    assert "Ouverture officielle des Rencontres" in html


def test_type_colours_come_from_a_stylesheet(client, edition_2026):
    css = client.get(url("events:type_styles", "fr"))
    assert css["Content-Type"].startswith("text/css")
    assert ".session-type-atelier { --type-colour: #0b6e4f; }" in css.content.decode()


def test_no_current_edition_is_a_404(client, db):
    assert client.get("/fr/").status_code == 404


def test_english_interface(client, edition_2026):
    assert url("practical", "en") == "/en/practical-information/"
    text = text_of(client.get(url("practical", "en")))
    assert "Getting there by public transport:" in text
    assert "Online registration opens: 15 April 2026" in text
    assert "Metro line 9 – Iéna station – exit “Musée Guimet”" in text
    home = text_of(client.get("/en/"))
    assert "Wednesday 8 and Thursday 9 July 2026" in home
    assert "Skip to content" in home


def test_privacy_notice_says_who_why_how_long_and_rights(client, edition_2026):
    text = text_of(client.get(url("privacy", "fr")))
    for fact in [
        "Cités Unies France (CUF), qui organise les Rencontres, est responsable du traitement",
        "douze mois après les Rencontres",
        "coop-dec@cites-unies-france.org",
        "CNIL",
    ]:
        assert fact in text, fact
    assert url("privacy", "fr") in client.get("/fr/").text  # linked from the footer
