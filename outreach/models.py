"""What staff say to attendees: messages written in admin, and the record of what was sent.

Writes go through services.py; this module only describes the data."""

import hashlib
import hmac
import secrets

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


class ReconfirmationCampaign(models.Model):
    """« Do you still come? »: every confirmed person is asked, with a deadline; one
    reminder goes to those who have not answered; after the deadline staff may release
    the seats of those who never answered (their registrations are cancelled through the
    registration services, so the waiting lists move with their usual emails)."""

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="+", verbose_name=_("édition")
    )
    deadline = models.DateTimeField(_("date limite de réponse"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("ouverte par"),
    )
    opened_at = models.DateTimeField(_("ouverte le"))
    asked = models.PositiveIntegerField(_("personnes sollicitées"), default=0)
    reminded_at = models.DateTimeField(_("relance envoyée le"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("places libérées par"),
    )
    released_at = models.DateTimeField(_("places libérées le"), null=True, blank=True)
    released = models.PositiveIntegerField(_("places libérées"), default=0)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("campagne de reconfirmation")
        verbose_name_plural = _("campagnes de reconfirmation")

    def __str__(self):
        return str(_("Reconfirmation avant le %(deadline)s")) % {
            "deadline": f"{self.deadline:%d/%m/%Y}"
        }


class Reconfirmation(models.Model):
    """One person asked by a campaign, and their answer."""

    class Answer(models.TextChoices):
        NONE = "", _("Pas de réponse")
        COMING = "coming", _("Vient")
        NOT_COMING = "not_coming", _("Ne vient pas")

    campaign = models.ForeignKey(
        ReconfirmationCampaign,
        on_delete=models.CASCADE,
        related_name="people",
        verbose_name=_("campagne"),
    )
    registration = models.ForeignKey(
        "registration.Registration",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("inscription"),
    )
    answer = models.CharField(_("réponse"), max_length=10, choices=Answer, blank=True)
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    released_at = models.DateTimeField(_("place libérée le"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("reconfirmation")
        verbose_name_plural = _("reconfirmations")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "registration"], name="one_reconfirmation_per_person"
            ),
        ]

    def __str__(self):
        return f"{self.registration} — {self.get_answer_display()}"


class ReconfirmationKeyQuerySet(models.QuerySet):
    def find(self, token):
        """The Reconfirmation a link opens, or None: the selector finds the row, the secret
        is compared with its hash in constant time."""
        selector, _sep, verifier = (token or "").partition("-")
        if not selector or not verifier or len(selector) > 16:
            return None
        key = (
            self.select_related("reconfirmation__campaign", "reconfirmation__registration__edition")
            .filter(selector=selector)
            .first()
        )
        if key is None or not hmac.compare_digest(key.verifier_hash, _digest(verifier)):
            return None
        registration = key.reconfirmation.registration
        if registration.anonymised_at is not None:
            return None  # its data is gone: the link opens nothing
        return key.reconfirmation


def _digest(verifier):
    return hashlib.sha256(verifier.encode()).hexdigest()


class ReconfirmationKey(models.Model):
    """The secret of one reconfirmation email's links (the question, its reminder): only
    its hash is stored; the worker mints it when the message leaves."""

    reconfirmation = models.ForeignKey(
        Reconfirmation, on_delete=models.CASCADE, related_name="keys"
    )
    selector = models.CharField(max_length=16, unique=True)
    verifier_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReconfirmationKeyQuerySet.as_manager()

    def __str__(self):
        return self.selector

    @classmethod
    def issue(cls, reconfirmation):
        """A new key; returns its token (shown once, in the email, never stored)."""
        selector = secrets.token_hex(8)
        verifier = secrets.token_urlsafe(32)  # 256 bits
        cls.objects.create(
            reconfirmation=reconfirmation, selector=selector, verifier_hash=_digest(verifier)
        )
        return f"{selector}-{verifier}"
