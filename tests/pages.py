"""The pages every quality gate goes through (the HTML checker, axe): one list, so that a
page added to the site is added to both."""

from django.urls import reverse
from django.utils import translation

LANGUAGES = ("fr", "en")

# By URL name: the same page in each language.
PUBLIC = [
    "home",
    "editorial",
    "practical",
    "privacy",
    "legal_notice",
    "accessibility",
    "events:pre_programme",
    "events:programme",
    "events:partners",
    "events:now",
    "events:archives",
    "registration:register",
    "registration:thanks",
    "registration:lost_link",
]
PERSONAL = ["registration:manage", "registration:change", "registration:cancel"]


def public_paths(language, sessions):
    """The public pages in one language, with the page of each session given."""
    with translation.override(language):
        return [reverse(name) for name in PUBLIC] + [s.get_absolute_url() for s in sessions]


def personal_paths(language, token):
    with translation.override(language):
        return [reverse(name, args=[token]) for name in PERSONAL]


# The B2B pages behind the personal link (meetings/), by URL name and their other arguments.
B2B = ["meetings:home", "meetings:profile", "meetings:leave", "meetings:directory"]


def b2b_paths(language, token, *, person, request_id, meeting):
    """The B2B pages of a person taking part, with a listed profile (`person`, a pk), one
    of their requests and one of their meetings."""
    with translation.override(language):
        return [reverse(name, args=[token]) for name in B2B] + [
            reverse("meetings:person", args=[token, person]),
            reverse("meetings:request", args=[token, request_id]),
            reverse("meetings:cancel", args=[token, meeting]),
            reverse("meetings:not_held", args=[token, meeting]),
        ]
