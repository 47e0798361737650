"""Background work, run by `manage.py db_worker` (django-tasks-db)."""

from django.tasks import task

from . import badges, emails


@task()
def deliver_email(email_id):
    """Send one message of the outbox (retries are scheduled by emails.deliver)."""
    return emails.deliver(email_id)


@task()
def send_access_link(edition_id, address, duplicate_signup=False):
    """« Lien perdu »: find the address's registration here, not in the request, and send
    it a fresh link. Returns nothing, which says nothing about the address."""
    emails.access_link_lookup(edition_id, address, duplicate_signup=duplicate_signup)


# Below the emails (priority 0): a queue of badges, after a category given to many, never
# delays a confirmation; a badge not stored yet is rendered on its download meanwhile.
@task(priority=-10)
def store_badges(registration_ids):
    """Render and store the badges of these registrations as they are now (badges.py)."""
    return badges.store_current(registration_ids)


@task()
def send_programme_notices(registration_id):
    """Tell one person, in one message, what the programme's changes did to their
    bookings (scheduled a few minutes after each change: emails.programme_notices_send)."""
    email = emails.programme_notices_send(registration_id)
    return email.pk if email else None
