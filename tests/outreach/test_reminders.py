"""Reminders a week and a day before: each confirmed person gets their agenda (day, time,
room), the practical information as the brochure gives it, and their badge link; the task
worker sends each reminder once, however often the scheduler runs."""

import re
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outreach import reminders, services, tasks
from outreach.models import ReminderBatch
from registration.models import OutgoingEmail
from tests.factories import PARIS
from tests.worker import run_worker

WEEK_BEFORE = datetime(2026, 7, 1, 10, 0, tzinfo=PARIS)
DAY_BEFORE = datetime(2026, 7, 7, 10, 0, tzinfo=PARIS)

BROCHURE = [
    "Métro : ligne 9 – station Iéna – Sortie Musée Guimet",
    "Bus : n° 32, n° 63, n° 82, station Iéna",
    "Parking public : Parking Kléber, 65 avenue Kléber 75116 Paris",
]


def reminders_to(address):
    return [m for m in mail.outbox if m.to == [address] and "Rencontres" in m.subject]


def test_when_they_are_due(edition_2026):
    assert reminders.due_at(edition_2026, "week") == WEEK_BEFORE
    assert reminders.due_at(edition_2026, "day") == DAY_BEFORE
    minute = timedelta(minutes=1)
    assert reminders.due(edition_2026, WEEK_BEFORE - minute) == []
    assert reminders.due(edition_2026, WEEK_BEFORE) == ["week"]
    assert reminders.due(edition_2026, DAY_BEFORE - minute) == ["week"]  # late, still useful
    assert reminders.due(edition_2026, DAY_BEFORE) == ["day"]  # the week's is no longer
    assert reminders.due(edition_2026, edition_2026.starts_at) == []


def test_each_reminder_once_with_agenda_practical_information_and_badge(
    client, edition_2026, people, time_machine
):
    time_machine.move_to(WEEK_BEFORE - timedelta(minutes=1), tick=False)
    assert services.reminders_send_due() == []
    time_machine.move_to(WEEK_BEFORE, tick=False)
    (batch,) = services.reminders_send_due()
    assert (batch.kind, batch.recipients) == ("week", 3)  # Ana, Ben, Chloé; not Dan
    assert services.reminders_send_due() == []  # the scheduler again: nothing more
    run_worker()

    (ana,) = reminders_to("ana@example.org")
    assert ana.subject == "Les Rencontres, c'est dans une semaine — Rencontres de l'AICT 2026"
    body = ana.body
    assert "Mercredi 8 et jeudi 9 juillet 2026" in body
    assert "Salons de l'Hôtel des Arts & Métiers, 9bis, avenue d'Iéna, 75116 Paris" in body
    session = people["session"]
    room = f" ({session.room.name})" if session.room else ""
    assert f"- Mercredi 8 juillet, 14h30-16h00 — {session.title}{room}" in body
    for line in BROCHURE:
        assert line in body
    assert ana.attachments[0].filename == "rencontres-aict-agenda.ics"
    badge = re.search(r"http://127\.0\.0\.1:8000(/fr/inscription/espace/\S+/badge\.pdf)", body)
    response = client.get(badge[1])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"

    # Ben waits for the workshop: no seat, not in his agenda.
    (ben,) = reminders_to("ben@example.org")
    assert session.title not in ben.body
    # Chloé reads English.
    (chloe,) = reminders_to("chloe@example.org")
    assert chloe.subject == "The Rencontres are a week away — Rencontres AICT 2026"
    assert "Metro: line 9 – Iéna station – exit “Musée Guimet”" in chloe.body
    assert reminders_to("dan@example.org") == []  # cancelled

    # What the outbox keeps has no secret.
    stored = OutgoingEmail.objects.get(kind="reminder", to="ana@example.org")
    assert "/badge.pdf" not in stored.body.replace("-…/badge.pdf", "")
    assert badge[1].rsplit("/", 2)[1].partition("-")[2] not in stored.body

    time_machine.move_to(DAY_BEFORE, tick=False)
    (batch,) = services.reminders_send_due()
    assert batch.kind == "day"
    run_worker()
    day_before = reminders_to("ana@example.org")[-1]
    assert day_before.subject == "Les Rencontres commencent demain — Rencontres de l'AICT 2026"
    assert ReminderBatch.objects.count() == 2
    assert OutgoingEmail.objects.filter(kind="reminder").count() == 6


def test_the_day_before_carries_what_other_apps_add(edition_2026, people, monkeypatch):
    """The hook the B2B app uses to add « Vos rendez-vous » to the day before."""
    monkeypatch.setattr(reminders, "DAY_BEFORE_SECTIONS", [])

    @reminders.day_before_section
    def meetings(registration):
        if registration.email != "ana@example.org":
            return None
        return reminders.Section(
            "Vos rendez-vous B2B :", ["Mercredi 16h30, table 4 : Ville de Dakar"]
        )

    services.reminder_send(edition=edition_2026, kind="week", now=WEEK_BEFORE)
    services.reminder_send(edition=edition_2026, kind="day", now=DAY_BEFORE)
    run_worker()
    week, day = reminders_to("ana@example.org")
    assert "Vos rendez-vous B2B" not in week.body
    assert "Vos rendez-vous B2B :\n- Mercredi 16h30, table 4 : Ville de Dakar" in day.body
    assert "Vos rendez-vous B2B" in day.alternatives[0].content
    assert "Vos rendez-vous B2B" not in reminders_to("ben@example.org")[-1].body


def test_the_worker_schedules_and_sends(edition_2026, people, time_machine):
    time_machine.move_to(WEEK_BEFORE - timedelta(hours=3), tick=False)
    assert tasks.schedule_reminders() is True
    assert tasks.schedule_reminders() is False  # already queued
    run_worker()  # nothing due yet; it comes back in an hour
    assert not ReminderBatch.objects.exists()
    queued = DBTaskResult.objects.filter(task_path=tasks.send_reminders.module_path, status="READY")
    assert [t.run_after for t in queued] == [timezone.now() + timedelta(hours=1)]

    time_machine.move_to(WEEK_BEFORE - timedelta(minutes=30), tick=False)
    run_worker()  # next look: at the reminder's time exactly
    assert [t.run_after for t in queued.all()] == [WEEK_BEFORE]
    time_machine.move_to(WEEK_BEFORE, tick=False)
    run_worker()
    assert ReminderBatch.objects.get().recipients == 3
    assert len([m for m in mail.outbox if "dans une semaine" in m.subject]) == 2  # + Chloé's
    assert len(mail.outbox) == 3


def test_a_late_worker_sends_only_what_still_makes_sense(edition_2026, people):
    (batch,) = services.reminders_send_due(now=DAY_BEFORE + timedelta(hours=5))
    assert batch.kind == "day"
    assert services.reminders_send_due(now=edition_2026.starts_at + timedelta(hours=1)) == []
    assert ReminderBatch.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once(edition_2026, people):
    from tests.registration.test_concurrency import run_in_threads

    results, errors = run_in_threads(
        [lambda: services.reminders_send_due(now=WEEK_BEFORE)] * 8, workers=8
    )
    assert errors == []
    assert sorted(len(sent) for sent in results) == [0] * 7 + [1]
    assert ReminderBatch.objects.get().recipients == 3
    assert OutgoingEmail.objects.filter(kind="reminder").count() == 3
