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
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "badge.css"
SHEET_STYLESHEETS = (STYLESHEET, STYLESHEET.with_name("badge-sheet.css"))


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


def badge_context(registration):
    """What templates/badges/_badge.html shows of one registration."""
    return {
        "registration": registration,
        "qr": qr_data_uri(registration.checkin_code),
        "name_size": name_size(registration),
        "name_dir": direction(registration.full_name),
        "organisation_dir": direction(registration.organisation),
    }


def badge_html(registration):
    return render_to_string(
        "badges/badge.html",
        {"badge": badge_context(registration), "edition": registration.edition},
    )


def sheet_html(edition, registrations):
    """Staff printing: every badge in one document, four to an A4 page."""
    badges = [badge_context(registration) for registration in registrations]
    pages = [badges[i : i + 4] for i in range(0, len(badges), 4)]
    return render_to_string("badges/sheet.html", {"pages": pages, "edition": edition})


def render_pdf(html, *, stylesheets=(STYLESHEET,)):
    from weasyprint import CSS, HTML  # heavy import, only where badges are built

    base = Path(settings.BASE_DIR) / "static"
    return HTML(string=html, base_url=str(base)).write_pdf(
        stylesheets=[CSS(filename=str(path)) for path in stylesheets]
    )


def sheet_pdf(edition, registrations):
    return render_pdf(sheet_html(edition, registrations), stylesheets=SHEET_STYLESHEETS)


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


def badge_response(registration, *, disposition="attachment"):
    """The badge as a download with a safe filename, never kept by a cache on the way."""
    response = HttpResponse(badge_pdf(registration), content_type="application/pdf")
    response["Content-Disposition"] = f'{disposition}; filename="{badge_filename(registration)}"'
    response["Cache-Control"] = "no-store"
    return response
