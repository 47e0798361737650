"""What staff say to attendees: messages written in admin, and the record of what was sent.

Writes go through services.py; this module only describes the data."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.models import Edition, Session


class StaffMessage(models.Model):
    """A message from staff to a group of attendees, in French and English. A draft until
    it is sent; sent once, then kept as it went out (read only), with who sent it, when and
    to how many people."""

    class Audience(models.TextChoices):
        SESSION = "session", _("Les inscrit·es d'une session")
        DAY = "day", _("Les personnes confirmées présentes un jour")
        EVERYONE = "everyone", _("Toutes les personnes confirmées")

    class Booked(models.TextChoices):
        CONFIRMED = "confirmed", _("Place confirmée")
        WAITLISTED = "waitlisted", _("Liste d'attente")
        BOTH = "both", _("Les deux")

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="+", verbose_name=_("édition")
    )
    audience = models.CharField(_("destinataires"), max_length=10, choices=Audience)
    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("session"),
    )
    booked = models.CharField(
        _("réservations"),
        max_length=10,
        choices=Booked,
        default=Booked.CONFIRMED,
        help_text=_("Pour une session : places confirmées, liste d'attente, ou les deux."),
    )
    day = models.DateField(_("jour"), null=True, blank=True)
    subject_fr = models.CharField(_("objet (français)"), max_length=200)
    body_fr = models.TextField(_("texte (français)"), max_length=10000)
    subject_en = models.CharField(
        _("objet (anglais)"),
        max_length=200,
        blank=True,
        help_text=_("Vide : les anglophones reçoivent le texte français."),
    )
    body_en = models.TextField(_("texte (anglais)"), max_length=10000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("rédigé par"),
    )
    created_at = models.DateTimeField(_("rédigé le"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("envoyé par"),
    )
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("destinataires"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("message aux participant·es")
        verbose_name_plural = _("messages aux participant·es")
        constraints = [
            models.CheckConstraint(
                condition=~Q(audience="session") | Q(session__isnull=False),
                name="staff_message_session_audience_has_session",
            ),
            models.CheckConstraint(
                condition=~Q(audience="day") | Q(day__isnull=False),
                name="staff_message_day_audience_has_day",
            ),
        ]

    def __str__(self):
        return self.subject_fr

    @property
    def is_sent(self):
        return self.sent_at is not None

    def text_in(self, language):
        """(subject, body) in this language; an English message without its text is sent
        in French."""
        if language == "en" and self.subject_en.strip() and self.body_en.strip():
            return self.subject_en, self.body_en
        return self.subject_fr, self.body_fr


class ReminderBatch(models.Model):
    """One reminder of an edition (a week before, the day before), sent once to every
    confirmed person: the row is written in the transaction that queues the emails, and
    its uniqueness is what makes a second run (a scheduler run twice, two workers at once)
    send nothing."""

    class Kind(models.TextChoices):
        WEEK_BEFORE = "week", _("Rappel à 7 jours")
        DAY_BEFORE = "day", _("Rappel la veille")

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="+", verbose_name=_("édition")
    )
    kind = models.CharField(_("rappel"), max_length=10, choices=Kind)
    sent_at = models.DateTimeField(_("envoyé le"))
    recipients = models.PositiveIntegerField(_("destinataires"), default=0)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("rappel envoyé")
        verbose_name_plural = _("rappels envoyés")
        constraints = [
            models.UniqueConstraint(fields=["edition", "kind"], name="one_reminder_per_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.edition}"
