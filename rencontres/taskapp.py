"""django-tasks-db under names staff can read, in French and English.

The package names its admin section « Tasks Database Backend », a fixed English string, and
its model « Task Result » (translatable, but there is no French catalogue: French is this
site's source language). This configuration of the same app (same label, same models and
migrations) gives both a translated name; the model's names are set on its options at
start-up, not in its migrations' state (`original_attrs`), so no migration follows.
"""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class BackgroundTasksConfig(TasksAppConfig):
    verbose_name = _("Tâches en arrière-plan")

    def ready(self):
        super().ready()
        options = self.get_model("DBTaskResult")._meta
        options.verbose_name = _("tâche (courriel, badges, purge)")
        options.verbose_name_plural = _("tâches (courriels, badges, purge)")
