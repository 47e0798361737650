"""Settings read from the environment."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from rencontres.settings import parse_cache_url, parse_email_url

# No database here (tests/conftest.py).
pytestmark = pytest.mark.once


def test_smtp_url_with_tls_and_credentials():
    mailer = parse_email_url("smtp+tls://user%40example.org:p%3Ass@mail.example.org:587")
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"] == {
        "host": "mail.example.org",
        "port": 587,
        "username": "user@example.org",
        "password": "p:ss",
        "use_tls": True,
        "use_ssl": False,
        "timeout": 10,
    }


def test_smtp_timeout_never_above_ten_seconds():
    assert parse_email_url("smtp://127.0.0.1:2525?timeout=60")["OPTIONS"]["timeout"] == 10
    assert parse_email_url("smtp://127.0.0.1:2525?timeout=3")["OPTIONS"]["timeout"] == 3


def test_console_and_file_mailers():
    assert parse_email_url("console://")["BACKEND"].endswith("console.EmailBackend")
    assert parse_email_url("file:///tmp/mail")["OPTIONS"] == {"file_path": "/tmp/mail"}


@pytest.mark.parametrize("parse", [parse_email_url, parse_cache_url])
def test_unknown_scheme_is_a_clear_error(parse):
    with pytest.raises(ImproperlyConfigured, match="unsupported scheme"):
        parse("gopher://example.org")


def test_cache_urls():
    assert parse_cache_url("redis://cache:6379/0")["BACKEND"].endswith("RedisCache")
    assert parse_cache_url("file:///var/tmp/c")["LOCATION"] == "/var/tmp/c"


def test_mail_goes_through_mailers(settings):
    assert settings.MAILERS["default"]["BACKEND"]
    assert not hasattr(settings, "EMAIL_HOST") or "EMAIL_HOST" not in dir(settings._wrapped)


def settings_process(tmp_path, code="import rencontres.settings as s; print(s.VAR_DIR)", **env):
    """Run `code` (by default: import the project's settings) in a fresh process with this
    environment."""
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "VAR_DIR")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env={**base, "VAR_DIR": str(tmp_path / "var"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_debug_a_missing_secret_key_stops_the_process(tmp_path):
    """A key made up on each server would differ from the next server's: refuse instead."""
    result = settings_process(tmp_path, DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()


def test_with_debug_a_development_key_is_made_once(tmp_path):
    assert settings_process(tmp_path, DEBUG="1").returncode == 0
    key = (tmp_path / "var" / "secret_key").read_text()
    assert settings_process(tmp_path, DEBUG="1").returncode == 0
    assert (tmp_path / "var" / "secret_key").read_text() == key


def test_var_dir_is_created_when_the_secret_key_is_given(tmp_path):
    """migrate failed on a fresh folder: with SECRET_KEY set, VAR_DIR was never created."""
    result = settings_process(tmp_path, DEBUG="0", SECRET_KEY="x" * 60)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var").is_dir()


SQLITE_CONNECTION = """
import django
from django.core.signals import request_finished
from django.db import connection
django.setup()
connection.ensure_connection()
opened = connection.connection
request_finished.send(sender=None)  # what Django does at the end of each request
mode = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
print(mode, connection.connection is opened)
"""


def test_the_default_sqlite_database_keeps_its_connection_and_writes_ahead(tmp_path):
    """`make run`'s database: in WAL mode (readers never wait for a writer) and its
    connection kept from one request to the next (opening one cost more than a page)."""
    env = {"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "rencontres.settings", "DATABASE_URL": ""}
    result = settings_process(tmp_path, SQLITE_CONNECTION, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "True"]
