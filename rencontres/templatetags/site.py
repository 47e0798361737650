"""Template helpers shared by every page."""

import re

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

register = template.Library()

BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)


@register.filter
def rich_text(text):
    """Paragraphs separated by blank lines; **bold** becomes <strong>. Everything escaped."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", str(text or "")) if p.strip()]
    html = []
    for paragraph in paragraphs:
        escaped = str(conditional_escape(paragraph))
        escaped = BOLD.sub(r"<strong>\1</strong>", escaped).replace("\n", "<br>")
        html.append(f"<p>{escaped}</p>")
    return mark_safe("\n".join(html))  # noqa: S308  (escaped above)


@register.filter
def hour(value):
    """13h00 in French, 13:00 in English (times of the event's time zone)."""
    local = timezone.localtime(value)
    if get_language() == "fr":
        return f"{local.hour}h{local.minute:02d}"
    return f"{local:%H:%M}"


@register.simple_tag(takes_context=True)
def language_links(context):
    """(code, name, url, is_current) for the language switcher: same page, other language.

    The same query too, but only the parameters the page validated (the programme's
    filters, see events.pagecache.cached_page), never the raw query string: the link is part
    of pages cached and served to everyone."""
    request = context["request"]
    query = getattr(request, "page_query", None)
    suffix = "?" + urlencode(query) if query else ""
    current = get_language()
    links = []
    for code, name in (("fr", "Français"), ("en", "English")):
        links.append((code, name, translate_url(request.path, code) + suffix, code == current))
    return links


@register.simple_tag(takes_context=True)
def admin_language_links(context):
    """(code, name, url) of this admin page in the other languages: `/en/admin/?next=…`,
    which switches the admin's language (views.admin_in_language)."""
    here = urlencode({"next": context["request"].get_full_path()})
    links = []
    for code, name in (("fr", "Français"), ("en", "English")):
        if code != get_language():
            with override(code):
                links.append((code, name, f"{reverse('admin_language')}?{here}"))
    return links


@register.filter
def day_span(edition, style="long"):
    """« mercredi 8 et jeudi 9 juillet 2026 » (long) or « 8 et 9 juillet 2026 » (short)."""
    start, end = edition.start_date, edition.end_date
    weekday = "" if style == "short" else "l "
    if start == end:
        return date_format(end, f"{weekday}j F Y")
    start_format = f"{weekday}j" if start.month == end.month else f"{weekday}j F"
    return _("%(start)s et %(end)s") % {
        "start": date_format(start, start_format),
        "end": date_format(end, f"{weekday}j F Y"),
    }


@register.simple_tag
def webcal(path):
    """The subscription address of a calendar: calendar apps follow webcal:// links."""
    return "webcal://" + settings.SITE_URL.split("://", 1)[1] + path
