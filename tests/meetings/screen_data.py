"""A « next meetings » screen with meetings on it, for the quality gates (HTML checker, axe)
and its screenshots."""

from tests.registration.conftest import MAY

NAMES = [
    ("Amadou Diallo", "Ville de Saint-Louis du Sénégal"),
    ("Marie-Claire Lefèvre-Dumont", "Région Nouvelle-Aquitaine"),
    ("Nguyễn Thị Hoa", "Province de Thừa Thiên Huế"),
    ("Jean Martin", "Métropole de Lyon"),
    ("Fatima Zahra El Idrissi", "Commune de Chefchaouen"),
    ("Peter Schmidt", "Stadt Leipzig"),
]


def screen_with_meetings(edition, time_machine, *, pairs_now=3):
    """The « next meetings » screen's link, with `pairs_now` meetings at Wednesday's first
    time (tables added when the fixture's 12 are not enough) and one at the second; the
    clock then at 14:40 that day."""
    from datetime import datetime

    from meetings import services
    from meetings.models import Profile, Programme, Table
    from tests.factories import PARIS, make_registration

    time_machine.move_to(MAY, tick=True)
    programme = Programme.objects.get(edition=edition)
    for number in range(programme.tables.count() + 1, pairs_now + 1):
        services.table_save(table=Table(programme=programme, number=number))
    names = NAMES + [
        (f"Personne {n} Longuenom-Composé", f"Communauté d'agglomération n° {n} du Grand Ouest")
        for n in range(2 * pairs_now - len(NAMES))
    ]
    people = []
    for number, (name, organisation) in enumerate(names):
        first, _sep, last = name.partition(" ")
        person = make_registration(
            edition, first_name=first, last_name=last, organisation=organisation,
            email=f"screen{number}@example.org",
        )  # fmt: skip
        services.profile_save(registration=person, data={}, themes=[])
        Profile.objects.filter(registration=person).update(status=Profile.Status.APPROVED)
        people.append(person)
    times = list(programme.times.order_by("starts_at"))
    pairs = [(2 * n, 2 * n + 1, times[0]) for n in range(pairs_now)] + [(1, 2, times[1])]
    for a, b, time in pairs:
        request = services.request_create(sender=people[a], recipient=people[b], message="Eau")
        services.request_accept(request=request, registration=people[b], time=time)
    token = services.screen_key_issue(programme=programme)
    time_machine.move_to(datetime(2026, 7, 8, 14, 40, tzinfo=PARIS), tick=True)
    return token
