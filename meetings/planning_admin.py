"""The scheduling engine in admin: staff ask for a run, watch it solve, read the preview and
apply it. Every write goes through planning.py."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from . import planning
from .models import Programme, ScheduleRun
from .services import Refused
from .tableplan import table_plan_pdf


@admin.register(ScheduleRun)
class ScheduleRunAdmin(admin.ModelAdmin):
    list_display = ["created_at", "programme", "status", "summary", "requested_by"]
    list_filter = ["status"]
    list_select_related = ["programme__edition", "requested_by"]
    change_form_template = "admin/meetings/schedulerun/change_form.html"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["programme", "seconds"]
        return ["programme", "seconds", "status", "stage", "created_at", "finished_at", "error"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("placés avant → après (borne)"))
    def summary(self, run):
        result = run.result
        if not result:
            return "—"
        return (
            f"{result['placed_before']} → {result['placed_after']} / {result['meetings']} "
            f"({result['bound']})"
        )

    def save_model(self, request, obj, form, change):
        run = planning.schedule_request(
            programme=obj.programme, seconds=obj.seconds, user=request.user
        )
        obj.pk, obj.created_at = run.pk, run.created_at

    def response_add(self, request, obj, post_url_continue=None):
        """Straight to the run's page, to watch it solve."""
        return redirect("admin:meetings_schedulerun_change", obj.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = get_object_or_404(ScheduleRun, pk=object_id)
        extra_context = {
            **(extra_context or {}),
            "run": run,
            "in_progress": run.status in (ScheduleRun.Status.PENDING, ScheduleRun.Status.RUNNING),
            "rows": planning.preview_rows(run) if run.status == ScheduleRun.Status.READY else None,
            "can_apply": run.status == ScheduleRun.Status.READY
            and request.user.has_perm("meetings.change_meeting"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<int:pk>/apply/",
                self.admin_site.admin_view(require_POST(self.apply_view)),
                name="meetings_schedulerun_apply",
            ),
            path(
                "plan-des-tables/<int:programme>.pdf",
                self.admin_site.admin_view(self.table_plan_view),
                name="meetings_table_plan",
            ),
            *super().get_urls(),
        ]

    def apply_view(self, request, pk):
        if not request.user.has_perm("meetings.change_meeting"):
            raise PermissionDenied
        run = get_object_or_404(ScheduleRun, pk=pk)
        try:
            applied = planning.schedule_apply(run=run)
        except Refused as refused:
            self.message_user(request, refused.message, messages.ERROR)
            return redirect("admin:meetings_schedulerun_change", pk)
        if applied:
            self.message_user(
                request,
                _("Planning appliqué : les personnes concernées reçoivent un courriel."),
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                _(
                    "Des rendez-vous ont changé depuis le calcul : rien n'a été appliqué. "
                    "Lancez un nouveau calcul."
                ),
                messages.WARNING,
            )
        return redirect("admin:meetings_schedulerun_change", pk)

    def table_plan_view(self, request, programme):
        if not request.user.has_perm("meetings.view_meeting"):
            raise PermissionDenied
        programme = get_object_or_404(Programme.objects.select_related("edition"), pk=programme)
        response = HttpResponse(table_plan_pdf(programme), content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="plan-des-tables.pdf"'
        response["Cache-Control"] = "no-store"
        return response
