"""Staff write to attendees from admin: to one session's people, one day's, or everyone
confirmed; in each person's language; previewed with its count; sent once, through the
outbox, at a steady pace; kept read only afterwards with who sent it, when, to how many."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult, get_date_max

from outreach import services
from outreach.models import StaffMessage
from outreach.queries import message_recipients, recipients_by_language
from registration.emails import event_dates
from registration.models import OutgoingEmail
from tests.smtp import start_smtp
from tests.worker import run_worker

ADMIN = "/admin/outreach/staffmessage/"


def draft(edition, **fields):
    defaults = dict(
        edition=edition,
        audience=StaffMessage.Audience.EVERYONE,
        subject_fr="Changement de salle",
        body_fr="L'atelier a lieu salle Pasteur.",
        subject_en="Room change",
        body_en="The workshop is in the Pasteur room.",
    )
    return StaffMessage.objects.create(**{**defaults, **fields})


def emails_of(message):
    return sorted(e.to for e in OutgoingEmail.objects.filter(kind="staff_message"))


@pytest.mark.parametrize(
    ("audience", "booked", "expected"),
    [
        ("session", "confirmed", ["ana@example.org"]),
        ("session", "waitlisted", ["ben@example.org"]),
        ("session", "both", ["ana@example.org", "ben@example.org"]),
        ("everyone", "confirmed", ["ana@example.org", "ben@example.org", "chloe@example.org"]),
    ],
)
def test_who_gets_a_message(edition_2026, people, audience, booked, expected):
    message = draft(edition_2026, audience=audience, booked=booked, session=people["session"])
    assert sorted(r.email for r in message_recipients(message)) == expected


def test_one_day_is_the_confirmed_people_of_that_day(edition_2026, people):
    wednesday, thursday = edition_2026.days
    on = lambda day: sorted(  # noqa: E731
        r.email for r in message_recipients(draft(edition_2026, audience="day", day=day))
    )
    assert on(wednesday) == ["ana@example.org", "ben@example.org", "chloe@example.org"]
    assert on(thursday) == ["chloe@example.org"]  # Dan cancelled


def test_the_count_by_language_is_one_query(edition_2026, people, django_assert_num_queries):
    message = draft(edition_2026)
    with django_assert_num_queries(1):
        assert recipients_by_language(message) == {"fr": 2, "en": 1}


def test_each_person_reads_it_in_their_language(edition_2026, people, mailoutbox):
    message = draft(edition_2026)
    services.staff_message_send(message=message, user=None)
    run_worker()
    by_address = {m.to[0]: m for m in mailoutbox}
    assert by_address["chloe@example.org"].subject == "Room change"
    assert "The workshop is in the Pasteur room." in by_address["chloe@example.org"].body
    assert "Dear Chloe Test," in by_address["chloe@example.org"].body
    assert by_address["ana@example.org"].subject == "Changement de salle"
    assert "L'atelier a lieu salle Pasteur." in by_address["ana@example.org"].body
    # The event's dates and venue, in each language (the text part reads on its own).
    for address, language in (("ana", "fr"), ("chloe", "en")):
        with translation.override(language):
            dates = event_dates(edition_2026)
        text = by_address[f"{address}@example.org"].body
        assert dates in text and edition_2026.venue.full_address in text
    html = by_address["ana@example.org"].alternatives[0].content
    assert "L&#x27;atelier a lieu salle Pasteur." in html


def test_no_english_text_sends_the_french_one(edition_2026, people, mailoutbox):
    message = draft(edition_2026, subject_en="", body_en="")
    services.staff_message_send(message=message, user=None)
    run_worker()
    chloe = next(m for m in mailoutbox if m.to == ["chloe@example.org"])
    assert chloe.subject == "Changement de salle"
    assert "L'atelier a lieu salle Pasteur." in chloe.body


def test_sent_once_recorded_and_paced(edition_2026, people, monkeypatch, admin_user):
    monkeypatch.setattr(services, "EMAILS_PER_MINUTE", 2)
    message = draft(edition_2026)
    now = timezone.now()
    assert services.staff_message_send(message=message, user=admin_user, now=now) == 3
    with pytest.raises(services.AlreadySent):
        services.staff_message_send(message=message, user=admin_user)
    message.refresh_from_db()
    assert (message.sent_by, message.sent_at, message.recipients) == (admin_user, now, 3)
    assert OutgoingEmail.objects.filter(kind="staff_message").count() == 3
    # Two at once, the third a minute later: the worker leaves it until then.
    staff = set(OutgoingEmail.objects.filter(kind="staff_message").values_list("pk", flat=True))
    run_after = [
        task.run_after
        for task in DBTaskResult.objects.filter(task_path__endswith="deliver_email")
        if task.args_kwargs["args"][0] in staff
    ]
    assert sorted(run_after) == [now + timedelta(minutes=1), get_date_max(), get_date_max()]
    with pytest.raises(services.AlreadySent):
        services.staff_message_save(message=message, data={"body_fr": "x"}, user=admin_user)
    with pytest.raises(services.AlreadySent):
        services.staff_message_delete(message=message)


def test_through_a_real_smtp_server_at_its_pace(
    edition_2026, people, monkeypatch, smtp_port, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    monkeypatch.setattr(services, "EMAILS_PER_MINUTE", 2)
    services.staff_message_send(message=draft(edition_2026), user=None)
    inbox, controller = start_smtp(smtp_port)
    try:
        run_worker()
        assert len(inbox.messages) == 2
        time_machine.shift(timedelta(minutes=1, seconds=1))
        run_worker()
        run_worker()
    finally:
        controller.stop()
    assert len(inbox.messages) == 3
    assert OutgoingEmail.objects.filter(kind="staff_message", status="sent").count() == 3


def test_recipients_changed_since_the_preview_sends_nothing(edition_2026, people):
    message = draft(edition_2026)
    with pytest.raises(services.RecipientsChanged):
        services.staff_message_send(message=message, user=None, expected=2)
    message.refresh_from_db()
    assert not message.is_sent
    assert not OutgoingEmail.objects.filter(kind="staff_message").exists()


# --- Admin ------------------------------------------------------------------------------


def test_admin_write_preview_send_then_read_only(admin_client, edition_2026, people, admin_user):
    response = admin_client.post(
        f"{ADMIN}add/",
        {
            "audience": "session",
            "session": people["session"].pk,
            "booked": "both",
            "day": "",
            "subject_fr": "Atelier 1 : salle changée",
            "body_fr": "Rendez-vous salle Pasteur.",
            "subject_en": "",
            "body_en": "",
        },
    )
    message = StaffMessage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{ADMIN}{message.pk}/envoyer/"
    assert message.created_by == admin_user and message.edition == edition_2026

    preview = admin_client.get(f"{ADMIN}{message.pk}/envoyer/")
    assert preview.status_code == 200
    text = preview.text
    assert "<strong>2 personnes</strong>" in text
    assert "Envoyer à 2 personnes" in text
    assert "les anglophones recevront le texte français" in text
    assert not OutgoingEmail.objects.filter(
        kind="staff_message"
    ).exists()  # a preview sends nothing

    sent = admin_client.post(f"{ADMIN}{message.pk}/envoyer/", {"expected": "2"})
    assert sent.status_code == 302
    assert sorted(
        OutgoingEmail.objects.filter(kind="staff_message").values_list("to", flat=True)
    ) == [
        "ana@example.org",
        "ben@example.org",
    ]
    assert LogEntry.objects.filter(object_id=str(message.pk)).count() == 2  # added, sent

    # Sending again (a double click, Back then submit) sends nothing more.
    admin_client.post(f"{ADMIN}{message.pk}/envoyer/", {"expected": "2"})
    assert OutgoingEmail.objects.filter(kind="staff_message").count() == 2

    # Afterwards: listed as sent, read only, not deletable.
    listing = admin_client.get(ADMIN).text
    assert "Envoyé" in listing and "Atelier 1 : salle changée" in listing
    page = admin_client.get(f"{ADMIN}{message.pk}/change/")
    assert page.status_code == 200
    assert 'name="body_fr"' not in page.text and "Rendez-vous salle Pasteur." in page.text
    admin_client.post(
        f"{ADMIN}{message.pk}/change/",
        {"audience": "everyone", "booked": "confirmed", "subject_fr": "x", "body_fr": "y"},
    )
    message.refresh_from_db()
    assert message.body_fr == "Rendez-vous salle Pasteur."
    assert admin_client.post(f"{ADMIN}{message.pk}/delete/", {"post": "yes"}).status_code == 403
    assert StaffMessage.objects.filter(pk=message.pk).exists()


def test_admin_refuses_incomplete_messages(admin_client, edition_2026, people):
    base = {"booked": "confirmed", "day": "", "subject_fr": "Objet", "body_fr": "Texte"}
    cases = [
        ({"audience": "session"}, "Choisissez la session."),
        ({"audience": "day"}, "Choisissez le jour."),
        ({"audience": "everyone", "subject_en": "Only a subject"}, "laissez les deux vides"),
        ({"audience": "everyone", "subject_fr": "deux\nlignes"}, "tient sur une ligne"),
        ({"audience": "everyone", "day": "2031-01-01"}, "Sélectionnez un choix valide"),
    ]
    for overrides, error in cases:
        response = admin_client.post(f"{ADMIN}add/", {**base, **overrides})
        assert response.status_code == 200 and error in response.text, overrides
    assert not StaffMessage.objects.exists()


def test_a_changed_audience_is_caught_before_sending(admin_client, edition_2026, people):
    message = draft(edition_2026)
    response = admin_client.post(f"{ADMIN}{message.pk}/envoyer/", {"expected": "7"})
    assert response.status_code == 200
    assert "Les destinataires ont changé depuis l&#x27;aperçu : 3 désormais" in response.text
    assert not OutgoingEmail.objects.filter(kind="staff_message").exists()


def test_draft_deleted_through_the_service(admin_client, edition_2026, people):
    message = draft(edition_2026)
    response = admin_client.post(f"{ADMIN}{message.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not StaffMessage.objects.exists()


@pytest.mark.parametrize("expected", ["", "abc", "-1", "9" * 40])
def test_no_error_on_odd_posts(admin_client, edition_2026, people, expected):
    message = draft(edition_2026)
    response = admin_client.post(f"{ADMIN}{message.pk}/envoyer/", {"expected": expected})
    assert response.status_code == 200
    assert not OutgoingEmail.objects.filter(kind="staff_message").exists()


def test_staff_without_permission_cannot_send(client, django_user_model, edition_2026, people):
    agent = django_user_model.objects.create_user("agent", password="x", is_staff=True)
    client.force_login(agent)
    message = draft(edition_2026)
    response = client.post(f"{ADMIN}{message.pk}/envoyer/", {"expected": "3"})
    assert response.status_code in (302, 403)
    assert not OutgoingEmail.objects.filter(kind="staff_message").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_send_once(edition_2026, people):
    from tests.registration.test_concurrency import run_in_threads

    message = draft(edition_2026)
    results, errors = run_in_threads(
        [lambda: services.staff_message_send(message=message, user=None)] * 4, workers=4
    )
    assert results.count(3) == 1
    assert len(errors) == 3 and all(e.startswith("AlreadySent") for e in errors)
    assert OutgoingEmail.objects.filter(kind="staff_message").count() == 3
