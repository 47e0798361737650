"""Badge sheets for printing: requested by staff, built by the task worker.

All the badges go into one WeasyPrint document (four A6 per A4 page, cut marks); its
progress is read from WeasyPrint's own page-by-page layout log.
"""

import logging
import math

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from registration.badges import sheet_pdf
from registration.models import Registration

from .models import BadgeSheet

# How often (in pages laid out) the progress is saved.
PROGRESS_EVERY = 10


def badge_sheet_request(*, edition, registrations, description, user):
    """Queue a sheet of the confirmed registrations among `registrations`, sorted by name."""
    from .tasks import build_badge_sheet

    ids = list(
        registrations.filter(edition=edition, status=Registration.Status.CONFIRMED)
        .order_by("last_name", "first_name", "pk")
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        sheet = BadgeSheet.objects.create(
            edition=edition,
            description=description[:300],
            registration_ids=ids,
            pages=math.ceil(len(ids) / 4),
            requested_by=user,
        )
        build_badge_sheet.enqueue(sheet.pk)
    return sheet


def badge_sheet_restart(*, sheet, now=None):
    """Start a sheet whose worker stopped (BadgeSheet.stalled) again: back to pending, one
    read under a row lock (of two staff pressing « relancer », one restarts it), and a new
    task. Returns whether it was restarted."""
    from .tasks import build_badge_sheet

    now = now or timezone.now()
    with transaction.atomic():
        locked = BadgeSheet.objects.select_for_update().filter(pk=sheet.pk).first()
        if locked is None or not locked.stalled(now):
            return False
        BadgeSheet.objects.filter(pk=sheet.pk).update(
            status=BadgeSheet.Status.PENDING, pages_done=0, progress_at=None
        )
        build_badge_sheet.enqueue(sheet.pk)
    return True


class _Progress(logging.Handler):
    """Counts the pages WeasyPrint lays out ("Step 5 - Creating layout - Page N")."""

    def __init__(self, sheet):
        super().__init__(level=logging.INFO)
        self.sheet = sheet

    def emit(self, record):
        if not record.msg.startswith("Step 5 - Creating layout - Page") or not record.args:
            return
        page = record.args[0]
        if page % PROGRESS_EVERY == 0:
            BadgeSheet.objects.filter(pk=self.sheet.pk).update(
                pages_done=page, progress_at=timezone.now()
            )


def build(sheet_id):
    """The task's work: render the sheet's PDF and store it. Returns the sheet's state.

    The sheet is claimed with one conditional UPDATE (pending → running): of two workers
    handed the same sheet, exactly one gets the row and builds it; a read, then a write,
    would let both see it pending and both build it."""
    claimed = BadgeSheet.objects.filter(pk=sheet_id, status=BadgeSheet.Status.PENDING).update(
        status=BadgeSheet.Status.RUNNING, progress_at=timezone.now()
    )
    sheet = BadgeSheet.objects.select_related("edition__venue").filter(pk=sheet_id).first()
    if sheet is None:
        return None  # deleted meanwhile (a person on it was erased): nothing to build
    if not claimed:
        return sheet.status  # built already, or being built by another worker
    by_pk = Registration.objects.in_bulk(sheet.registration_ids)
    registrations = [by_pk[pk] for pk in sheet.registration_ids if pk in by_pk]

    progress = logging.getLogger("weasyprint.progress")
    handler = _Progress(sheet)
    level, propagate = progress.level, progress.propagate
    progress.setLevel(logging.INFO)
    progress.propagate = False  # counted here, not printed
    progress.addHandler(handler)
    try:
        pdf = sheet_pdf(sheet.edition, registrations)
    except Exception as error:
        BadgeSheet.objects.filter(pk=sheet.pk).update(
            status=BadgeSheet.Status.FAILED, error=repr(error)[:2000], finished_at=timezone.now()
        )
        raise
    finally:
        progress.removeHandler(handler)
        progress.setLevel(level)
        progress.propagate = propagate

    sheet.pdf.save(f"badges-{sheet.pk}.pdf", ContentFile(pdf), save=False)
    ready = BadgeSheet.objects.filter(pk=sheet.pk).update(
        pdf=sheet.pdf.name,
        pages_done=sheet.pages,
        status=BadgeSheet.Status.READY,
        finished_at=timezone.now(),
    )
    if not ready:  # deleted while it was being built: none of it stays
        sheet.pdf.storage.delete(sheet.pdf.name)
        return None
    return BadgeSheet.Status.READY
