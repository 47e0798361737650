"""PDF badges with WeasyPrint: A6 portrait, one per attendee.

Built from templates/badges/badge.html and static/css/badge.css, files read from disk
(never over HTTP); names in any script print with the Noto fonts the Makefile installs.
The QR code (segno, SVG) carries only the check-in code. A badge is cached under the
registration's last change, so it is rebuilt when the registration changes.
"""

import base64
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "badge.css"


def qr_data_uri(code):
    import segno  # only where badges are built

    svg = segno.make_qr(code, error="m").svg_inline(scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def name_size(registration):
    """A size class so that long names shrink instead of leaving the badge."""
    longest = max(
        (len(part) for part in (registration.first_name, registration.last_name)), default=0
    )
    total = len(registration.full_name)
    if longest > 24 or total > 40:
        return "name--xs"
    if longest > 16 or total > 26:
        return "name--s"
    return "name--l"


def direction(text):
    """rtl for names written right to left (Arabic, Hebrew…): WeasyPrint ignores dir=auto."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def badge_html(registration):
    with translation.override(registration.language):
        return render_to_string(
            "badges/badge.html",
            {
                "registration": registration,
                "edition": registration.edition,
                "qr": qr_data_uri(registration.checkin_code),
                "name_size": name_size(registration),
                "name_dir": direction(registration.full_name),
                "organisation_dir": direction(registration.organisation),
            },
        )


def render_pdf(html):
    from weasyprint import CSS, HTML  # heavy import, only where badges are built

    base = Path(settings.BASE_DIR) / "static"
    return HTML(string=html, base_url=str(base)).write_pdf(
        stylesheets=[CSS(filename=str(STYLESHEET))]
    )


def badge_pdf(registration):
    """The badge's PDF bytes, from the cache unless the registration changed since."""
    key = f"badge:{registration.pk}:{registration.updated_at.timestamp()}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pdf(badge_html(registration))
        cache.set(key, pdf, timeout=7 * 24 * 3600)
    return pdf


def badge_filename(registration):
    name = slugify(registration.full_name) or "badge"
    return f"badge-{name[:60]}.pdf"
