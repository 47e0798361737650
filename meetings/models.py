"""B2B meetings: the staff's setup (programme, meeting times, tables, themes), the
attendees' profiles, their requests and the meetings placed at a time and a table.

Double booking is impossible in the database itself, whatever the code does:
- MeetingSeat: one row per person and meeting, unique (registration, time);
- Meeting: unique (table, time) while scheduled;
- MeetingRequest: one open request (pending or accepted) per unordered pair of people.
Writes go through services.py.
"""

import uuid
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from events.models import Edition, Partner, Session
from registration.models import Registration

LANGUAGES = (
    ("fr", _("français")),
    ("en", _("anglais")),
    ("es", _("espagnol")),
    ("pt", _("portugais")),
    ("ar", _("arabe")),
    ("de", _("allemand")),
    ("it", _("italien")),
)


class Programme(models.Model):
    """The B2B setup of an edition: where and when meetings happen, and the rules."""

    edition = models.OneToOneField(
        Edition, on_delete=models.CASCADE, related_name="b2b", verbose_name=_("édition")
    )
    sessions = models.ManyToManyField(
        Session,
        blank=True,
        related_name="+",
        verbose_name=_("sessions B2B"),
        help_text=_("Les sessions du programme qui accueillent les rendez-vous."),
    )
    meeting_minutes = models.PositiveSmallIntegerField(
        _("durée d'un rendez-vous (min)"), default=20
    )
    changeover_minutes = models.PositiveSmallIntegerField(_("battement (min)"), default=5)
    opens_at = models.DateTimeField(_("ouverture des demandes"))
    closes_at = models.DateTimeField(_("clôture des demandes"))
    max_pending = models.PositiveSmallIntegerField(
        _("demandes en attente par personne"), default=10
    )
    max_meetings = models.PositiveSmallIntegerField(_("rendez-vous par personne"), default=8)
    expiry_days = models.PositiveSmallIntegerField(
        _("expiration des demandes (jours)"),
        default=5,
        help_text=_("Une demande sans réponse expire après ce délai, et toujours à la clôture."),
    )
    needs_approval = models.BooleanField(
        _("profils validés par l'équipe"),
        default=True,
        help_text=_("Un profil n'apparaît dans l'annuaire qu'une fois validé."),
    )

    class Meta:
        verbose_name = _("programme B2B")
        verbose_name_plural = _("programmes B2B")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="b2b_window_ordered"
            ),
            models.CheckConstraint(condition=Q(meeting_minutes__gte=5), name="b2b_meeting_length"),
        ]

    def __str__(self):
        return str(_("B2B — %(edition)s") % {"edition": self.edition})

    def is_open(self, now=None):
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def expiry(self, now):
        return min(now + timedelta(days=self.expiry_days), self.closes_at)


class MeetingTime(models.Model):
    """A bookable time of a B2B block, derived from the programme (services.times_generate)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="times")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("horaire de rendez-vous")
        verbose_name_plural = _("horaires de rendez-vous")
        constraints = [
            models.UniqueConstraint(fields=["programme", "starts_at"], name="one_time_per_start"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_time_ordered"
            ),
        ]

    def __str__(self):
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{start:%d/%m %H:%M}–{end:%H:%M}"


class Table(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="tables")
    number = models.PositiveSmallIntegerField(_("numéro"))
    partner = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partenaire"),
    )
    host = models.ForeignKey(
        Registration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_tables",
        verbose_name=_("personne du stand"),
        help_text=_("Ses rendez-vous ont toujours lieu à cette table, réservée à ce stand."),
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="one_table_number"),
            models.UniqueConstraint(
                fields=["programme", "host"], condition=Q(host__isnull=False), name="one_stand"
            ),
        ]

    def __str__(self):
        label = _("Table %(number)s") % {"number": self.number}
        return f"{label} ({self.partner})" if self.partner_id else str(label)


class Theme(models.Model):
    name = models.CharField(_("nom"), max_length=100)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")

    def __str__(self):
        return self.name


class ProfileQuerySet(models.QuerySet):
    def listed(self):
        """Profiles the directory shows: approved, listed, of a live registration."""
        return self.filter(
            status=Profile.Status.APPROVED,
            is_listed=True,
            registration__status=Registration.Status.CONFIRMED,
        )


class Profile(models.Model):
    """Someone taking part in B2B (opt-in). Organisation, type and country come from the
    registration."""

    class Status(models.TextChoices):
        PENDING = "pending", _("À valider")
        APPROVED = "approved", _("Validé")
        REJECTED = "rejected", _("Refusé")
        LEFT = "left", _("Retiré")

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="b2b_profile"
    )
    # No index of its own: a few hundred profiles are read whole by the admin's queue, and
    # on a database not yet analysed (a fresh load) PostgreSQL took such an index for the
    # directory's joins, scanning every approved profile for each person (80 ms a page):
    # the directory's reads go through `profile_listed` (Meta) by registration.
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.PENDING)
    is_listed = models.BooleanField(_("dans l'annuaire"), default=True)
    presentation = models.TextField(_("présentation"), max_length=1000, blank=True)
    offers = models.TextField(_("ce que je propose"), max_length=1000, blank=True)
    seeks = models.TextField(_("ce que je cherche"), max_length=1000, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, verbose_name=_("thèmes"))
    countries = CountryField(_("pays ou régions d'intérêt"), multiple=True, blank=True)
    # Meeting times the person keeps free of meetings (availability.busy): nobody can be
    # given a meeting then, by an answer or by the scheduling engine.
    blocked_times = models.ManyToManyField(
        MeetingTime, blank=True, related_name="blocked_by", verbose_name=_("indisponible à")
    )
    # ",fr,en,": a code between commas, so that one LIKE finds it on any database.
    languages = models.CharField(_("langues parlées"), max_length=40, blank=True)
    wants_digest = models.BooleanField(
        _("récapitulatif quotidien"),
        default=False,
        help_text=_("Un courriel par jour pour les demandes reçues, au lieu d'un par demande."),
    )
    digest_sent_at = models.DateTimeField(_("dernier récapitulatif"), null=True, blank=True)
    rejection_reason = models.TextField(_("motif du refus"), max_length=1000, blank=True)
    reviewed_at = models.DateTimeField(_("examiné le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("profil B2B")
        verbose_name_plural = _("profils B2B")
        indexes = [
            # The directory's count reads this index alone (no table page).
            models.Index(
                fields=["registration"],
                condition=Q(status="approved", is_listed=True),
                name="profile_listed",
            ),
        ]

    def __str__(self):
        return str(self.registration)

    @property
    def language_codes(self):
        return [code for code in self.languages.split(",") if code]

    def language_labels(self):
        names = dict(LANGUAGES)
        return [names[code] for code in self.language_codes if code in names]


def pack_languages(codes):
    return "," + ",".join(sorted(set(codes))) + "," if codes else ""


class MeetingRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        ACCEPTED = "accepted", _("Acceptée")
        DECLINED = "declined", _("Déclinée")
        CANCELLED = "cancelled", _("Annulée")
        EXPIRED = "expired", _("Expirée")

    OPEN = (Status.PENDING, Status.ACCEPTED)

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="requests")
    sender = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="b2b_sent", verbose_name=_("de")
    )
    recipient = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="b2b_received", verbose_name=_("à")
    )
    # The pair, ordered, so that one constraint covers both directions.
    low = models.PositiveIntegerField(editable=False)
    high = models.PositiveIntegerField(editable=False)
    message = models.TextField(_("message"), max_length=600)
    decline_note = models.CharField(_("mot de refus"), max_length=200, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.PENDING)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"))
    answered_at = models.DateTimeField(_("répondue le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("demande de rendez-vous")
        verbose_name_plural = _("demandes de rendez-vous")
        constraints = [
            models.UniqueConstraint(
                fields=["low", "high"],
                condition=Q(status__in=["pending", "accepted"]),
                name="one_open_request_per_pair",
            ),
            models.CheckConstraint(condition=Q(low__lt=models.F("high")), name="request_pair"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self):
        return f"{self.sender} → {self.recipient}"

    def other(self, registration):
        return self.recipient if registration.pk == self.sender_id else self.sender


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Prévu")
        CANCELLED = "cancelled", _("Annulé")

    request = models.OneToOneField(MeetingRequest, on_delete=models.CASCADE, related_name="meeting")
    time = models.ForeignKey(
        MeetingTime, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("horaire")
    )
    table = models.ForeignKey(
        Table, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("table")
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.SCHEDULED)
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("révision"), default=0)
    is_locked = models.BooleanField(_("verrouillé"), default=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    # Either party may say, after its end, that the meeting did not take place.
    not_held_at = models.DateTimeField(_("signalé non tenu le"), null=True, blank=True)
    not_held_by = models.ForeignKey(
        Registration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signalé non tenu par"),
    )

    class Meta:
        ordering = ["time__starts_at", "table__number"]
        # The same word for one and several in French, not in English.
        verbose_name = pgettext_lazy("un", "rendez-vous")
        verbose_name_plural = pgettext_lazy("plusieurs", "rendez-vous")
        constraints = [
            models.UniqueConstraint(
                fields=["table", "time"],
                condition=Q(status="scheduled"),
                name="one_meeting_per_table_and_time",
            ),
        ]

    def __str__(self):
        return f"{self.request} — {self.time}, {self.table}"


class MeetingSeat(models.Model):
    """A person's place in a scheduled meeting (deleted when it is cancelled)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="seats")
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="b2b_seats"
    )
    time = models.ForeignKey(MeetingTime, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "time"], name="one_meeting_per_person_and_time"
            ),
        ]

    def __str__(self):
        return f"{self.registration_id} @ {self.time_id}"


from .schedule_models import ScheduleRun  # noqa: E402, F401 (the engine's runs, its own file)
from .screen_models import ScreenKey  # noqa: E402, F401 (the screen's link, its own file)
