"""Browser tests: Debian's Chromium driven by Playwright against the live test server."""

import os
import shutil

import pytest

from tests.conftest import load_edition_2026

# Playwright's sync API runs an event loop in the test thread, where the live server's
# database calls then happen too.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_itemcollected(item):
    """What a browser sees does not depend on the database behind the pages, which the
    tests without a browser check on both: every test here runs once (tests/conftest.py)."""
    item.add_marker(pytest.mark.once)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def live_edition(transactional_db, live_server):
    """The 2026 edition in a database the live server thread sees (committed)."""
    load_edition_2026()
    from events.models import Edition

    return Edition.objects.get(number=17)
