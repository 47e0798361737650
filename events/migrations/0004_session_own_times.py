from django.db import migrations, models
from django.db.models import F, Q


def keep_times_set_by_hand(apps, schema_editor):
    """A session whose times differ from its slot's was timed by staff: it keeps them."""
    Session = apps.get_model("events", "Session")
    Session.objects.filter(
        ~Q(starts_at=F("slot__starts_at")) | ~Q(ends_at=F("slot__ends_at"))
    ).update(own_times=True)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_sessiontype_is_plenary"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="own_times",
            field=models.BooleanField(
                default=False,
                help_text="Décoché : la session suit les horaires de son créneau.",
                verbose_name="horaires propres",
            ),
        ),
        migrations.RunPython(keep_times_set_by_hand, migrations.RunPython.noop),
    ]
