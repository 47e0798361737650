"""The 2026 fixture says what the brochure says."""

from datetime import datetime

import pytest
from django.core.management import call_command

from events.models import AccessOption, Edition, Partner, Session, SessionType, Slot
from tests.factories import PARIS

pytestmark = pytest.mark.sqlite  # `make run` loads it into SQLite

BROCHURE_SLOTS = [
    ("2026-07-08 13:00", "2026-07-08 14:00", "Accueil des participants"),
    ("2026-07-08 14:00", "2026-07-08 14:30", "Ouverture officielle des Rencontres"),
    ("2026-07-08 14:30", "2026-07-08 16:00", "Ateliers/Réunions/B2B"),
    ("2026-07-08 16:00", "2026-07-08 16:30", "Pause café"),
    ("2026-07-08 16:30", "2026-07-08 18:30", "Conférence plénière"),
    ("2026-07-09 08:00", "2026-07-09 09:30", "Accueil des participants"),
    ("2026-07-09 09:30", "2026-07-09 11:00", "Ateliers/Réunions/B2B"),
    ("2026-07-09 11:00", "2026-07-09 11:30", "Pause café"),
    (
        "2026-07-09 11:30",
        "2026-07-09 12:30",
        "Plénière de mise à l'honneur d'un pays à l'Espace des partenaires",
    ),
    ("2026-07-09 12:30", "2026-07-09 14:30", "Cocktail déjeuner"),
    ("2026-07-09 14:30", "2026-07-09 15:30", "« Cafés des Rencontres » / B2B"),
    ("2026-07-09 15:30", "2026-07-09 17:00", "Ateliers/Réunions/B2B"),
    ("2026-07-09 17:00", "2026-07-09 17:30", "Pot de clôture"),
]


def at(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=PARIS)


def test_edition_facts(edition_2026):
    e = edition_2026
    assert e.number == 17
    assert e.is_current
    assert e.theme_fr == "Les collectivités territoriales dans le nouvel ordre mondial"
    assert (e.start_date.isoformat(), e.end_date.isoformat()) == ("2026-07-08", "2026-07-09")
    assert e.registration_opens_at == datetime(2026, 4, 15, tzinfo=PARIS)
    assert e.venue.name == "Salons de l'Hôtel des Arts & Métiers"
    assert e.venue.address == "9bis, avenue d'Iéna, 75116 Paris"
    assert e.contact_phone == "+33(0)1 53 41 81 81"
    assert e.contact_email == "coop-dec@cites-unies-france.org"
    assert e.organiser_url == "https://cites-unies-france.org/Rencontres-de-l-AICT"
    assert e.event_site_url == "http://raict.org"
    assert e.x_handle == "@CitesUniesFR"
    assert e.hashtag == "#RencontresAICT2026"
    assert e.linkedin_url == "https://www.linkedin.com/company/cites-unies-france-officiel/"
    assert e.signatory_name == "Michaël Delafosse"
    assert e.signatory_title_lines == [
        "Président de Cités Unies France",
        "Maire de Montpellier",
        "Président de Montpellier Méditerranée Métropole",
    ]
    assert "plus de 25 pays" in e.editorial_fr
    assert "**la diplomatie des territoires s'impose comme une réponse politique stratégique**" in (
        e.editorial_fr
    )


def test_access_options(edition_2026):
    options = {o.kind: o.label_fr for o in AccessOption.objects.all()}
    assert options == {
        "metro": "ligne 9 – station Iéna – Sortie Musée Guimet",
        "bus": "n° 32, n° 63, n° 82, station Iéna",
        "parking": "Parking Kléber, 65 avenue Kléber 75116 Paris",
    }


def test_every_slot_of_the_pre_programme(edition_2026):
    slots = [(s.starts_at, s.ends_at, s.title_fr) for s in Slot.objects.order_by("starts_at")]
    assert slots == [(at(a), at(b), title) for a, b, title in BROCHURE_SLOTS]


def test_formats_and_partner(edition_2026):
    formats = [
        (t.format_name, t.description)
        for t in SessionType.objects.filter(is_format=True).order_by("position")
    ]
    assert formats == [
        ("Conférence plénière thématique", ""),
        ("Ateliers thématiques", ""),
        ("Des réunions régionales", ""),
        ("« Cafés des Rencontres »", "rendez-vous avec les acteurs de l'AICT"),
        ("Espace des Partenaires", "networking - animations - rencontres B2B..."),
        ("Plénière de mise à l'honneur d'un pays", ""),
    ]
    partner = Partner.objects.get()
    assert partner.role == "Avec le concours de"
    assert partner.description == "Le projet PLATFORMA est co-financé par l'Union européenne"


def test_sessions_sit_in_their_slots_and_rooms_never_clash(edition_2026):
    sessions = list(Session.objects.select_related("slot", "room"))
    assert len(sessions) == 24
    for session in sessions:
        session.full_clean()  # inside its slot, no room clash
    bookable = [s for s in sessions if s.type.is_bookable]
    assert bookable and all(s.is_provisional for s in bookable)


def test_loading_twice_changes_nothing(edition_2026):
    edition_2026.theme = "Modifié en admin"
    edition_2026.save()
    counts = (Edition.objects.count(), Slot.objects.count(), Session.objects.count())
    call_command("load_edition", "fixtures/edition_2026.json", verbosity=0)
    assert (Edition.objects.count(), Slot.objects.count(), Session.objects.count()) == counts
    edition_2026.refresh_from_db()
    assert edition_2026.theme == "Modifié en admin"  # staff edits survive `make run`


def test_content_fields_say_what_the_brochure_says(edition_2026):
    assert "partenaires internationaux issus de plus de 25 pays" in edition_2026.intro_fr
    assert "more than 25 countries" in edition_2026.intro_en
    assert Partner.objects.get(name="PLATFORMA").tier == Partner.Tier.SUPPORT
    first_workshops = Session.objects.filter(slot__starts_at=at("2026-07-08 14:30"))
    assert [s.title_fr for s in first_workshops] == [
        "Atelier thématique 1 (intitulé à venir)",
        "Atelier thématique 2 (intitulé à venir)",
        "Réunion régionale 1 (zone à venir)",
        "Rencontres B2B à l'Espace des Partenaires",
    ]
    assert [s.position for s in first_workshops] == [1, 2, 3, 4]
