# Personal links expire (filled in for existing keys by 0006, then required by 0007).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registration', '0004_outbox_claims'),
    ]

    operations = [
        migrations.AddField(
            model_name='accesskey',
            name='expires_at',
            field=models.DateTimeField(null=True, verbose_name='expire le'),
        ),
    ]
