"""The site's authentication backend: Django's ModelBackend, with a staff member's
permissions read in one statement.

ModelBackend reads a user's own permissions and their groups' in two statements the first
time a request checks one (every admin page does); this backend reads both at once, all of
them for a superuser as ModelBackend does, and keeps them on the user object for the rest of
the request as ModelBackend keeps its own. The desk, which checks permissions on every scan,
pays one statement for them (tests/staff/test_desk.py).
"""

import functools

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from rencontres.sql import Table

_PERMISSIONS = """
    SELECT t.{T.app_label}, p.{P.codename} FROM {P} p
    INNER JOIN {T} t ON t.{T.id} = p.{P.content_type}
    WHERE %s OR p.{P.id} IN (
        SELECT up.{UP.permission} FROM {UP} up WHERE up.{UP.user} = %s
    ) OR p.{P.id} IN (
        SELECT gp.{GP.permission} FROM {GP} gp
        INNER JOIN {UG} ug ON ug.{UG.group} = gp.{GP.group} WHERE ug.{UG.user} = %s
    )"""


@functools.cache
def _permissions_sql():
    user = get_user_model()
    return _PERMISSIONS.format(
        P=Table(Permission),
        T=Table(ContentType),
        UP=Table(user.user_permissions.through),
        UG=Table(user.groups.through),
        GP=Table(Group.permissions.through),
    )


def read_permissions(user):
    """An active user's permissions, "app_label.codename", their own and their groups'
    (every one for a superuser), in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(_permissions_sql(), [user.is_superuser, user.pk, user.pk])
        return {f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()}


class ModelBackend(backends.ModelBackend):
    """Django's ModelBackend; get_all_permissions, which every permission check asks,
    reads in one statement (see the module)."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_all_permissions"):
            user_obj._all_permissions = read_permissions(user_obj)
        return user_obj._all_permissions
