"""Searching people by name the way staff type it: without accents, in any case.

« hue » must find « Hué », « francois » « François », on SQLite and PostgreSQL alike. Neither
engine folds accents portably (PostgreSQL's `unaccent` is an extension, SQLite has nothing),
so each registration keeps a folded copy of what staff search it by (`search_text`, written by
`Registration.save()`, which every service goes through, and blanked by the anonymisation),
and the admin folds the words typed the same way before it looks in that column.
"""

import unicodedata

# Letters that Unicode does not decompose into a base letter and an accent.
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ı": "i"})

# What a registration is found by (besides its check-in code, matched exactly).
SEARCHED_FIELDS = ("first_name", "last_name", "email", "organisation")


def fold(text):
    """`text` in lower case without accents: « Hué » → « hue », « Œuvre » → « oeuvre »."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold().translate(LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_text(registration):
    return " ".join(fold(getattr(registration, name) or "") for name in SEARCHED_FIELDS)
