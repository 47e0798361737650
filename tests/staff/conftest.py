import pytest
from django.contrib.auth.models import Permission


@pytest.fixture
def staff_user(django_user_model):
    """A staff member with no permission at all."""
    return django_user_model.objects.create_user("agent", password="x", is_staff=True)


def grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return type(user).objects.get(pk=user.pk)  # permissions are cached on the instance


def sign_up(edition, *, email, sessions=(), days=None):
    """A sign-up through the service, at a date when registration is open."""
    import uuid

    from registration.services import registration_create
    from tests.registration.conftest import MAY

    registration = registration_create(
        edition=edition,
        data={
            "first_name": email.split("@")[0].title(),
            "last_name": "Test",
            "email": email,
            "organisation": "Ville test",
            "organisation_type": "collectivite",
            "country": "FR",
        },
        days=days or [session.starts_at.date() for session in sessions] or edition.days,
        session_ids=[session.pk for session in sessions],
        form_token=uuid.uuid4(),
        now=MAY,
    )
    return registration


@pytest.fixture
def full_workshop(edition_2026):
    """Workshop 1 with one seat: one confirmed, two on its waiting list."""
    from tests.registration.conftest import workshop

    session = workshop(1)
    session.capacity = 1
    session.save()
    people = [
        sign_up(edition_2026, email=f"p{i}@example.org", sessions=[session]) for i in range(3)
    ]
    return session, people
