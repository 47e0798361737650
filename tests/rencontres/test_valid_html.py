"""Valid HTML: the Nu HTML Checker (npm `vnu-jar`, run with the system Java) finds no error on
any page the site serves, in French and English, in every state a visitor can meet: the
registration form before, during and after the registration period, with its errors shown,
the attendee's own pages, the error pages, the staff's own tools, the HTML emails and the
stylesheets."""

import json
import shutil
import subprocess
from datetime import datetime

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
    assert len(documents) == 2 * per_language + 4 + 1 == 89
    shown = [name for name, html in documents.items() if 'id="error-summary"' in html]
    assert sorted(shown) == sorted(name for name in documents if name.endswith("(errors)"))
    assert failing(checker_errors(documents, tmp_path)) == ""


def test_staff_tools_are_valid_html(admin_client, edition_2026, tmp_path):
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
            "/admin/meetings/schedulerun/add/",  # asking for a B2B scheduling run
        )
    }
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
    documents = {}
    for language in LANGUAGES:
        for status in ("confirmed", "waitlisted"):
            registration = make_registration(edition_2026, status=status, language=language)
            for kind in kinds:
                email = OutgoingEmail(registration=registration, kind=kind, context=context)
                emails.render(email)
                documents[f"{kind} ({language}, {status})"] = email.html_body
                assert f"<title>{escape(email.subject)}</title>" in email.html_body
    assert len(kinds) == 6 and len(documents) == 24
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
            elif isinstance(pattern, URLPattern) and "<" not in route and not route.endswith(files):
                yield namespace + pattern.name

    with translation.override("fr"):
        found = set(names(get_resolver().url_patterns))
    assert found == set(PUBLIC)
