"""PDF badges with WeasyPrint: A6 portrait, one per attendee.

Built from templates/badges/badge.html and static/css/badge.css, files read from disk
(never over HTTP); names in any script print with the Noto fonts the Makefile installs.
The QR code (segno, SVG) carries only the check-in code.

A confirmed person's badge is rendered by the task worker when their registration changes
(`store_later`, called by the services after their commit) and stored in the private
storage: one file per registration, `badges/<pk>.pdf`, replaced atomically (written beside
its place, then renamed over it). The file starts with the badge's fingerprint, a hash of
what it shows (`fingerprint`): a download serves the stored file only when that still
matches the registration as it is now, and otherwise renders the badge on the spot (and
stores it), so a badge is never stale, even before the worker has run. The check-in desk
always renders afresh (`badge_response` without `stored`).
"""

import base64
import functools
import hashlib
import logging
import os
import tempfile
import unicodedata
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify

logger = logging.getLogger(__name__)

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "badge.css"
SHEET_STYLESHEETS = (STYLESHEET, STYLESHEET.with_name("badge-sheet.css"))

# Stored badges: their folder in the private storage, and how many registrations one task
# brings up to date (a category given to 500 people queues 25 tasks, not one long one).
FOLDER = "badges"
CHUNK = 20
# Where a badge is written before it is renamed into FOLDER (the same disk, so the rename is
# atomic; a folder of its own, almost always empty, so a deletion looks through it quickly).
WRITING = ".writing"

# Bump when this module changes how a badge is drawn from the same HTML and stylesheet:
# every stored badge then differs from its registration's fingerprint.
FORMAT = "1"


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


def badge_context(registration, *, qr=None):
    """What templates/badges/_badge.html shows of one registration (`qr`: what stands in
    for the QR code's image, by default the image itself)."""
    return {
        "registration": registration,
        "qr": qr or qr_data_uri(registration.checkin_code),
        "name_size": name_size(registration),
        "name_dir": direction(registration.full_name),
        "organisation_dir": direction(registration.organisation),
    }


def badge_html(registration, *, qr=None):
    return render_to_string(
        "badges/badge.html",
        {"badge": badge_context(registration, qr=qr), "edition": registration.edition},
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


def render_pdfs(htmls, *, stylesheets):
    """Several documents in one PDF, each laid out on its own: its page counters (« n / N »)
    count its own pages, not the whole file's."""
    from weasyprint import CSS, HTML

    base = str(Path(settings.BASE_DIR) / "static")
    css = [CSS(filename=str(path)) for path in stylesheets]
    documents = [HTML(string=html, base_url=base).render(stylesheets=css) for html in htmls]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def sheet_pdf(edition, registrations):
    return render_pdf(sheet_html(edition, registrations), stylesheets=SHEET_STYLESHEETS)


def badge_pdf(registration):
    """The badge's PDF bytes, rendered now (about 200 ms)."""
    return render_pdf(badge_html(registration))


@functools.cache
def _drawing_tools():
    """What draws a badge besides its HTML and stylesheet (a new release changes pixels)."""
    names = ("weasyprint", "pydyf", "segno")
    return ";".join([f"format {FORMAT}", *(f"{name} {version(name)}" for name in names)])


def fingerprint(registration):
    """A hash of what the badge shows: its HTML (names, organisation, country, category,
    language, the edition's title, dates and venue, the template itself), with the QR code
    standing for itself by the code it carries (drawing it costs 5 ms, the HTML without it
    half a millisecond); the stylesheet; the versions of the drawing libraries."""
    html = badge_html(registration, qr=f"qr:{registration.checkin_code}")
    digest = hashlib.sha256()
    for part in (_drawing_tools().encode(), STYLESHEET.read_bytes(), html.encode()):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _path(registration_id):
    """Where a registration's badge is stored: the private storage is a folder on disk
    (FileSystemStorage), shared by the app servers and the workers, never served."""
    return Path(storages["private"].path(f"{FOLDER}/{int(registration_id)}.pdf"))


def stored_pdf(registration_id, key):
    """The stored badge if it shows what the fingerprint `key` says, else None. A stored
    file is the fingerprint (64 hex digits), a newline, then the PDF."""
    try:
        data = _path(registration_id).read_bytes()
    except FileNotFoundError:
        return None
    head, _newline, pdf = data.partition(b"\n")
    return pdf if head == key.encode() else None


def _has_badge(registration):
    from .models import Registration

    return registration.status == Registration.Status.CONFIRMED and not registration.anonymised_at


def _store(registration_id, key, pdf):
    """Write the badge in one piece: a reader sees the previous file or this one, never
    part of one (os.replace is atomic). Then, if the registration was meanwhile cancelled,
    erased or anonymised, delete it again: whichever of this write and the erasure's own
    deletion (after its commit) comes last, no file is left behind."""
    from .models import Registration

    path = _path(registration_id)
    writing = path.parent / WRITING
    writing.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=writing, prefix=f"{path.stem}-")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(key.encode() + b"\n" + pdf)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    current = Registration.objects.filter(pk=registration_id).only("status", "anonymised_at")
    if not any(_has_badge(registration) for registration in current):
        delete_stored([registration_id])


def delete_stored(registration_ids):
    """Delete these registrations' stored badges (those they have), and what a render
    stopped halfway (a worker killed) left of theirs."""
    for registration_id in registration_ids:
        path = _path(registration_id)
        path.unlink(missing_ok=True)
        for left in path.parent.glob(f"{WRITING}/{path.stem}-*"):
            left.unlink(missing_ok=True)


def delete_stored_later(registration_ids):
    """Erasure and the purge: the stored badges go once the deletion of the data they show
    is committed (a rollback keeps both)."""
    ids = list(registration_ids)
    transaction.on_commit(lambda: delete_stored(ids))


def store_later(*registrations):
    """The services' hook, wherever a registration's badge may change: once the change is
    committed, queue the task that renders and stores these registrations' badges (or
    deletes those of registrations no longer confirmed). The caller pays one small insert
    per CHUNK registrations, after its commit, and no render. A registration on the
    waiting list has no badge to store and queues nothing."""
    from .models import Registration

    ids = [r.pk for r in registrations if r.status != Registration.Status.WAITLISTED]
    if ids:
        # robust: the change is committed whatever happens here; a badge not stored is
        # rendered on its first download.
        transaction.on_commit(lambda: _enqueue(ids), robust=True)


def _enqueue(ids):
    from .tasks import store_badges

    for start in range(0, len(ids), CHUNK):
        store_badges.enqueue(ids[start : start + CHUNK])


def store_current(registration_ids):
    """The task's work: bring each registration's stored badge up to date with what it is
    now (a task queued before a later change renders the later state). Returns how many
    badges were rendered; one that fails is logged (its download renders it)."""
    from .models import Registration

    registrations = Registration.objects.filter(pk__in=registration_ids).select_related(
        "edition__venue"
    )
    rendered, seen = 0, set()
    for registration in registrations:
        seen.add(registration.pk)
        if not _has_badge(registration):
            delete_stored([registration.pk])
            continue
        try:
            current = fingerprint(registration)
            if stored_pdf(registration.pk, current) is None:
                _store(registration.pk, current, badge_pdf(registration))
                rendered += 1
        except Exception:
            logger.exception("Badge of registration %s not stored", registration.pk)
    delete_stored(set(registration_ids) - seen)
    return rendered


def download_pdf(registration):
    """The attendee's download: the stored badge if it shows the registration as it is
    now; otherwise (the worker has not run yet, or the edition changed) rendered now, and
    stored for the next download."""
    current = fingerprint(registration)
    pdf = stored_pdf(registration.pk, current)
    if pdf is None:
        pdf = badge_pdf(registration)
        try:
            _store(registration.pk, current, pdf)
        except OSError:
            logger.exception("Badge of registration %s not stored", registration.pk)
    return pdf


def badge_filename(registration):
    name = slugify(registration.full_name) or "badge"
    return f"badge-{name[:60]}.pdf"


def badge_response(registration, *, stored=False, disposition="attachment"):
    """The badge as a download with a safe filename, never kept by a cache on the way;
    `stored`: from the stored badge when it is current (attendees), else rendered now
    (the desk's reprint)."""
    pdf = download_pdf(registration) if stored else badge_pdf(registration)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'{disposition}; filename="{badge_filename(registration)}"'
    response["Cache-Control"] = "no-store"
    return response
