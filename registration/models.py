"""Registrations, their days and session bookings, and the secret links to manage them.

Writes go through services.py (capacity, waiting lists, locks); this module only describes
the data and its constraints.
"""

import calendar
import hashlib
import hmac
import secrets
from datetime import date, datetime, time

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from events.models import CODE_ALPHABET, Edition, Room, Session, Slot

from . import search


def new_checkin_code():
    """What the badge's QR code carries: random, not personal data (10 characters, 50 bits;
    it only finds a badge at the door, it opens nothing)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def same_address(email):
    """A filter: the registrations whose address is `email` as the one_registration_per_email
    constraint compares addresses (lower case). The one rule of « the same address » for
    every query, so that no look-up finds two live registrations the database holds as one,
    or misses one it holds as the same (`iexact` compares in upper case on PostgreSQL: « ſ »
    is « S » in upper case, itself in lower case)."""
    return Exact(Lower("email"), Lower(Value(email)))


class Registration(models.Model):
    class Civility(models.TextChoices):
        MADAME = "mme", _("Madame")
        MONSIEUR = "m", _("Monsieur")
        NONE = "", _("Ne pas préciser")

    class OrganisationType(models.TextChoices):
        LOCAL_GOVERNMENT = "collectivite", _("Collectivité territoriale")
        NETWORK = "reseau", _("Réseau / association de collectivités")
        STATE = "etat", _("État et opérateurs publics")
        NGO = "association", _("Association / ONG")
        COMPANY = "entreprise", _("Entreprise")
        RESEARCH = "recherche", _("Recherche / université")
        INTERNATIONAL = "international", _("Organisation internationale")
        OTHER = "autre", _("Autre")

    class Language(models.TextChoices):
        FR = "fr", "Français"
        EN = "en", "English"

    class Category(models.TextChoices):
        PARTICIPANT = "participant", _("Participant·e")
        SPEAKER = "speaker", _("Intervenant·e")
        ORGANISER = "organiser", _("Organisation")
        PRESS = "press", _("Presse")
        PARTNER = "partner", _("Partenaire")

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmée")
        WAITLISTED = "waitlisted", _("Liste d'attente")
        CANCELLED = "cancelled", _("Annulée")

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("édition")
    )
    civility = models.CharField(_("civilité"), max_length=5, choices=Civility, blank=True)
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("courriel"))
    phone = PhoneNumberField(_("téléphone"), blank=True)
    organisation = models.CharField(_("organisation"), max_length=200)
    organisation_type = models.CharField(
        _("type d'organisation"), max_length=20, choices=OrganisationType
    )
    position = models.CharField(_("fonction"), max_length=200, blank=True)
    country = CountryField(_("pays"))
    is_elected = models.BooleanField(_("élu·e"), default=False)
    language = models.CharField(
        _("langue de correspondance"), max_length=2, choices=Language, default=Language.FR
    )
    lunch = models.BooleanField(_("cocktail déjeuner"), default=False)
    # Long enough for any real answer; nobody stores a megabyte in every export and email.
    dietary_needs = models.TextField(_("régime alimentaire"), max_length=500, blank=True)
    accessibility_needs = models.TextField(_("besoins d'accessibilité"), max_length=500, blank=True)
    privacy_consent_at = models.DateTimeField(_("consentement (données personnelles)"))
    photo_consent = models.BooleanField(_("accord photo"), default=False)
    newsletter_consent = models.BooleanField(_("lettre d'information"), default=False)
    category = models.CharField(
        _("catégorie"), max_length=20, choices=Category, default=Category.PARTICIPANT
    )
    status = models.CharField(_("statut"), max_length=20, choices=Status, default=Status.CONFIRMED)
    form_token = models.UUIDField(_("jeton du formulaire"), unique=True, editable=False)
    checkin_code = models.CharField(
        _("code d'accueil"), max_length=12, unique=True, default=new_checkin_code, editable=False
    )
    created_at = models.DateTimeField(_("inscrit·e le"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True, editable=False)
    # Names, address and organisation folded (no accent, lower case) for the admin's search.
    search_text = models.TextField(_("texte de recherche"), blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            # One live registration per address and edition, whatever its case.
            models.UniqueConstraint(
                Lower("email"),
                "edition",
                condition=~Q(status="cancelled"),
                name="one_registration_per_email",
            ),
        ]
        indexes = [
            models.Index(fields=["edition", "status", "created_at"]),
            # The confirmed people of an edition in name order: the B2B directory walks
            # it for its page of 20 instead of sorting everyone on every visit.
            models.Index(
                fields=["edition", "last_name", "first_name", "id"],
                condition=Q(status="confirmed"),
                name="confirmed_by_name",
            ),
        ]
        permissions = [
            ("export_registration", _("Peut exporter les inscriptions")),
            ("print_badges", _("Peut imprimer des planches de badges")),
            ("check_in", _("Peut enregistrer les arrivées à l'accueil")),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.organisation})"

    def save(self, *args, **kwargs):
        """Keeps `search_text` in step with what it is made of, whoever saves."""
        self.search_text = search.search_text(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(search.SEARCHED_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def full_name(self):
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED


# What a person tells about themselves, in the order the forms ask for it: the sign-up and
# change forms' fields, and what staff may correct without touching seats.
DETAILS = (
    "civility",
    "first_name",
    "last_name",
    "email",
    "phone",
    "organisation",
    "organisation_type",
    "position",
    "country",
    "is_elected",
    "language",
    "lunch",
    "dietary_needs",
    "accessibility_needs",
    "photo_consent",
    "newsletter_consent",
)


class AttendanceDay(models.Model):
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="days", verbose_name=_("inscription")
    )
    day = models.DateField(_("jour"))

    class Meta:
        ordering = ["day"]
        verbose_name = _("jour de présence")
        verbose_name_plural = _("jours de présence")
        constraints = [
            models.UniqueConstraint(fields=["registration", "day"], name="one_row_per_day")
        ]

    def __str__(self):
        return str(self.day)


class Booking(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmée")
        WAITLISTED = "waitlisted", _("Liste d'attente")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="bookings",
        verbose_name=_("inscription"),
    )
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("session")
    )
    # The session's slot, copied so the database itself allows one booking per slot.
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="+", editable=False)
    status = models.CharField(_("statut"), max_length=20, choices=Status)
    created_at = models.DateTimeField(_("réservée le"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmée le"), null=True, blank=True)
    # Staff moved a session onto another one of this person's and chose to keep both (or
    # to put this one on its waiting list): the one booking per slot rule spares this row.
    overlap_accepted = models.BooleanField(
        _("chevauchement accepté"), default=False, editable=False
    )

    class Meta:
        ordering = ["session__starts_at", "pk"]
        verbose_name = _("réservation")
        verbose_name_plural = _("réservations")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "slot"],
                condition=Q(overlap_accepted=False),
                name="one_booking_per_slot",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status", "created_at"]),
            # The seats taken, counted on every view of the change form and under the
            # sessions' locks at each booking: a session's confirmed bookings only, in an
            # index a third the size (the statements name the status as a literal).
            models.Index(
                fields=["session"],
                condition=Q(status="confirmed"),
                name="confirmed_by_session",
            ),
        ]

    def __str__(self):
        return f"{self.registration} → {self.session}"


class ProgrammeNotice(models.Model):
    """A programme change that touched one person's booking, waiting to be told: the
    worker gathers a person's notices a few minutes after the last one into one message
    (emails.programme_notices_send), so that five edits in a row make one email."""

    class Kind(models.TextChoices):
        MOVED = "moved", _("déplacée")
        CANCELLED = "cancelled", _("annulée")
        WAITLISTED = "waitlisted", _("passée en liste d'attente")
        OVERLAP = "overlap", _("en même temps qu'une autre session")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="programme_notices",
        verbose_name=_("inscription"),
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("session"),
    )
    # The session's title when the change was made (a deleted session has no other).
    title_fr = models.CharField(_("titre"), max_length=250)
    title_en = models.CharField(_("titre (anglais)"), max_length=250, blank=True)
    kind = models.CharField(_("changement"), max_length=20, choices=Kind)
    old_starts_at = models.DateTimeField(_("ancien début"))
    old_ends_at = models.DateTimeField(_("ancienne fin"))
    old_room = models.ForeignKey(
        Room,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ancienne salle"),
    )
    # The session's calendar identity, for a STATUS:CANCELLED entry once it is deleted.
    guid = models.UUIDField(_("identifiant de calendrier"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("révision"), default=0)
    created_at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    email = models.ForeignKey(
        "OutgoingEmail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("courriel"),
    )
    told_at = models.DateTimeField(_("signalé le"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("changement de programme à signaler")
        verbose_name_plural = _("changements de programme à signaler")
        indexes = [models.Index(fields=["registration", "told_at"])]

    def __str__(self):
        return f"{self.title_fr} ({self.get_kind_display()})"


def _digest(verifier):
    return hashlib.sha256(verifier.encode()).hexdigest()


def months_later(day, months):
    """The same day `months` later (or earlier, if negative), or the month's last day."""
    months += day.month - 1
    year, month = day.year + months // 12, months % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retention_ends(edition):
    """The day an edition's personal data goes: N months after its last day
    (settings.PERSONAL_DATA_RETENTION_MONTHS)."""
    return months_later(edition.end_date, settings.PERSONAL_DATA_RETENTION_MONTHS)


def key_expiry(edition):
    """When personal links of an edition stop working: the start of its retention's last
    day, in the edition's time zone (the purge then deletes them with the data)."""
    return datetime.combine(retention_ends(edition), time.min, tzinfo=edition.tz)


class AccessKeyQuerySet(models.QuerySet):
    def live(self, now=None):
        return self.filter(expires_at__gt=now or timezone.now())

    def find(self, token):
        """The registration a secret link opens, or None. The public half of the token
        finds the row; the secret half is compared to its hash in constant time. An expired
        key opens nothing."""
        selector, _sep, verifier = (token or "").partition("-")
        if not selector or not verifier:
            return None
        key = self.live().select_related("registration__edition").filter(selector=selector).first()
        if key is None or not hmac.compare_digest(key.verifier_hash, _digest(verifier)):
            return None
        return key.registration


class AccessKey(models.Model):
    """A secret link to a registration's page. Only a hash of its secret half is kept.

    Keys are minted by the task worker when it sends a message that carries a link, never
    stored in clear anywhere (outbox, admin, logs). A key expires with the edition's
    personal data; a registration keeps its MAX_LIVE most recent keys, so asking for the
    link again keeps the last few links working and no more. A key for one message that
    must keep working for a while whatever else is sent (the answer link of a B2B request,
    until the request expires) is not one of them: it has its own, earlier expiry."""

    MAX_LIVE = 5

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="access_keys"
    )
    selector = models.CharField(max_length=16, unique=True)
    verifier_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"))
    # False: a key with its own expiry (`until`), outside the MAX_LIVE most recent.
    counted = models.BooleanField(default=True, editable=False)

    objects = AccessKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("lien personnel")
        verbose_name_plural = _("liens personnels")

    def __str__(self):
        return self.selector

    @classmethod
    def issue(cls, registration, *, now=None, until=None):
        """Create a key and return the token for the link (shown once, never stored). The
        oldest keys beyond MAX_LIVE, and expired ones, are deleted. With `until`, the key
        works until then (at the latest with the personal data) and is not counted among
        the MAX_LIVE: neither pushed out by later links nor pushing them out."""
        now = now or timezone.now()
        selector = secrets.token_hex(8)  # public, finds the row (no "-" in it)
        verifier = secrets.token_urlsafe(32)  # 256 bits, secret: only its hash is stored
        keys = cls.objects.filter(registration=registration)
        expires_at = key_expiry(registration.edition)
        with transaction.atomic():
            cls.objects.create(
                registration=registration,
                selector=selector,
                verifier_hash=_digest(verifier),
                expires_at=min(until, expires_at) if until else expires_at,
                counted=until is None,
            )
            counted = keys.filter(counted=True)
            kept = list(
                counted.live(now).order_by("-pk").values_list("pk", flat=True)[: cls.MAX_LIVE]
            )
            counted.exclude(pk__in=kept).delete()
            keys.filter(counted=False, expires_at__lte=now).delete()
        return f"{selector}-{verifier}"


class OutgoingEmail(models.Model):
    """The outbox: one row per message, written in the transaction of the change that
    causes it, then sent (and retried) by the task worker. It holds no secret: personal
    links are minted at send time and stored here cut after their selector."""

    class Status(models.TextChoices):
        PENDING = "pending", _("À envoyer")
        SENDING = "sending", _("En cours d'envoi")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec")

    class Kind(models.TextChoices):
        """Which message (its templates: registration/email/<kind>.txt and .html)."""

        REGISTRATION_CREATED = "registration_created", _("Confirmation d'inscription")
        REGISTRATION_CHANGED = "registration_changed", _("Inscription modifiée")
        REGISTRATION_CANCELLED = "registration_cancelled", _("Inscription annulée")
        REGISTRATION_PROMOTED = "registration_promoted", _("Place obtenue à l'événement")
        BOOKING_PROMOTED = "booking_promoted", _("Place obtenue dans une session")
        ACCESS_LINK = "access_link", _("Lien personnel (lien perdu, inscription en double)")
        PROGRAMME_CHANGED = "programme_changed", _("Changement de programme")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("inscription"),
    )
    kind = models.CharField(_("message"), max_length=40, choices=Kind)
    to = models.EmailField(_("destinataire"))
    context = models.JSONField(_("données du message"), default=dict, blank=True)
    reply_to = models.EmailField(_("répondre à"), blank=True)
    subject = models.CharField(_("objet"), max_length=300, blank=True)
    body = models.TextField(_("texte"), blank=True)
    html_body = models.TextField(_("version HTML"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, unique=True)
    status = models.CharField(
        _("état"), max_length=10, choices=Status, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    # A worker claims a message (status "sending") until this moment, then sends it outside
    # any transaction; past it, the claim of a worker that died is taken over.
    claimed_until = models.DateTimeField(_("réservé jusqu'à"), null=True, blank=True)
    retry_at = models.DateTimeField(_("prochain essai"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("courriel")
        verbose_name_plural = _("courriels")

    def __str__(self):
        return f"{self.subject} → {self.to}"
