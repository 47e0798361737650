"""Log records never carry the secret half of a personal link.

A personal link is `…/espace/<selector>-<secret>/` (`…/space/…` in English); the B2B
screen's link, `…/b2b/ecran/<selector>-<secret>/` (`…/b2b/screen/…`), is cut the same
way. Django logs request paths as they came (« Forbidden (CSRF cookie not set.):
/fr/inscription/espace/… », « Not Found: … », the development server's request lines);
this filter, set on every handler of settings.LOGGING, keeps the selector (enough to find
the key and its registration) and drops the rest, in the message, its arguments and any
traceback.

A leaf module: it imports no app, so settings and every app may use it.
"""

import logging
import re

# The path segment after /espace/ or /space/ (or the screen's /ecran/, /screen/): a selector
# is 16 hex characters.
_SEGMENT = re.compile(r"(/(?:espace|space|ecran|screen)/)([^/\s?#\"'<>\\]+)")
_SELECTOR = re.compile(r"[0-9a-f]{0,16}")

LOG_PLACEHOLDER = "[redacted]"


def redact_links(text, placeholder=LOG_PLACEHOLDER):
    """`text` with every personal link cut after its selector (`<selector>-<placeholder>`)."""

    def cut(match):
        prefix, segment = match.groups()
        selector = _SELECTOR.match(segment).group()
        if selector == segment:
            return match.group()  # a selector alone opens nothing
        return f"{prefix}{selector}-{placeholder}"

    return _SEGMENT.sub(cut, text)


class RedactPersonalLinks(logging.Filter):
    """Rewrite a record whose text holds a personal link; let every record through."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: the handler reports it, redacted or not
            message = str(record.msg)
        redacted = redact_links(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_links(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_links(record.stack_info)
        return True
