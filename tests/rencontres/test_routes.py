"""The translated addresses (rencontres/routes.py): each language's address leads to its
page under its own prefix only, however the languages alternate within one process."""

import pytest
from django.urls import Resolver404, resolve, reverse
from django.utils import translation

TOKEN = "a" * 22 + "." + "b" * 43

ADDRESSES = [
    # (name, kwargs, French path, English path)
    ("practical", {}, "/fr/infos-pratiques/", "/en/practical-information/"),
    (
        "registration:manage",
        {"token": TOKEN},
        f"/fr/inscription/espace/{TOKEN}/",
        f"/en/registration/space/{TOKEN}/",
    ),
]


@pytest.mark.parametrize("rounds", [2])
def test_each_language_resolves_its_own_address_only(rounds):
    for _ in range(rounds):  # the per-language texts are kept: alternate to prove it
        for name, kwargs, french, english in ADDRESSES:
            for language, mine, other in (("fr", french, english), ("en", english, french)):
                with translation.override(language):
                    assert reverse(name, kwargs=kwargs) == mine
                    match = resolve(mine)
                    assert match.view_name == name and match.kwargs == kwargs
                    with pytest.raises(Resolver404):
                        resolve(other.replace(f"/{other[1:3]}/", f"/{language}/", 1))


@pytest.mark.django_db
def test_the_english_page_answers_in_english_and_the_french_one_in_french(client):
    assert client.get("/en/practical-information/").headers["Content-Language"] == "en"
    assert client.get("/fr/infos-pratiques/").headers["Content-Language"] == "fr"
    assert client.get("/fr/practical-information/").status_code == 404
