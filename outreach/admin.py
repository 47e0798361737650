"""Staff messages in admin: write a draft, preview who gets it, send it once, read it after.

Every write goes through services.py; a sent message is read only."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.queries import current_edition
from registration.models import Registration
from registration.services import RegistrationClosed, allows
from rencontres.admin import ReadOnlyAdmin

from . import queries, services
from .forms import CampaignForm, StaffMessageForm
from .models import ReconfirmationCampaign, ReminderBatch, StaffMessage

EVENT_OVER = _("L'événement est terminé : plus de places à libérer.")


def audience_label(message):
    if message.audience == StaffMessage.Audience.SESSION:
        return _("%(session)s (%(booked)s)") % {
            "session": message.session,
            "booked": message.get_booked_display().lower(),
        }
    if message.audience == StaffMessage.Audience.DAY:
        return _("Confirmé·es présent·es le %(day)s") % {
            "day": formats.date_format(message.day, "l j F")
        }
    return message.get_audience_display()


@admin.register(StaffMessage)
class StaffMessageAdmin(admin.ModelAdmin):
    list_display = ["subject_fr", "to_whom", "state", "recipients", "sent_at", "sent_by"]
    list_filter = ["audience", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject_fr", "subject_en", "body_fr"]
    list_select_related = ["session", "sent_by"]
    form = StaffMessageForm
    fieldsets = [
        (_("Destinataires"), {"fields": ["audience", "session", "booked", "day"]}),
        (_("En français"), {"fields": ["subject_fr", "body_fr"]}),
        (_("En anglais"), {"fields": ["subject_en", "body_en"]}),
    ]
    sent_fieldsets = [
        (_("Envoi"), {"fields": ["sent_at", "sent_by", "recipients", "created_by"]}),
    ]

    # --- What staff read -------------------------------------------------------------------
    @admin.display(description=_("destinataires"))
    def to_whom(self, message):
        return audience_label(message)

    @admin.display(description=_("état"))
    def state(self, message):
        return _("Envoyé") if message.is_sent else _("Brouillon")

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.is_sent:
            return [*self.fieldsets, *self.sent_fieldsets]
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_sent:
            return [
                "audience",
                "session",
                "booked",
                "day",
                "subject_fr",
                "body_fr",
                "subject_en",
                "body_en",
                "sent_at",
                "sent_by",
                "recipients",
                "created_by",
            ]
        return []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        edition = obj.edition if obj is not None else current_edition()

        class Form(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, edition=edition, **kw)

        return Form

    # --- Writes, through the services ------------------------------------------------------
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_sent:
            return False  # kept as it went out
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_sent:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.staff_message_save(
                message=obj,
                data=data,
                user=request.user,
                edition=None if change else current_edition(),
            )
        except services.AlreadySent:
            raise PermissionDenied from None

    def delete_model(self, request, obj):
        try:
            services.staff_message_delete(message=obj)
        except services.AlreadySent:
            raise PermissionDenied from None

    def delete_queryset(self, request, queryset):
        for message in queryset:
            self.delete_model(request, message)

    def response_add(self, request, obj, post_url_continue=None):
        if "_continue" in request.POST or "_addanother" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        return redirect("admin:outreach_staffmessage_send", obj.pk)

    def response_change(self, request, obj):
        if "_continue" in request.POST or "_addanother" in request.POST:
            return super().response_change(request, obj)
        return redirect("admin:outreach_staffmessage_send", obj.pk)

    # --- Preview, then send ----------------------------------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/envoyer/", view(self.send_view), name="outreach_staffmessage_send"),
            *super().get_urls(),
        ]

    def send_view(self, request, pk):
        message = self.get_object(request, pk)
        if message is None or not self.has_view_permission(request, message):
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(pk))
        if message.is_sent:
            return redirect("admin:outreach_staffmessage_change", message.pk)
        if not super().has_change_permission(request, message):
            raise PermissionDenied
        if request.method == "POST":
            try:
                expected = int(request.POST.get("expected", ""))
            except ValueError:
                expected = -1
            try:
                count = services.staff_message_send(
                    message=message, user=request.user, expected=expected
                )
            except services.AlreadySent:
                return redirect("admin:outreach_staffmessage_change", message.pk)
            except services.RecipientsChanged as changed:
                self.message_user(
                    request,
                    _(
                        "Les destinataires ont changé depuis l'aperçu : %(count)d désormais. "
                        "Vérifiez puis envoyez à nouveau."
                    )
                    % {"count": changed.count},
                    messages.WARNING,
                )
            else:
                self.log_change(request, message, [{"changed": {"fields": ["sent_at"]}}])
                self.message_user(
                    request,
                    ngettext(
                        "Message envoyé à %(count)d personne (par le service d'envoi).",
                        "Message envoyé à %(count)d personnes (par le service d'envoi).",
                        count,
                    )
                    % {"count": count},
                )
                return redirect("admin:outreach_staffmessage_changelist")
        by_language = queries.recipients_by_language(message)
        count = sum(by_language.values())
        previews = [
            (code, label, *message.text_in(code), by_language.get(code, 0))
            for code, label in (("fr", _("En français")), ("en", _("En anglais")))
        ]
        return TemplateResponse(
            request,
            "admin/outreach/staffmessage/send.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "message": message,
                "to_whom": audience_label(message),
                "count": count,
                "previews": previews,
                "english_falls_back": not (message.subject_en.strip() and message.body_en.strip()),
                "change_url": reverse("admin:outreach_staffmessage_change", args=[message.pk]),
                "title": _("Envoyer « %(subject)s »") % {"subject": message.subject_fr},
            },
        )


@admin.register(ReminderBatch)
class ReminderBatchAdmin(ReadOnlyAdmin):
    """The reminders sent (by the task worker, 7 days and 1 day before): when, to how many.
    Nothing to edit: each is sent once, and this is its record."""

    list_display = ["kind", "edition", "sent_at", "recipients"]
    list_filter = ["kind", "edition"]


@admin.register(ReconfirmationCampaign)
class ReconfirmationCampaignAdmin(admin.ModelAdmin):
    """Open a campaign (everyone confirmed is asked), follow the answers, and after the
    deadline release the seats of those who never answered (preview, then one action)."""

    list_display = ["__str__", "opened_at", "asked", "reminded_at", "released", "released_at"]
    form = CampaignForm
    readonly_fields = [
        "deadline",
        "opened_by",
        "opened_at",
        "asked",
        "answers",
        "reminded_at",
        "released",
        "released_by",
        "released_at",
    ]
    change_form_template = "admin/outreach/reconfirmationcampaign/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ["deadline"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        edition = obj.edition if obj is not None else current_edition()

        class Form(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, edition=edition, **kw)
                if "deadline" in self.fields:
                    count = Registration.objects.filter(
                        edition=edition, status=Registration.Status.CONFIRMED
                    ).count()
                    self.fields["deadline"].help_text = ngettext(
                        "%(count)d personne confirmée recevra la question, puis une relance "
                        "si elle n'a pas répondu deux jours avant la date limite.",
                        "%(count)d personnes confirmées recevront la question, puis une "
                        "relance si elles n'ont pas répondu deux jours avant la date limite.",
                        count,
                    ) % {"count": count}

        return Form

    @admin.display(description=_("réponses"))
    def answers(self, campaign):
        figures = queries.campaign_figures(campaign)
        return (
            _(
                "viennent : %(coming)d · ne viennent pas : %(not_coming)d · sans réponse : "
                "%(silent)d · places libérées : %(released)d (sur %(total)d)"
            )
            % figures
        )

    # --- Writes, through the services ------------------------------------------------------
    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # the record of who was asked and what they answered

    def save_model(self, request, obj, form, change):
        campaign = services.campaign_open(
            edition=current_edition(), deadline=form.cleaned_data["deadline"], user=request.user
        )
        obj.pk, obj.edition, obj.asked = campaign.pk, campaign.edition, campaign.asked

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            ngettext(
                "Campagne ouverte : %(count)d personne sollicitée.",
                "Campagne ouverte : %(count)d personnes sollicitées.",
                obj.asked,
            )
            % {"count": obj.asked},
        )
        return redirect("admin:outreach_reconfirmationcampaign_change", obj.pk)

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            context["release_url"] = reverse(
                "admin:outreach_reconfirmationcampaign_release", args=[obj.pk]
            )
            context["can_release"] = timezone.now() >= obj.deadline and allows(
                obj.edition, "cancel"
            )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    # --- After the deadline: release the seats of those who did not answer ----------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/liberer/",
                view(self.release_view),
                name="outreach_reconfirmationcampaign_release",
            ),
            *super().get_urls(),
        ]

    def release_view(self, request, pk):
        campaign = self.get_object(request, pk)
        if campaign is None or not self.has_view_permission(request, campaign):
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(pk))
        if not request.user.has_perm("registration.change_registration"):
            raise PermissionDenied
        change_url = reverse("admin:outreach_reconfirmationcampaign_change", args=[pk])
        if not allows(campaign.edition, "cancel"):
            self.message_user(request, EVENT_OVER, messages.WARNING)
            return redirect(change_url)
        if timezone.now() < campaign.deadline:
            self.message_user(
                request,
                _("Attendez la date limite pour libérer des places."),
                messages.WARNING,
            )
            return redirect(change_url)
        if request.method == "POST":
            try:
                expected = int(request.POST.get("expected", ""))
            except ValueError:
                expected = -1
            try:
                count = services.campaign_release(
                    campaign=campaign, user=request.user, expected=expected
                )
            except RegistrationClosed:  # the event ended between the check and the click
                self.message_user(request, EVENT_OVER, messages.WARNING)
                return redirect(change_url)
            except services.RecipientsChanged as changed:
                self.message_user(
                    request,
                    _(
                        "La liste a changé depuis l'aperçu : %(count)d personnes désormais. "
                        "Vérifiez puis confirmez à nouveau."
                    )
                    % {"count": changed.count},
                    messages.WARNING,
                )
            else:
                self.log_change(request, campaign, [{"changed": {"fields": ["released"]}}])
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d place libérée : les listes d'attente avancent, les personnes "
                        "concernées sont prévenues.",
                        "%(count)d places libérées : les listes d'attente avancent, les personnes "
                        "concernées sont prévenues.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect(change_url)
        rows = queries.unanswered(campaign)
        return TemplateResponse(
            request,
            "admin/outreach/reconfirmationcampaign/release.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "campaign": campaign,
                "rows": rows,
                "count": len(rows),
                "change_url": change_url,
                "title": _("Libérer les places des personnes sans réponse"),
            },
        )
