"""Settings read from the environment."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from rencontres.settings import parse_cache_url, parse_email_url


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
