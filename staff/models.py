"""What the staff tools record: arrivals at the door, badge sheets, exports of personal data."""

from datetime import timedelta

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models import Edition
from registration.models import Registration


def private_storage():
    """Files with personal data: outside the static and media roots, served only by views
    that check permissions."""
    return storages["private"]


class CheckIn(models.Model):
    """Someone came in on a day (once per day; a second scan finds this row)."""

    class Unusual(models.TextChoices):
        """Why the desk asked staff to confirm this arrival (empty: nothing unusual)."""

        NOT_AN_EVENT_DAY = "not_event_day", _("jour hors des Rencontres")
        NOT_REGISTERED_THAT_DAY = "not_registered_day", _("pas inscrit·e pour ce jour")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="checkins",
        verbose_name=_("inscription"),
    )
    day = models.DateField(_("jour"))
    at = models.DateTimeField(_("arrivée à"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enregistrée par"),
    )
    confirmed_exception = models.CharField(
        _("confirmée malgré"), max_length=20, choices=Unusual, blank=True, default=""
    )

    class Meta:
        ordering = ["-at"]
        verbose_name = _("arrivée")
        verbose_name_plural = _("arrivées")
        constraints = [
            models.UniqueConstraint(fields=["registration", "day"], name="one_checkin_per_day")
        ]
        indexes = [models.Index(fields=["day", "at"])]
        permissions = [("undo_checkin", _("Peut annuler une arrivée enregistrée par erreur"))]

    def __str__(self):
        return f"{self.registration} — {self.at:%Y-%m-%d %H:%M}"


class UndoneCheckIn(models.Model):
    """An arrival recorded by mistake and taken back at the desk: what it was, who took it
    back and when (the CheckIn row itself is deleted, so counters and attendance stay true)."""

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("inscription"),
    )
    day = models.DateField(_("jour"))
    at = models.DateTimeField(_("arrivée enregistrée à"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enregistrée par"),
    )
    confirmed_exception = models.CharField(
        _("confirmée malgré"), max_length=20, choices=CheckIn.Unusual, blank=True
    )
    undone_at = models.DateTimeField(_("annulée le"))
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("annulée par"),
    )

    class Meta:
        ordering = ["-undone_at"]
        verbose_name = _("arrivée annulée")
        verbose_name_plural = _("arrivées annulées")

    def __str__(self):
        return f"{self.registration} — {self.day:%Y-%m-%d}"


# A 1,000-badge sheet lays out ten pages every second or so: ten minutes without a word
# from its worker is a worker gone.
STALLED_AFTER = timedelta(minutes=10)


class BadgeSheet(models.Model):
    """A PDF of many badges, four per A4 page, built in the background by the task worker."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        READY = "ready", _("Prête")
        FAILED = "failed", _("Échec")

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="+", verbose_name=_("édition")
    )
    description = models.CharField(_("sélection"), max_length=300)
    registration_ids = models.JSONField(_("inscriptions"), default=list, editable=False)
    status = models.CharField(
        _("état"), max_length=10, choices=Status, default=Status.PENDING, editable=False
    )
    pages = models.PositiveIntegerField(_("pages"), default=0, editable=False)
    pages_done = models.PositiveIntegerField(_("pages mises en page"), default=0, editable=False)
    pdf = models.FileField(
        _("PDF"), storage=private_storage, upload_to="badge-sheets/", blank=True, editable=False
    )
    error = models.TextField(_("erreur"), blank=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("demandée par"),
    )
    created_at = models.DateTimeField(_("demandée le"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True, editable=False)
    # When its worker last said something (took it, laid out pages): a sheet running with
    # no word for STALLED_AFTER lost its worker (stopped, killed) and may be started again.
    progress_at = models.DateTimeField(_("dernière avancée"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("planche de badges")
        verbose_name_plural = _("planches de badges")

    def __str__(self):
        return self.description

    @property
    def badges(self):
        return len(self.registration_ids)

    @property
    def percent(self):
        if self.status == self.Status.READY:
            return 100
        return int(90 * self.pages_done / self.pages) if self.pages else 0

    @property
    def in_progress(self):
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    def stalled(self, now):
        """Running, yet its worker has said nothing for STALLED_AFTER: it stopped. (A sheet
        claimed before the worker said anything has only its request time.)"""
        said = self.progress_at or self.created_at
        return self.status == self.Status.RUNNING and now - said > STALLED_AFTER

    def waiting_since(self, now):
        """How long it has waited for a worker to take it (zero once taken)."""
        if self.status != self.Status.PENDING or self.created_at is None:
            return timedelta(0)
        return now - self.created_at


class ExportLog(models.Model):
    """Who exported which personal data, and when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("par"),
    )
    at = models.DateTimeField(_("le"), auto_now_add=True)
    what = models.CharField(_("export"), max_length=200)
    filters = models.TextField(_("filtre"), blank=True)
    rows = models.PositiveIntegerField(_("lignes"))

    class Meta:
        ordering = ["-at"]
        verbose_name = _("export de données")
        verbose_name_plural = _("exports de données")

    def __str__(self):
        return f"{self.what} ({self.at:%Y-%m-%d %H:%M})"


class Attestation(models.Model):
    """An attestation de présence handed out (PDF): the days it attests, and the hash of the
    verification code printed on it (the code itself is never stored: it is minted when the
    PDF is drawn, so each download is a new attestation, each one verifiable)."""

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("inscription"),
    )
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    days = models.JSONField(_("jours attestés"), default=list, editable=False)
    issued_at = models.DateTimeField(_("délivrée le"), editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("délivrée par"),
        help_text=_("Vide : téléchargée par la personne depuis son espace."),
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("attestation de présence")
        verbose_name_plural = _("attestations de présence")

    def __str__(self):
        return f"{self.registration} — {self.issued_at:%Y-%m-%d}"
