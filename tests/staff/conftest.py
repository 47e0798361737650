import pytest
from django.contrib.auth.models import Permission


@pytest.fixture
def staff_user(django_user_model):
    """A staff member with no permission at all."""
    return django_user_model.objects.create_user("agent", password="x", is_staff=True)


def grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return type(user).objects.get(pk=user.pk)  # permissions are cached on the instance
