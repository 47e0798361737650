import pytest
from django.core import mail

from tests.registration.conftest import workshop
from tests.staff.conftest import sign_up
from tests.worker import run_worker


@pytest.fixture
def people(edition_2026):
    """Workshop 1 with one seat: Ana has it, Ben waits for it (both Wednesday only); Chloé
    (English) comes both days with no workshop; Dan (Thursday only) has cancelled."""
    from registration.services import registration_cancel
    from tests.registration.conftest import MAY

    session = workshop(1)
    session.capacity = 1
    session.save()
    ana = sign_up(edition_2026, email="ana@example.org", sessions=[session])
    ben = sign_up(edition_2026, email="ben@example.org", sessions=[session])
    chloe = sign_up(edition_2026, email="chloe@example.org")
    chloe.language = "en"
    chloe.save()
    dan = sign_up(edition_2026, email="dan@example.org", days=[edition_2026.days[1]])
    registration_cancel(registration=dan, now=MAY)
    run_worker()  # their confirmations are out of the way
    mail.outbox.clear()
    return {"session": session, "ana": ana, "ben": ben, "chloe": chloe, "dan": dan}
