"""A run of the scheduling engine: asked for by staff, solved by the task worker, shown as a
preview, applied (or not) by staff. Imported by models.py."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScheduleRun(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        READY = "ready", _("Aperçu prêt")
        APPLIED = "applied", _("Appliqué")
        STALE = "stale", _("Périmé")
        FAILED = "failed", _("Échec")

    programme = models.ForeignKey(
        "meetings.Programme",
        on_delete=models.CASCADE,
        related_name="schedule_runs",
        verbose_name=_("programme B2B"),
    )
    seconds = models.PositiveSmallIntegerField(
        _("temps de calcul maximal (s)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status, default=Status.PENDING, editable=False
    )
    stage = models.PositiveSmallIntegerField(_("étape (sur 3)"), default=0, editable=False)
    # What the meetings were when the plan was made: applying refuses if it changed since.
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    result = models.JSONField(_("aperçu"), default=dict, editable=False)
    error = models.TextField(_("erreur"), blank=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    finished_at = models.DateTimeField(_("calculé le"), null=True, blank=True, editable=False)
    applied_at = models.DateTimeField(_("appliqué le"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("planification des rendez-vous")
        verbose_name_plural = _("planifications des rendez-vous")

    def __str__(self):
        return f"{self.programme} — {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"
