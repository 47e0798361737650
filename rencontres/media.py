"""Files staff uploaded in admin (photos, logos, the programme PDF), served by the site
itself: no CDN, no other server to configure.

Only the kinds the admin accepts are served, with their type fixed here (never guessed
from the content), under names the uploads were given at random: a file never changes at
its address, so browsers may keep it for a year.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404
from django.utils._os import safe_join

TYPES = {
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".pdf": "application/pdf",
}
FOLDERS = {"intervenants", "partenaires", "programme"}
ONE_YEAR = 365 * 24 * 3600


def serve(request, path):
    folder, _, name = path.partition("/")
    suffix = Path(name).suffix.lower()
    if folder not in FOLDERS or "/" in name or suffix not in TYPES:
        raise Http404("Not a served file")
    try:
        full = Path(safe_join(settings.MEDIA_ROOT, folder, name))
        handle = full.open("rb")
    except (OSError, ValueError, SuspiciousFileOperation) as error:  # ValueError: a NUL
        raise Http404("No such file") from error
    response = FileResponse(
        handle, content_type=TYPES[suffix], as_attachment=False, filename=full.name
    )
    response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response
