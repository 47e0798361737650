"""Security by default: CSP on every page, production settings pass check --deploy."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.template import loader

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "rencontres.example.org",
    "SITE_URL": "https://rencontres.example.org",
    "EMAIL_URL": "smtp+tls://user:password@smtp.example.org:587",
    "DATABASE_URL": "postgres://user:password@db.example.org:5432/rencontres",
}


def run_production(*args, var_dir=None, timeout=120):
    env = {**os.environ, **PRODUCTION}
    if var_dir:
        env["VAR_DIR"] = str(var_dir)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# These two run manage.py as production does, whose database is not the tests' (and is not
# reached): once (tests/conftest.py).
@pytest.mark.once
def test_check_deploy_has_nothing_to_say():
    result = run_production("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.once
def test_production_response_headers(tmp_path):
    script = (
        "from django.test import Client\n"
        # The admin's login page needs no database (none runs here).
        "r = Client().get('/admin/login/', secure=True, HTTP_HOST='rencontres.example.org')\n"
        "print(r.status_code)\n"
        "print(repr(r.headers['Strict-Transport-Security']))\n"
        "r = Client().get('/fr/', HTTP_HOST='rencontres.example.org')\n"
        "print(r.status_code, r.headers['Location'])\n"
        "from django.conf import settings as s\n"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)\n"
    )
    # As deployed: static files collected first (hashed names, manifest).
    # About a minute of CPU (every file compressed): on a machine shared with other runs it
    # took over 120 s, so the guard against a hang is wider here.
    collected = run_production("collectstatic", "--noinput", "-v0", var_dir=tmp_path, timeout=600)
    assert collected.returncode == 0, collected.stderr
    result = run_production("shell", "--no-imports", "-c", script, var_dir=tmp_path)
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0, result.stderr
    assert lines[-4] == "200"
    hsts = lines[-3]
    seconds = int(hsts.split("max-age=")[1].split(";")[0])
    assert seconds >= 31_536_000 and "includeSubDomains" in hsts
    assert lines[-2] == "301 https://rencontres.example.org/fr/"  # plain HTTP goes to HTTPS
    assert lines[-1] == "True True"  # cookies only over HTTPS


@pytest.mark.parametrize("path", ["/fr/", "/fr/programme/", "/fr/inscription/", "/en/"])
def test_strict_content_security_policy(client, edition_2026, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.parametrize(
    ("lang", "title"),
    [("fr", "Cette page n'existe pas ou plus"), ("en", "This page does not exist")],
)
def test_404_page_in_the_site_design(client, edition_2026, lang, title):
    response = client.get(f"/{lang}/nulle-part/")
    assert response.status_code == 404
    assert title in response.text
    assert 'class="site-header"' in response.text


def test_500_page_renders_without_the_database():
    # No database access is allowed in this test: the page must not need one.
    html = loader.get_template("500.html").render({})
    assert "Une erreur est survenue" in html and "Something went wrong" in html
    assert "<script" not in html and "style=" not in html
