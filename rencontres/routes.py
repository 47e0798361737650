"""The site's translated addresses, matched without asking for the language at each route.

Resolving an address walks the routes in order until one matches. Django asks for the
active language at every translated route it walks past (a thread-and-context-local
lookup behind a lock), and for a route without converters (« infos-pratiques/ ») it also
translates the route's text anew. The personal and B2B pages come last: some fifty
language lookups and fifteen translations per request, 200–300 µs, a fifth to a third of
what the cheapest page costs in all.

Here the language is read once, when the address enters the language-prefixed part of the
site (`language_patterns`, Django's `i18n_patterns` with that one difference), and each
route keeps its text and regular expression per language (as Django already keeps the
regular expression). Translations change only with a release, which starts new processes.
"""

import re
from contextvars import ContextVar
from functools import partial

from django.conf import settings
from django.urls import URLResolver, conf
from django.urls.resolvers import (
    LocalePrefixPattern,
    LocaleRegexRouteDescriptor,
    RoutePattern,
    _route_to_regex,
)
from django.utils.translation import get_language

_language = ContextVar("resolving_language", default=None)


def _current_language():
    return _language.get() or get_language()


class _RegexPerLanguage(LocaleRegexRouteDescriptor):
    """Django's descriptor, reading the language once per resolve."""

    def __get__(self, instance, cls=None):
        if instance is None or isinstance(instance._route, str):
            return super().__get__(instance, cls)
        language = _current_language()
        regex = instance._regex_dict.get(language)
        if regex is None:
            route = _route_to_regex(str(instance._route), instance._is_endpoint)[0]
            regex = instance._regex_dict[language] = re.compile(route)
        return regex


class TranslatedRoute(RoutePattern):
    regex = _RegexPerLanguage()

    def __init__(self, route, name=None, is_endpoint=False):
        super().__init__(route, name=name, is_endpoint=is_endpoint)
        self._texts = {}

    def match(self, path):
        if self.converters or isinstance(self._route, str):
            return super().match(path)
        language = _current_language()
        text = self._texts.get(language)
        if text is None:
            text = self._texts[language] = str(self._route)
        if self._is_endpoint:
            return ("", (), {}) if path == text else None
        return (path.removeprefix(text), (), {}) if path.startswith(text) else None


class _LanguageResolver(URLResolver):
    """The language-prefixed part of the site: the language is read once per resolve."""

    def resolve(self, path):
        token = _language.set(get_language())
        try:
            return super().resolve(path)
        finally:
            _language.reset(token)


def language_patterns(*urls, prefix_default_language=True):
    """`i18n_patterns` (the language code first in every address) for these routes."""
    if not settings.USE_I18N:
        return list(urls)
    pattern = LocalePrefixPattern(prefix_default_language=prefix_default_language)
    return [_LanguageResolver(pattern, list(urls))]


# Django's own `path` is this same partial over RoutePattern (django/urls/conf.py).
path = partial(conf._path, Pattern=TranslatedRoute)
