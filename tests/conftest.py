import contextlib
import os
import tempfile
from unittest import mock

import dj_database_url
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import override_settings

from tests import postgres
from tests.snapshot import Replayable

# The SMTP server fixture (smtp_port) for email tests anywhere in the suite.
pytest_plugins = ["tests.smtp"]

FIXTURE = settings.BASE_DIR / "fixtures" / "edition_2026.json"


def pytest_addoption(parser):
    parser.addoption(
        "--postgres",
        action="store_true",
        help="run the suite on PostgreSQL (DATABASE_URL, or a server the tests start)",
    )


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` prove concurrency, which SQLite cannot: they run only in the
    PostgreSQL run of `make test` (deselected, not skipped, in the SQLite run).

    Tests marked `once` judge what a tool outside Django sees (a browser, the HTML checker,
    a PDF's text, a process started with production's settings and no database): the
    database only stores what they look at, through the same code the other tests run on
    both databases. A second run on PostgreSQL would prove nothing more and costs minutes:
    they run in the SQLite run only (deselected in the PostgreSQL run).

    `make test` runs the whole suite on PostgreSQL, production's engine, and on SQLite only
    `-m "sqlite or once"`: tests marked `sqlite` depend on the engine (see the README's
    « Tests »). A plain `pytest` (SQLite) still runs everything but the `postgres` tests."""
    on_postgres = config.getoption("postgres")
    unwanted = "once" if on_postgres else "postgres"
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker(unwanted) else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def pytest_report_header(config):
    return f"database: {'PostgreSQL' if config.getoption('postgres') else 'SQLite'}"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix):
    if not request.config.getoption("postgres"):
        assert settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
        return
    try:
        url = postgres.database_url()
    except postgres.PostgresUnavailable as error:
        pytest.exit(f"--postgres: {error}", returncode=3)
    new = dj_database_url.parse(url, conn_max_age=0)
    default = settings.DATABASES["default"]
    default.clear()
    default.update(connections.configure_settings({"default": new})["default"])
    # pytest-xdist: a database of each worker's own (pytest-django's suffix was given to
    # the SQLite settings replaced here).
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    if worker:
        default["TEST"]["NAME"] = (
            f"{default['TEST'].get('NAME') or 'test_' + default['NAME']}_{worker}"
        )
    connections.close_all()
    with contextlib.suppress(AttributeError):  # one made before this point is SQLite's
        del connections["default"]


def _memory_folder():
    """/dev/shm (memory) when there is one: the file cache writes a file and renames it for
    each change to the programme (60 for each edition loaded), about five times slower on
    disk than in memory on these machines. Elsewhere, the system's temporary folder."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None


@pytest.fixture(scope="session", autouse=True)
def test_environment():
    """A cache of the tests' own (shared by threads and processes like the real one) and
    static files served from the source folders, without collectstatic."""
    with tempfile.TemporaryDirectory(prefix="rencontres-test-", dir=_memory_folder()) as folder:
        cache = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache"}
        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            "private": {
                **settings.STORAGES["private"],
                "OPTIONS": {"location": f"{folder}/private"},
            },
        }
        with override_settings(
            CACHES={
                "default": {**cache, "LOCATION": f"{folder}/cache"},
                "ratelimit": {**cache, "LOCATION": f"{folder}/ratelimit"},
            },
            STORAGES=storages,
            STATIC_ROOT=folder,
            MEDIA_ROOT=f"{folder}/media",
            WHITENOISE_USE_FINDERS=True,
            WHITENOISE_AUTOREFRESH=True,
        ):
            # A FileField takes its storage when the model is imported, before this override:
            # point the badge sheets' at the tests' private folder, not the project's var/.
            from django.core.files.storage import storages

            from staff.models import BadgeSheet

            field = BadgeSheet._meta.get_field("pdf")
            kept, field.storage = field.storage, storages["private"]
            try:
                yield
            finally:
                field.storage = kept


@pytest.fixture(autouse=True)
def _french_again():
    """A request to an English page leaves English active in the test's thread (the locale
    middleware does not switch back): the next test starts in French again, whatever ran
    before it."""
    yield
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import caches

    caches["default"].clear()
    caches["ratelimit"].clear()


def _load_edition_2026_command():
    with mock.patch("events.signals.drop_cached_pages"):
        call_command("load_edition", str(FIXTURE), verbosity=0)


# The real command the first time in each process, then its rows replayed (tests/snapshot.py).
_edition_2026_rows = Replayable(_load_edition_2026_command)


def load_edition_2026():
    """`manage.py load_edition` of the 2026 fixture, with one drop of the cached pages for
    the whole load instead of one per object saved (60 writes to the file cache, about 40 %
    of the load's CPU, for a cache every test starts empty). After the first load in a
    process, its rows are inserted again rather than loaded object by object."""
    from events.pagecache import invalidate_programme

    _edition_2026_rows()
    invalidate_programme()


@pytest.fixture
def edition_2026(db):
    """The 2026 edition exactly as the fixture (and the brochure) says."""
    load_edition_2026()
    from events.models import Edition

    return Edition.objects.get(number=17)
