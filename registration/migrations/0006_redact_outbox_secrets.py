"""Secrets out of the outbox: links used to be rendered in clear into the rows' context,
text and HTML. Keep each link's selector (it finds the key, it opens nothing), drop its
secret half; give every existing key the expiry of its edition's personal data."""

import calendar
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

LINK = re.compile(r"(/(?:espace|space)/)([0-9a-f]{0,16})([^/\s?#\"'<>\\]*)")
SECRET_KEYS = ("url", "badge_url")


def redact(text):
    return LINK.sub(lambda m: m.group(1) + m.group(2) + ("-…" if m.group(3) else ""), text)


def key_expiry(edition):
    end = edition.end_date
    months = end.month - 1 + settings.PERSONAL_DATA_RETENTION_MONTHS
    year, month = end.year + months // 12, months % 12 + 1
    day = date(year, month, min(end.day, calendar.monthrange(year, month)[1]))
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(edition.time_zone))


def forwards(apps, schema_editor):
    OutgoingEmail = apps.get_model("registration", "OutgoingEmail")
    AccessKey = apps.get_model("registration", "AccessKey")
    Edition = apps.get_model("events", "Edition")
    for email in OutgoingEmail.objects.iterator():
        context = {k: v for k, v in email.context.items() if k not in SECRET_KEYS}
        body, html_body = redact(email.body), redact(email.html_body)
        if (context, body, html_body) != (email.context, email.body, email.html_body):
            email.context, email.body, email.html_body = context, body, html_body
            email.save(update_fields=["context", "body", "html_body"])
    for edition in Edition.objects.all():
        AccessKey.objects.filter(registration__edition=edition, expires_at__isnull=True).update(
            expires_at=key_expiry(edition)
        )


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0001_initial'),
        ('registration', '0005_accesskey_expires_at'),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
