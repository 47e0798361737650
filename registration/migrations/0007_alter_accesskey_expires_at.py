from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registration', '0006_redact_outbox_secrets'),
    ]

    operations = [
        migrations.AlterField(
            model_name='accesskey',
            name='expires_at',
            field=models.DateTimeField(verbose_name='expire le'),
        ),
    ]
