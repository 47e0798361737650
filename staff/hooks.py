"""What the staff app plugs into the attendee's pages (registration/hooks.py): the
attestation de présence, offered on the personal page once the person's arrival has been
recorded at the desk (the attestation lists the days of their arrivals)."""

from django.utils.translation import gettext_lazy as _

from registration import hooks

# The person's arrivals, one more column of the personal link's statement (no query).
ARRIVALS_SQL = """
    SELECT {rows}({row}(c.{C.day})) FROM {C} c WHERE c.{C.registration} = r.{R.id}"""


def arrivals_read():
    from .models import CheckIn

    return hooks.LinkRead("arrivals", ARRIVALS_SQL, {"C": CheckIn}, lambda rows: len(rows or ()))


def has_arrived(registration):
    from registration.queries import link_read

    return link_read(registration, "arrivals") > 0


ATTESTATION = hooks.PersonalLink(
    _("Télécharger mon attestation de présence (PDF)"), "attendance:attestation", has_arrived
)


def connect():
    if ATTESTATION not in hooks.personal_links:
        hooks.link_reads.append(arrivals_read())
        hooks.personal_links.append(ATTESTATION)
