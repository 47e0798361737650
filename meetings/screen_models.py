"""The secret link of the « next meetings » screen at the Espace des Partenaires.

Why a secret link rather than a staff page: the screen is a browser left open on a PC or a
TV by the room's entrance all day. A staff login there would leave the whole admin to
whoever reaches the keyboard, and the screen would fall to the login page when the
session ends. The link opens one read-only page showing what the table plan posted at the
entrance shows anyway (names, organisations, table numbers), nothing else. Staff mint it
in admin (shown once, only its hash kept, like the personal links); minting another one
closes the previous one. Imported by models.py."""

import hashlib
import hmac
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def _digest(verifier):
    return hashlib.sha256(verifier.encode()).hexdigest()


class ScreenKeyQuerySet(models.QuerySet):
    def find(self, token):
        """The programme this screen link opens, or None (constant-time comparison)."""
        selector, _sep, verifier = (token or "").partition("-")
        if not selector or not verifier or len(token) > 100:
            return None
        key = self.select_related("programme__edition").filter(selector=selector).first()
        if key is None or not hmac.compare_digest(key.verifier_hash, _digest(verifier)):
            return None
        return key.programme


class ScreenKey(models.Model):
    programme = models.OneToOneField(
        "meetings.Programme", on_delete=models.CASCADE, related_name="screen_key"
    )
    selector = models.CharField(max_length=16, unique=True)
    verifier_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("créé le"), auto_now=True)

    objects = ScreenKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("lien de l'écran B2B")
        verbose_name_plural = _("liens de l'écran B2B")

    def __str__(self):
        return self.selector

    @staticmethod
    def new_secret():
        """(selector, verifier): 64 public bits that find the row, 256 secret bits."""
        return secrets.token_hex(8), secrets.token_urlsafe(32)
