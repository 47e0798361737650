"""What the admin pages of several apps share."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log or a record written only by services (sent reminders, arrivals taken back,
    B2B requests and meetings): staff read it, nobody adds, changes or deletes it here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
