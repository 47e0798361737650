"""Every French string of the interface has its English translation."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.once  # no database (tests/conftest.py)


def test_english_catalogue_is_complete():
    po = (settings.BASE_DIR / "locale/en/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]  # the first block is the header
    # An untranslated entry ends with an empty msgstr (a wrapped one continues below it).
    untranslated = [entry for entry in entries if entry.rstrip().endswith('msgstr ""')]
    fuzzy = [entry for entry in entries if "#, fuzzy" in entry]
    assert untranslated == []
    assert fuzzy == []
