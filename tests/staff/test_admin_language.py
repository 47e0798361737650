"""The admin and the staff tools in French (the default) and in English: /en/admin/ switches,
the labels computed in code follow the language of each request."""

from html import unescape

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.html import escape

from registration import emails
from tests.factories import make_registration

LIST = "/admin/registration/registration/"


def admin_page(client, lang, path):
    """The text of an admin page after switching the admin to `lang`."""
    client.get(f"/{lang}/admin/")
    return client.get(path).text


def in_english(client):
    response = client.get("/en/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert response.cookies["django_language"].value == "en"
    return client


def test_en_admin_switches_the_admin_to_english_and_fr_back(admin_client, edition_2026):
    assert "Gestion de l&#x27;événement" in admin_client.get("/admin/").text
    in_english(admin_client)
    home = admin_client.get("/admin/").text
    assert "Event management" in home and 'lang="en"' in home
    assert "Tableau de bord" not in admin_client.get("/admin/outils/tableau-de-bord/").text

    response = admin_client.get("/fr/admin/")
    assert response.cookies["django_language"].value == "fr"
    assert "Gestion de l&#x27;événement" in admin_client.get("/admin/").text


def test_the_switch_keeps_the_page_and_its_query(admin_client, edition_2026):
    page = "/admin/registration/registration/?status__exact=waitlisted&q=hu%C3%A9"
    response = admin_client.get("/en/admin/", {"next": page})
    assert response["Location"] == page
    assert response["Cache-Control"] == "no-store"
    cookie = response.cookies["django_language"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    # Only to an admin page of this site.
    for elsewhere in ("https://evil.example/admin/", "//evil.example/admin/", "/fr/", "/admin"):
        assert admin_client.get("/en/admin/", {"next": elsewhere})["Location"] == "/admin/"


def test_a_missing_admin_page_stays_a_404(admin_client):
    """Not sent round /fr/admin/… by the locale middleware (a redirect loop)."""
    assert admin_client.get("/admin/outils/badges/999/badges.pdf").status_code == 404
    assert admin_client.get("/fr/admin/outils/").status_code == 404


@pytest.mark.parametrize(
    ("lang", "link", "name"),
    [
        ("fr", "/en/admin/?next=%2Fadmin%2Foutils%2Ftableau-de-bord%2F%3Fx%3D1", "English"),
        ("en", "/fr/admin/?next=%2Fadmin%2Foutils%2Ftableau-de-bord%2F%3Fx%3D1", "Français"),
    ],
)
def test_every_admin_page_links_to_the_other_language(admin_client, edition_2026, lang, link, name):
    html = admin_page(admin_client, lang, "/admin/outils/tableau-de-bord/?x=1")
    assert f'<a href="{link}" lang="{name[:2].lower()}" hreflang' in html
    assert f">{name}</a>" in html


@pytest.mark.parametrize(
    ("lang", "expected", "absent"),
    [
        ("fr", "Catégorie → Intervenant·e", "Category → Speaker"),
        ("en", "Category → Speaker", "Catégorie → Intervenant·e"),
    ],
)
def test_action_labels_follow_the_language_of_the_request(
    admin_client, edition_2026, lang, expected, absent
):
    make_registration(edition_2026)
    html = admin_page(admin_client, lang, LIST)
    assert expected in html and absent not in html


@pytest.mark.parametrize(
    ("lang", "section", "model"),
    [
        ("fr", "Tâches en arrière-plan", "Tâches (courriels, badges, purge)"),
        ("en", "Background tasks", "Tasks (emails, badges, purge)"),
    ],
)
def test_the_task_results_have_a_name_staff_can_read(admin_client, lang, section, model):
    html = admin_page(admin_client, lang, "/admin/")
    assert "Tasks Database Backend" not in html
    assert section in html and model in html


@pytest.mark.parametrize(
    ("lang", "label"),
    [("fr", "Confirmation d'inscription"), ("en", "Registration confirmation")],
)
def test_email_kinds_show_their_names(admin_client, edition_2026, lang, label):
    emails.registration_created(make_registration(edition_2026))
    html = admin_page(admin_client, lang, "/admin/registration/outgoingemail/")
    assert html.count(escape(label)) >= 2  # the column and the filter
    assert ">registration_created<" not in html


@pytest.mark.parametrize(
    ("lang", "label"),
    [("fr", "Changement de programme"), ("en", "Programme change")],
)
def test_kinds_of_other_apps_and_programme_changes_show_their_names(
    admin_client, edition_2026, lang, label
):
    from registration.models import OutgoingEmail

    registration = make_registration(edition_2026)
    for kind in ("programme_changed", "staff_message"):
        OutgoingEmail.objects.create(
            registration=registration, kind=kind, to=registration.email, message_id=f"<{kind}@t>"
        )
    html = admin_page(admin_client, lang, "/admin/registration/outgoingemail/")
    assert escape(label) in html
    assert escape({"fr": "Message de l'équipe", "en": "Message from the team"}[lang]) in html
    assert ">programme_changed<" not in html and ">staff_message<" not in html


def test_a_promotion_names_the_session_in_the_promoted_person_s_language(
    admin_client, edition_2026, full_workshop, time_machine
):
    """Staff read the admin in English and cancel the seated person: the next in line
    (French) reads the session's French title; once the session is gone, the title stored
    when the message was queued is what is left."""
    from datetime import datetime

    from django.core import mail

    from registration import programme
    from registration.models import OutgoingEmail
    from tests.factories import PARIS
    from tests.worker import run_worker

    time_machine.move_to(datetime(2026, 6, 1, 10, 0, tzinfo=PARIS), tick=False)
    session, (seated, first_in_line, second) = full_workshop
    assert first_in_line.language == "fr"
    in_english(admin_client)
    cancel = "/admin/registration/registration/{}/annuler/"
    assert admin_client.post(cancel.format(seated.pk)).status_code == 302
    run_worker()
    (promoted,) = [m for m in mail.outbox if m.subject.startswith("Une place s'est libérée")]
    assert "Atelier thématique 1 (intitulé à venir)" in promoted.body
    assert "Thematic workshop" not in promoted.body

    assert admin_client.post(cancel.format(first_in_line.pk)).status_code == 302
    email = OutgoingEmail.objects.get(registration=second, kind="booking_promoted")
    programme.session_delete(session=session)
    run_worker()
    email.refresh_from_db()
    assert email.context["session_title"] in email.body


@pytest.mark.parametrize(
    ("lang", "staff_message", "b2b"),
    [
        ("fr", "Message de l'équipe", "B2B : demande reçue"),
        ("en", "Message from the team", "B2B: request received"),
    ],
)
def test_the_outbox_names_and_filters_every_kind_present(
    admin_client, edition_2026, lang, staff_message, b2b
):
    """Kinds registered by other apps (outreach, meetings) read by their labels on the
    change page, and the kind filter offers the kinds present, each with its label."""
    from registration.models import OutgoingEmail

    registration = make_registration(edition_2026)
    sent = {
        kind: OutgoingEmail.objects.create(
            registration=registration, kind=kind, to=registration.email, message_id=f"<{kind}@t>"
        )
        for kind in ("staff_message", "b2b_request_received", "registration_created")
    }
    admin_client.get(f"/{lang}/admin/")
    outbox = "/admin/registration/outgoingemail/"
    for kind, label in (("staff_message", staff_message), ("b2b_request_received", b2b)):
        page = admin_client.get(f"{outbox}{sent[kind].pk}/change/").text
        field = page[page.index("field-kind_label") :][:600]
        assert escape(label) in field
        filtered = admin_client.get(outbox, {"kind__exact": kind})
        assert filtered.status_code == 200
        assert list(filtered.context["cl"].result_list) == [sent[kind]]
        assert f"?kind__exact={kind}" in filtered.text
    listing = admin_client.get(outbox).text
    assert "?kind__exact=registration_created" in listing
    assert "?kind__exact=programme_changed" not in listing  # not in the outbox: not offered


def test_every_model_says_one_and_several_apart_in_english():
    """A French word the same in the plural (« rendez-vous ») gave one English word for
    both: the English admin listed « Meeting » between « Meeting requests » and « Meeting
    scheduling runs ». « access » is uncountable in English too."""
    with translation.override("en"):
        same = [
            model._meta.label
            for model in apps.get_models()
            if str(model._meta.verbose_name) == str(model._meta.verbose_name_plural)
        ]
    assert same == ["events.AccessOption"]


def test_the_english_admin_lists_meetings(admin_client, edition_2026):
    in_english(admin_client)
    assert ">Meetings</a>" in admin_client.get("/admin/").text


@pytest.mark.parametrize(
    ("lang", "tools", "records"),
    [
        ("fr", "Outils de l'équipe", "Registres de l'équipe"),
        ("en", "Staff tools", "Staff records"),
    ],
)
def test_the_staff_tools_and_what_they_record_have_a_heading_each(
    admin_client, edition_2026, lang, tools, records
):
    """The index's box of staff tools and the staff app's records (arrivals taken back,
    attestations, exports) were both « Outils de l'équipe »."""
    text = unescape(admin_page(admin_client, lang, "/admin/"))
    assert text.count(tools) == 1 and text.count(records) == 1
