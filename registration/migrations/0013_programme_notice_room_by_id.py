# The old room of a programme notice by id, not by its name in the staff member's language.
# Notices are told within minutes; one pending at deploy time loses only its old room line.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0005_merge_session_times_and_content"),
        ("registration", "0012_outgoing_email_programme_changed_label"),
    ]

    operations = [
        migrations.RemoveField(model_name="programmenotice", name="old_room"),
        migrations.AddField(
            model_name="programmenotice",
            name="old_room",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="events.room",
                verbose_name="ancienne salle",
            ),
        ),
    ]
