"""The migration that made the order of sessions explicit keeps the order they had."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.sqlite  # migrations run on both engines

BEFORE = [("events", "0003_sessiontype_is_plenary")]
AFTER = [("events", "0004_content_fields_legal_notice_session_position")]


def test_sessions_are_numbered_in_their_slots_as_they_were_shown(transactional_db, edition_2026):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    OldSession = apps.get_model("events", "Session")
    # Before: time, then type, then title decided the order.
    OldSession.objects.filter(title_fr="Atelier thématique 2 (intitulé à venir)").update(
        title_fr="Aaa, atelier renommé"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    # The model as that migration left it (later migrations add fields it has not).
    Session = executor.loader.project_state(AFTER).apps.get_model("events", "Session")

    first_workshops = (
        Session.objects.filter(slot__title_fr="Ateliers/Réunions/B2B")
        .filter(slot__starts_at__day=8)
        .order_by("starts_at", "position", "pk")
    )
    assert [(s.position, s.title_fr) for s in first_workshops] == [
        (1, "Aaa, atelier renommé"),
        (2, "Atelier thématique 1 (intitulé à venir)"),
        (3, "Réunion régionale 1 (zone à venir)"),
        (4, "Rencontres B2B à l'Espace des Partenaires"),
    ]
    assert set(
        Session.objects.filter(slot__title_fr="Pause café").values_list("position", flat=True)
    ) == {1}
    # Every app's latest state again: the apps built on events were unapplied with it.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
