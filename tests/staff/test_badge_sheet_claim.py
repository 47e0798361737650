"""A badge sheet is built once, even when two workers are handed it at the same moment
(PostgreSQL: SQLite runs writers one at a time)."""

import threading

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection

from registration.models import Registration
from staff import sheets
from staff.models import BadgeSheet
from tests.factories import make_registration

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 8


def build_at_once(sheet_id):
    """Two threads (two workers, each with its own connection) build the sheet together."""
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(sheets.build(sheet_id))
        except Exception as error:  # shown by the assertion
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_two_workers_build_a_sheet_once(edition_2026, admin_user, monkeypatch, tmp_path):
    """Each of ROUNDS sheets is rendered once and stored once (a second save of the same
    name would be stored beside the first, under another name)."""
    # A folder of this test's own, to count the files written.
    monkeypatch.setattr(BadgeSheet._meta.get_field("pdf"), "storage", FileSystemStorage(tmp_path))
    for i in range(2):
        make_registration(edition_2026, last_name=f"Claim {i}")
    renders = []
    render = sheets.sheet_pdf

    def counted(edition, registrations):
        renders.append(threading.get_ident())
        return render(edition, registrations)

    monkeypatch.setattr(sheets, "sheet_pdf", counted)
    ids = []
    for round_ in range(ROUNDS):
        sheet = sheets.badge_sheet_request(
            edition=edition_2026,
            registrations=Registration.objects.all(),
            description=f"round {round_}",
            user=admin_user,
        )
        ids.append(sheet.pk)
        results = build_at_once(sheet.pk)
        # The one that built it says ready; the other found it taken (running or ready).
        assert BadgeSheet.Status.READY in results, results
        assert len(renders) == round_ + 1, f"round {round_}: rendered {len(renders)} times"
        sheet.refresh_from_db()
        assert sheet.status == BadgeSheet.Status.READY
        assert sheet.pdf.read().startswith(b"%PDF")
        sheet.pdf.close()
    stored = sorted(path.name for path in (tmp_path / "badge-sheets").iterdir())
    assert stored == sorted(f"badges-{pk}.pdf" for pk in ids)
