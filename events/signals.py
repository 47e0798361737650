"""Any change to the programme drops the cached public pages (see pagecache.py)."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from . import models
from .pagecache import invalidate_programme

PROGRAMME_MODELS = (
    models.Venue,
    models.AccessOption,
    models.Edition,
    models.Slot,
    models.SessionType,
    models.Room,
    models.Speaker,
    models.Session,
    models.Partner,
)


@receiver(post_save)
@receiver(post_delete)
def programme_changed(sender, **kwargs):
    if sender in PROGRAMME_MODELS:
        drop_cached_pages()


@receiver(m2m_changed, sender=models.Session.speakers.through)
def speakers_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        drop_cached_pages()


def drop_cached_pages():
    # Now, and again once committed: a page rendered in between from the old data
    # must not outlive the transaction.
    invalidate_programme()
    transaction.on_commit(invalidate_programme)
