"""The programme: editions, their venue, time slots, rooms, sessions, speakers, partners.

Text that visitors read is translated with django-modeltranslation (see translation.py):
staff type French and, when they can, English; English falls back to French.
"""

import os
import secrets
import uuid
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .uploads import validate_image, validate_pdf

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def random_file_name(folder, filename):
    """Uploaded files get a random name: nothing of the original name reaches the site, and
    a replaced file has a new address (served as immutable, see rencontres/media.py)."""
    return f"{folder}/{uuid.uuid4().hex}{os.path.splitext(filename)[1].lower()}"


def upload_to_programme(instance, filename):
    return random_file_name("programme", "programme.pdf")


def upload_to_speakers(instance, filename):
    return random_file_name("intervenants", filename)


def upload_to_partners(instance, filename):
    return random_file_name("partenaires", filename)


def new_public_code():
    """Short, stable, unambiguous code used in URLs and calendar UIDs."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


class Venue(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    street = models.CharField(_("adresse"), max_length=200)
    postal_code = models.CharField(_("code postal"), max_length=20)
    city = models.CharField(_("ville"), max_length=100)
    website = models.URLField(_("site web"), blank=True)

    class Meta:
        verbose_name = _("lieu")
        verbose_name_plural = _("lieux")

    def __str__(self):
        return self.name

    @property
    def address(self):
        return f"{self.street}, {self.postal_code} {self.city}"

    @property
    def full_address(self):
        return f"{self.name}, {self.address}"


class AccessOption(models.Model):
    class Kind(models.TextChoices):
        METRO = "metro", _("Métro")
        RER = "rer", _("RER")
        BUS = "bus", _("Bus")
        PARKING = "parking", _("Parking public")
        BIKE = "bike", _("Vélo")
        OTHER = "other", _("Autre")

    venue = models.ForeignKey(
        Venue, on_delete=models.CASCADE, related_name="access_options", verbose_name=_("lieu")
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("ligne ou nom"), max_length=200)
    detail = models.CharField(_("précision"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("accès")
        verbose_name_plural = _("accès")

    def __str__(self):
        return f"{self.get_kind_display()} : {self.label}"


class EditionQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True).select_related("venue").first()


class AccessibilityState(models.TextChoices):
    COMPLIANT = "full", _("totalement conforme")
    PARTIAL = "partial", _("partiellement conforme")
    NOT_COMPLIANT = "none", _("non conforme")


class Edition(models.Model):
    AccessibilityState = AccessibilityState

    class RegistrationState(models.TextChoices):
        NOT_OPEN = "not_open", _("pas encore ouvertes")
        OPEN = "open", _("ouvertes")
        CLOSED = "closed", _("closes")
        OVER = "over", _("événement terminé")

    number = models.PositiveSmallIntegerField(_("numéro"), unique=True)
    is_current = models.BooleanField(
        _("édition en cours"),
        default=False,
        help_text=_("Une seule édition est affichée sur le site."),
    )
    title = models.CharField(_("titre"), max_length=250)
    short_title = models.CharField(_("titre court"), max_length=100)
    theme = models.CharField(_("thème"), max_length=250)
    start_date = models.DateField(_("premier jour"))
    end_date = models.DateField(_("dernier jour"))
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, default="Europe/Paris")
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, verbose_name=_("lieu"))
    registration_opens_at = models.DateTimeField(_("ouverture des inscriptions"))
    registration_closes_at = models.DateTimeField(_("clôture des inscriptions"))
    capacity = models.PositiveIntegerField(_("capacité totale"))
    lunch_day = models.DateField(
        _("jour du cocktail déjeuner"),
        null=True,
        blank=True,
        help_text=_("Les inscrit·es présent·es ce jour-là indiquent s'ils y participent."),
    )
    editorial = models.TextField(
        _("éditorial"),
        help_text=_("Un paragraphe par bloc, séparés par une ligne vide. **gras** accepté."),
    )
    signatory_name = models.CharField(_("signataire"), max_length=200)
    signatory_titles = models.TextField(_("fonctions du signataire"), help_text=_("Une par ligne."))
    contact_intro = models.CharField(_("texte de contact"), max_length=300, blank=True)
    contact_phone = models.CharField(_("téléphone"), max_length=40)
    contact_email = models.EmailField(_("courriel"))
    organiser_url = models.URLField(_("site de CUF"))
    event_site_url = models.URLField(_("site dédié aux Rencontres"), blank=True)
    x_handle = models.CharField(_("compte X"), max_length=50, blank=True)
    linkedin_url = models.URLField(_("LinkedIn"), blank=True)
    hashtag = models.CharField(_("mot-dièse"), max_length=50, blank=True)
    intro = models.TextField(
        _("présentation (page d'accueil)"),
        blank=True,
        help_text=_("Le paragraphe « Rendez-vous » de la page d'accueil. **gras** accepté."),
    )
    programme_pdf = models.FileField(
        _("programme (PDF)"),
        upload_to=upload_to_programme,
        blank=True,
        validators=[validate_pdf],
        help_text=_("Proposé en téléchargement sur les pages du programme. 20 Mo au plus."),
    )
    # Mentions légales (loi pour la confiance dans l'économie numérique, art. 6).
    publisher_name = models.CharField(_("éditeur du site"), max_length=200, blank=True)
    publisher_details = models.TextField(
        _("coordonnées de l'éditeur"),
        blank=True,
        help_text=_("Statut, adresse du siège, numéros d'identification, téléphone."),
    )
    publication_director = models.CharField(
        _("directeur·rice de la publication"), max_length=200, blank=True
    )
    host_name = models.CharField(_("hébergeur"), max_length=200, blank=True)
    host_details = models.TextField(
        _("coordonnées de l'hébergeur"), blank=True, help_text=_("Adresse et téléphone.")
    )
    # Déclaration d'accessibilité (RGAA).
    accessibility_state = models.CharField(
        _("état de conformité RGAA"),
        max_length=20,
        choices=AccessibilityState.choices,
        default=AccessibilityState.NOT_COMPLIANT,
        help_text=_(
            "« Partiellement » ou « totalement conforme » supposent un audit RGAA complet ; "
            "sans audit, le site est « non conforme »."
        ),
    )
    accessibility_audit = models.TextField(
        _("résultats des vérifications"),
        blank=True,
        help_text=_("Qui a vérifié quoi, quand, avec quels outils ; les défauts connus."),
    )
    accessibility_updated_on = models.DateField(_("déclaration établie le"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("édition")
        verbose_name_plural = _("éditions")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="one_current_edition",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="edition_dates_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.number}e — {self.short_title}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("Le dernier jour précède le premier.")})
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at <= self.registration_opens_at
        ):
            raise ValidationError(
                {"registration_closes_at": _("La clôture doit suivre l'ouverture.")}
            )

    @property
    def tz(self):
        return ZoneInfo(self.time_zone)

    @property
    def starts_at(self):
        return datetime.combine(self.start_date, time.min, tzinfo=self.tz)

    @property
    def ends_at(self):
        return datetime.combine(self.end_date, time.max, tzinfo=self.tz)

    @property
    def days(self):
        return [
            self.start_date.fromordinal(ordinal)
            for ordinal in range(self.start_date.toordinal(), self.end_date.toordinal() + 1)
        ]

    def registration_state(self, now=None):
        now = now or timezone.now()
        if now > self.ends_at:
            return self.RegistrationState.OVER
        if now < self.registration_opens_at:
            return self.RegistrationState.NOT_OPEN
        if now >= self.registration_closes_at:
            return self.RegistrationState.CLOSED
        return self.RegistrationState.OPEN

    def next_state_change(self, now=None):
        """When registration_state() will next change (None once the event is over)."""
        now = now or timezone.now()
        upcoming = [
            moment
            for moment in (self.registration_opens_at, self.registration_closes_at, self.ends_at)
            if moment > now
        ]
        return min(upcoming, default=None)

    @property
    def signatory_title_lines(self):
        return [line.strip() for line in self.signatory_titles.splitlines() if line.strip()]


class Slot(models.Model):
    """A block of time of one day, as printed in the pre-programme."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="slots", verbose_name=_("édition")
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    title = models.CharField(_("intitulé"), max_length=200)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("créneau")
        verbose_name_plural = _("créneaux (pré-programme)")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            ),
        ]

    def __str__(self):
        start = timezone.localtime(self.starts_at)
        end = timezone.localtime(self.ends_at)
        return f"{start:%d/%m %H:%M}–{end:%H:%M} {self.title}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("La fin doit suivre le début.")})

    @property
    def day(self):
        return timezone.localdate(self.starts_at)


class SessionType(models.Model):
    slug = models.SlugField(_("identifiant"), unique=True)
    name = models.CharField(_("nom"), max_length=100)
    format_label = models.CharField(
        _("nom du format"),
        max_length=150,
        blank=True,
        help_text=_("Tel que présenté dans la liste des formats (vide : le nom)."),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    colour = models.CharField(
        _("couleur"),
        max_length=7,
        default="#14376e",
        validators=[
            RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Une couleur s'écrit #rrvvbb, ex. #14376e."))
        ],
        help_text=_("Code hexadécimal, ex. #14376e. Choisissez une couleur foncée (texte blanc)."),
    )
    is_bookable = models.BooleanField(
        _("sur réservation"), default=False, help_text=_("Les participants s'y inscrivent.")
    )
    is_plenary = models.BooleanField(
        _("ouverte à toutes et tous"),
        default=False,
        help_text=_(
            "Plénières, ouverture : dans l’agenda personnel des inscrit·es présent·es ce jour-là."
        ),
    )
    is_format = models.BooleanField(
        _("format présenté"),
        default=False,
        help_text=_("Affiché dans la liste des formats sur la page d'accueil."),
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("type de session")
        verbose_name_plural = _("types de session")

    def __str__(self):
        return self.name

    @property
    def format_name(self):
        return self.format_label or self.name


class Room(models.Model):
    venue = models.ForeignKey(
        Venue, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("lieu")
    )
    name = models.CharField(_("nom"), max_length=100)
    capacity = models.PositiveIntegerField(_("capacité"))
    location = models.CharField(_("emplacement"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("salle")
        verbose_name_plural = _("salles")

    def __str__(self):
        return self.name


class Speaker(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    role = models.CharField(_("fonction"), max_length=300, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    bio = models.TextField(_("biographie"), blank=True)
    photo = models.ImageField(
        _("photo"),
        upload_to=upload_to_speakers,
        blank=True,
        validators=[validate_image],
        help_text=_("JPEG, PNG ou WebP, 5 Mo au plus ; réduite à 600 pixels de côté."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("intervenant·e")
        verbose_name_plural = _("intervenant·es")

    def __str__(self):
        return self.name


class SessionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Session(models.Model):
    slot = models.ForeignKey(
        Slot, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("créneau")
    )
    type = models.ForeignKey(SessionType, on_delete=models.PROTECT, verbose_name=_("type"))
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("salle")
    )
    code = models.CharField(
        _("code public"), max_length=12, unique=True, default=new_public_code, editable=False
    )
    guid = models.UUIDField(
        _("identifiant stable"), default=uuid.uuid4, unique=True, editable=False
    )
    title = models.CharField(_("titre"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("début"), blank=True)
    ends_at = models.DateTimeField(_("fin"), blank=True)
    # Off (the usual case): the session takes its slot's times, and moves with the slot.
    own_times = models.BooleanField(
        _("horaires propres"),
        default=False,
        help_text=_("Décoché : la session suit les horaires de son créneau."),
    )
    speakers = models.ManyToManyField(
        Speaker, blank=True, related_name="sessions", verbose_name=_("intervenant·es")
    )
    capacity = models.PositiveIntegerField(
        _("capacité"),
        null=True,
        blank=True,
        help_text=_("Vide : capacité de la salle."),
    )
    is_published = models.BooleanField(_("publiée"), default=True)
    is_provisional = models.BooleanField(
        _("contenu provisoire"),
        default=False,
        help_text=_("Affiche « contenu provisoire » tant que l'intitulé n'est pas arrêté."),
    )
    position = models.PositiveSmallIntegerField(
        _("ordre dans le créneau"),
        default=0,
        help_text=_("Les sessions d'un créneau s'affichent par ordre croissant."),
    )
    language = models.CharField(
        _("langue"), max_length=5, default="fr", choices=[("fr", "Français"), ("en", "English")]
    )
    sequence = models.PositiveIntegerField(_("révision"), default=0, editable=False)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "position", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.follow_slot()
        if self.pk and not kwargs.get("force_insert"):
            # Calendar clients replace an event only when its SEQUENCE grows.
            self.sequence += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("events:session", kwargs={"code": self.code})

    @property
    def effective_capacity(self):
        if self.capacity is not None:
            return self.capacity
        return self.room.capacity if self.room_id else None

    def follow_slot(self):
        """Take the slot's times, unless staff gave the session its own (or left a time
        empty)."""
        if not self.slot_id:
            return
        if not self.own_times or not self.starts_at:
            self.starts_at = self.slot.starts_at
        if not self.own_times or not self.ends_at:
            self.ends_at = self.slot.ends_at

    def clean(self):
        self.follow_slot()
        if not (self.starts_at and self.ends_at):
            return
        if self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("La fin doit suivre le début.")})
        if self.slot_id and (
            self.starts_at < self.slot.starts_at or self.ends_at > self.slot.ends_at
        ):
            raise ValidationError(
                _("La session doit se tenir dans son créneau (%(slot)s).") % {"slot": self.slot}
            )
        if self.room_id:
            clash = (
                Session.objects.filter(
                    room_id=self.room_id,
                    starts_at__lt=self.ends_at,
                    ends_at__gt=self.starts_at,
                )
                .exclude(pk=self.pk)
                .first()
            )
            if clash:
                raise ValidationError(
                    {
                        "room": _(
                            "La salle %(room)s est déjà occupée à ce moment par « %(other)s »."
                        )
                        % {"room": self.room, "other": clash.title}
                    }
                )


class Partner(models.Model):
    class Tier(models.TextChoices):
        MAIN = "main", _("partenaire principal")
        SUPPORT = "support", _("avec le concours de")

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="partners", verbose_name=_("édition")
    )
    name = models.CharField(_("nom"), max_length=200)
    tier = models.CharField(_("place"), max_length=10, choices=Tier.choices, default=Tier.SUPPORT)
    role = models.CharField(
        _("rôle"),
        max_length=200,
        blank=True,
        help_text=_("Affiché au-dessus du nom (ex. « Avec le concours de »)."),
    )
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("site web"), blank=True)
    logo = models.ImageField(
        _("logo"),
        upload_to=upload_to_partners,
        blank=True,
        validators=[validate_image],
        help_text=_("PNG, JPEG ou WebP, 5 Mo au plus ; réduit à 600 × 300 pixels au plus."),
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")

    def __str__(self):
        return self.name
