# The outbox claims a message ("sending", until a claim expiry) before sending it outside
# any transaction; a retry is due at retry_at.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registration', '0003_registration_anonymised_at'),
    ]

    operations = [
        migrations.AddField(
            model_name='outgoingemail',
            name='claimed_until',
            field=models.DateTimeField(blank=True, null=True, verbose_name="réservé jusqu'à"),
        ),
        migrations.AddField(
            model_name='outgoingemail',
            name='retry_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='prochain essai'),
        ),
        migrations.AlterField(
            model_name='outgoingemail',
            name='status',
            field=models.CharField(choices=[('pending', 'À envoyer'), ('sending', "En cours d'envoi"), ('sent', 'Envoyé'), ('failed', 'Échec')], db_index=True, default='pending', max_length=10, verbose_name='état'),
        ),
    ]
