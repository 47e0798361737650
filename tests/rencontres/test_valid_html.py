"""Valid HTML: the Nu HTML Checker (npm `vnu-jar`, run with the system Java) finds no error on
any page the site serves, in French and English, in every state a visitor can meet: the
registration form before, during and after the registration period, with its errors shown,
the attendee's own pages, the error pages, the staff's own tools, the HTML emails and the
stylesheets."""

import json
import shutil
import subprocess
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.template import loader
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from django.utils.html import escape

from events.models import Session
from registration import emails
from registration.models import OutgoingEmail
from tests.factories import make_registration
from tests.pages import LANGUAGES, PERSONAL, PUBLIC, personal_paths, public_paths
from tests.registration.conftest import MAY, PARIS, form_data, last_link
from tests.worker import run_worker

VNU = settings.BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# The checker judges markup and stylesheets, the same from either database (tests/conftest.py).
pytestmark = pytest.mark.once


def checker_errors(documents, tmp_path, kind="html"):
    """{name: [error, …]} from one run of the checker over {name: HTML or CSS text}."""
    java = shutil.which("java")
    if not java or not VNU.exists():
        pytest.fail("Java or node_modules/vnu-jar is missing: run `make install`")
    files = {}
    for number, (name, html) in enumerate(documents.items()):
        path = tmp_path / f"document-{number}.{kind}"
        path.write_text(html, encoding="utf-8")
        files[path.name] = name
    result = subprocess.run(
        [
            java,
            "-jar",
            str(VNU),
            f"--{kind}",
            "--errors-only",
            "--format",
            "json",
            "--stdout",
            tmp_path,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout)
    errors = {name: [] for name in documents}
    for message in report["messages"]:
        url = message.get("url", "")  # file:/tmp/…/document-3.html
        name = files.get(url.rsplit("/", 1)[-1], url)
        line = message.get("lastLine", "?")
        errors.setdefault(name, []).append(f"line {line}: {message['message']}")
    return errors


def failing(errors):
    """The documents with errors, one line each (empty when all are valid)."""
    return "\n".join(f"{name}: {found}" for name, found in errors.items() if found)


def page(client, path, post=None):
    """The HTML a visitor ends up on (after the redirect that follows a successful post)."""
    response = client.get(path) if post is None else client.post(path, post, follow=True)
    assert response.status_code in (200, 404, 429), (path, response.status_code)
    assert response["Content-Type"].startswith("text/html"), path
    return response.text


def test_the_checker_finds_errors(tmp_path):
    """The gate can fail: a misnested page is reported, a valid one is not."""
    head = '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>t</title></head>'
    errors = checker_errors(
        {
            "valid": head + "<body><p>Bonjour</p></body></html>",
            "broken": head + '<body><p>Bonjour<div id="a"></p><span id="a"></span></body></html>',
        },
        tmp_path,
    )
    assert errors["valid"] == []
    assert any("Duplicate ID" in error for error in errors["broken"]), errors["broken"]


def test_public_and_personal_pages_are_valid_html(
    client, edition_2026, time_machine, django_capture_on_commit_callbacks, settings, tmp_path
):
    time_machine.move_to(MAY, tick=True)
    documents = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            for path in public_paths(lang, Session.objects.all()):
                documents[path] = page(client, path)
            register = reverse("registration:register")
            documents[f"{register} (errors)"] = page(client, register, {"first_name": "A"})
            lost = reverse("registration:lost_link")
            documents[f"{lost} (sent)"] = page(client, lost, {"email": "x@example.org"})
            documents[f"/{lang}/nulle-part/ (404)"] = page(client, f"/{lang}/nulle-part/")

    # The attendee's own pages, reached through the link of the confirmation email.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/fr/inscription/", form_data()).status_code == 302
    run_worker()
    token = last_link("awa.diallo@example.org").rstrip("/").rsplit("/", 1)[1]
    for lang in LANGUAGES:
        with translation.override(lang):
            for path in personal_paths(lang, token):
                documents[path] = page(client, path)
            change = reverse("registration:change", args=[token])
            documents[f"{change} (errors)"] = page(client, change, {"last_name": ""})

    # Registration not open yet, then over.
    for moment in (datetime(2026, 4, 1, 12, tzinfo=PARIS), datetime(2026, 7, 20, tzinfo=PARIS)):
        time_machine.move_to(moment)
        for lang in LANGUAGES:
            with translation.override(lang):
                path = reverse("registration:register")
            documents[f"{path} ({moment:%d %B})"] = page(client, path)

    time_machine.move_to(MAY)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "lost_link": (0, 900)}
    for lang in LANGUAGES:
        with translation.override(lang):
            lost = reverse("registration:lost_link")
        documents[f"{lost} (429)"] = page(client, lost, {"email": "x@example.org"})
    documents["500"] = loader.get_template("500.html").render({})

    # No page overwrote another: per language the public pages, each session, the form with
    # errors, « lien perdu » sent, a 404, four personal pages, the 429; then the form before
    # and after the registration period in each language, and the 500 page.
    per_language = len(PUBLIC) + Session.objects.count() + 3 + len(PERSONAL) + 1 + 1
    assert len(documents) == 2 * per_language + 4 + 1 == 97
    shown = [name for name, html in documents.items() if 'id="error-summary"' in html]
    assert sorted(shown) == sorted(name for name in documents if name.endswith("(errors)"))
    assert failing(checker_errors(documents, tmp_path)) == ""


def test_staff_tools_are_valid_html(admin_client, edition_2026, admin_user, tmp_path, time_machine):
    from outreach.models import StaffMessage
    from outreach.services import campaign_open
    from registration.models import Registration
    from staff.models import BadgeSheet
    from staff.sheets import badge_sheet_request
    from tests.outreach.test_reconfirmation import DEADLINE, JUNE
    from tests.staff.conftest import sign_up

    message = StaffMessage.objects.create(
        edition=edition_2026, audience="everyone", subject_fr="Objet", body_fr="Texte\n\nFin."
    )
    person = sign_up(edition_2026, email="silent@example.org")
    campaign = campaign_open(edition=edition_2026, deadline=DEADLINE, user=None, now=JUNE)
    campaigns = "/admin/outreach/reconfirmationcampaign/"
    make_registration(edition_2026)
    sheet = badge_sheet_request(
        edition=edition_2026,
        registrations=Registration.objects.all(),
        description="Tout le monde",
        user=admin_user,
    )
    # Waiting for a worker for two minutes: the page says none seems to run.
    BadgeSheet.objects.filter(pk=sheet.pk).update(
        created_at=sheet.created_at - timedelta(minutes=2)
    )
    documents = {
        path: page(admin_client, path)
        for path in (
            "/admin/",
            reverse("staff:dashboard"),
            reverse("staff:sessions"),
            reverse("staff:session", args=[Session.objects.first().pk]),
            reverse("staff:desk"),
            reverse("staff:badge_sheets"),
            "/admin/registration/registration/add/",  # registering someone by hand
            "/admin/outreach/staffmessage/add/",  # a message to attendees
            f"/admin/outreach/staffmessage/{message.pk}/envoyer/",  # its preview
            f"/admin/registration/registration/{person.pk}/sessions/",  # staff change…
            f"/admin/registration/registration/{person.pk}/annuler/",  # …or cancel
            f"{campaigns}add/",  # a reconfirmation campaign
            f"{campaigns}{campaign.pk}/change/",
            "/admin/registration/registration/",  # the list staff work from, its filters
            "/admin/staff/exportlog/",
            reverse("staff:badge_sheet", args=[sheet.pk]),
            "/admin/meetings/schedulerun/add/",  # asking for a B2B scheduling run
            reverse("staff:b2b_followup"),  # B2B meetings held or not, the absent
            "/admin/meetings/meeting/",  # the meetings with their held / absent filters
        )
    }
    assert "worker-silent" in documents[reverse("staff:badge_sheet", args=[sheet.pk])]
    time_machine.move_to(DEADLINE + timedelta(hours=1))
    documents["release preview"] = page(admin_client, f"{campaigns}{campaign.pk}/liberer/")
    assert failing(checker_errors(documents, tmp_path)) == ""


def test_reconfirmation_pages_are_valid_html(client, edition_2026, tmp_path, time_machine):
    """The pages the reconfirmation email's links open, before and after answering."""
    from outreach.services import campaign_open
    from tests.outreach.test_reconfirmation import DEADLINE, JUNE, links_to
    from tests.staff.conftest import sign_up

    time_machine.move_to(JUNE)
    for language in LANGUAGES:
        registration = sign_up(edition_2026, email=f"{language}@example.org")
        registration.language = language
        registration.save()
    campaign_open(edition=edition_2026, deadline=DEADLINE, user=None)
    run_worker()
    documents = {}
    for language in LANGUAGES:
        yes, no = links_to(f"{language}@example.org")
        documents[f"yes ({language})"] = page(client, yes)
        documents[f"no ({language})"] = page(client, no)
        documents[f"coming ({language})"] = page(client, yes, {})
        documents[f"not coming ({language})"] = page(client, no, {})
    assert failing(checker_errors(documents, tmp_path)) == ""


def test_check_in_desk_states_are_valid_html(admin_client, edition_2026, tmp_path, time_machine):
    """The desk's card in each state, an unknown code, a search with and without results."""
    from staff.models import CheckIn

    time_machine.move_to(datetime(2026, 7, 9, 9, 0, tzinfo=PARIS), tick=False)
    arrived = make_registration(edition_2026, lunch=True, dietary_needs="Végétarien")
    CheckIn.objects.create(registration=arrived, day=arrived.days.last().day, at=MAY)
    other_day = make_registration(edition_2026, days=[datetime(2026, 7, 8).date()])
    waiting = make_registration(edition_2026, status="waitlisted")
    desk = reverse("staff:desk")
    documents = {
        path: page(admin_client, path)
        for path in (
            f"{desk}?personne={arrived.pk}&etat=nouveau",
            f"{desk}?personne={other_day.pk}&etat=confirmer",
            f"{desk}?personne={waiting.pk}",
            f"{desk}?personne={other_day.pk}&etat=annule",
            f"{desk}?inconnu=ZZZZ22ZZZZ",
            f"{desk}?q=martin",
            f"{desk}?q=personne",
        )
    }
    assert "Annuler cette arrivée" in documents[f"{desk}?personne={arrived.pk}&etat=nouveau"]
    assert failing(checker_errors(documents, tmp_path)) == ""


def test_attestation_pages_are_valid_html(client, edition_2026, tmp_path, time_machine):
    """The verification page (a valid code, an unknown one) and the personal page offering
    the attestation, in both languages."""
    from registration.models import AccessKey
    from staff.attestations import attestation_issue
    from staff.models import CheckIn

    time_machine.move_to(datetime(2026, 7, 10, 9, 0, tzinfo=PARIS), tick=False)
    person = make_registration(edition_2026)
    CheckIn.objects.create(registration=person, day=datetime(2026, 7, 9).date(), at=MAY)
    _attestation, code = attestation_issue(registration=person)
    token = AccessKey.issue(person)
    documents = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            paths = (
                reverse("attendance:verify", kwargs={"code": code}),
                reverse("attendance:verify", kwargs={"code": "x" * 22}),
                reverse("registration:manage", kwargs={"token": token}),
            )
        documents |= {path: page(client, path) for path in paths}
    assert (
        sum("attestation.pdf" in html or "certificate.pdf" in html for html in documents.values())
        == 2
    )
    assert failing(checker_errors(documents, tmp_path)) == ""


def test_stylesheets_are_valid_css(client, edition_2026, tmp_path):
    sheets = {path.name: path.read_text() for path in (settings.BASE_DIR / "static").rglob("*.css")}
    sheets["/types.css"] = client.get("/fr/types.css").text  # the session types' colours
    assert "site.css" in sheets and "badge.css" in sheets
    assert failing(checker_errors(sheets, tmp_path, kind="css")) == ""


def test_html_emails_are_valid(edition_2026, tmp_path):
    """The HTML part of every message the site sends, in both languages (their text part is
    checked by the email tests)."""
    folder = settings.BASE_DIR / "templates" / "registration" / "email"
    kinds = sorted(path.stem for path in folder.glob("*.html") if path.stem != "base")
    context = {
        "url": "https://rencontres.example.org/fr/inscription/espace/abc/",
        "badge_url": "https://rencontres.example.org/fr/inscription/espace/abc/badge.pdf",
        "session_title": "Atelier thématique 1",
        "duplicate_signup": True,
    }
    moved = Session.objects.get(title_fr__startswith="Atelier thématique 1")
    context["session_id"] = moved.pk
    before = {
        "old_starts_at": "2026-07-08T14:30:00+02:00",
        "old_ends_at": "2026-07-08T16:00:00+02:00",
        "old_room": "Salon <Iéna>",
    }
    context["changes"] = [
        {"session_id": moved.pk, "title_fr": "x", "title_en": "", "kinds": ["moved", "overlap"]}
        | before,
        {
            "session_id": None,
            "title_fr": "Atelier <supprimé>",
            "title_en": "",
            "kinds": ["cancelled"],
        }
        | before,
    ]
    documents = {}
    for language in LANGUAGES:
        for status in ("confirmed", "waitlisted"):
            registration = make_registration(edition_2026, status=status, language=language)
            for kind in kinds:
                email = OutgoingEmail(registration=registration, kind=kind, context=context)
                emails.render(email)
                documents[f"{kind} ({language}, {status})"] = email.html_body
                assert f"<title>{escape(email.subject)}</title>" in email.html_body
    assert len(kinds) == 7 and len(documents) == 28
    assert failing(checker_errors(documents, tmp_path)) == ""


def test_outreach_html_emails_are_valid(edition_2026, tmp_path):
    """The messages of outreach/ (staff messages, reminders), in both languages."""
    from outreach.models import StaffMessage

    message = StaffMessage.objects.create(
        edition=edition_2026, audience="everyone", subject_fr="Objet", body_fr="Un\n\nDeux <b>"
    )
    from outreach.models import Reconfirmation
    from outreach.services import campaign_open
    from tests.outreach.test_reconfirmation import DEADLINE, JUNE

    for language in LANGUAGES:
        make_registration(edition_2026, language=language, email=f"{language}@example.org")
    campaign_open(edition=edition_2026, deadline=DEADLINE, user=None, now=JUNE)
    contexts = {
        "staff_message": {"message": message.pk},
        "reminder (week)": {"reminder": "week"},
        "reminder (day)": {"reminder": "day"},
    }
    documents = {}
    for language in LANGUAGES:
        row = Reconfirmation.objects.get(registration__email=f"{language}@example.org")
        registration = row.registration
        contexts["reconfirmation"] = {"reconfirmation": row.pk}
        contexts["reconfirmation (reminder)"] = {"reconfirmation": row.pk, "reminder": True}
        for name, context in contexts.items():
            kind = name.partition(" ")[0]
            email = OutgoingEmail(registration=registration, kind=kind, context=context)
            emails.render(email, token="abc-def")
            documents[f"{name} ({language})"] = email.html_body
            assert f"<title>{escape(email.subject)}</title>" in email.html_body
    assert "Deux &lt;b&gt;" in documents["staff_message (fr)"]
    assert failing(checker_errors(documents, tmp_path)) == ""


def test_the_list_of_pages_has_every_public_page():
    """A page added to the site without parameters is in the quality gates' list (files
    such as .ics, .css, .json, .xml are not pages)."""
    files = (".ics", ".css", ".json", ".xml")

    def names(patterns, namespace=""):
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver) and not route.startswith("admin/"):
                inner = f"{pattern.namespace}:" if pattern.namespace else namespace
                yield from names(pattern.url_patterns, inner)
            elif (
                isinstance(pattern, URLPattern)
                and "<" not in route
                and not route.endswith(files)
                and not route.startswith("admin/")  # /en/admin/: a language switch
            ):
                yield namespace + pattern.name

    with translation.override("fr"):
        found = set(names(get_resolver().url_patterns))
    assert found == set(PUBLIC)


def test_now_screen_and_archive_are_valid_html(client, edition_2026, time_machine, tmp_path):
    """« Maintenant / ensuite » during the event (and its screens' variant, which reloads),
    and a past edition's archive once next year's edition is current."""
    from datetime import date

    from events.models import Edition
    from events.services import edition_copy

    time_machine.move_to(datetime(2026, 7, 8, 14, 45, tzinfo=PARIS))
    documents = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            now = reverse("events:now")
        documents[f"{now} (during)"] = page(client, now)
        documents[f"{now}?ecran=1"] = page(client, now + "?ecran=1")
    new = edition_copy(edition=edition_2026, number=18, start_date=date(2027, 7, 7))
    Edition.objects.filter(pk=edition_2026.pk).update(is_current=False)
    new.is_current = True
    new.save()
    for lang in LANGUAGES:
        with translation.override(lang):
            for path in (reverse("events:archives"), reverse("events:archive", args=[17])):
                documents[path] = page(client, path)
    assert len(documents) == 8
    assert failing(checker_errors(documents, tmp_path)) == ""


def test_b2b_screen_is_valid_html(client, edition_2026, time_machine, tmp_path):
    """The « next meetings » screen during a meeting time, during a changeover and once
    the meetings are over, in both languages."""
    from tests.meetings.screen_data import screen_with_meetings

    token = screen_with_meetings(edition_2026, time_machine)
    documents = {}
    for moment in ((14, 40), (14, 52), (23, 0)):
        time_machine.move_to(datetime(2026, 7, 9 if moment[0] == 23 else 8, *moment, tzinfo=PARIS))
        for lang in LANGUAGES:
            with translation.override(lang):
                path = reverse("meetings:screen", args=[token])
            documents[f"{path} at {moment}"] = page(client, path)
    assert "Amadou Diallo" in documents[f"{path} at (14, 40)"]
    assert failing(checker_errors(documents, tmp_path)) == ""
