"""Notifications in the admin: read-only, for answering "why did I (not) get told?". They are
written only through notify(); push devices can be removed (a stolen phone)."""

from django.contrib import admin

from .models import DeliverySettings, Notification, Preference, PushSubscription


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["id", "recipient", "kind", "text", "actors_count", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["recipient__username", "actor__username"]
    list_select_related = ["recipient", "actor"]
    date_hierarchy = "created_at"


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "channel", "enabled"]
    list_filter = ["kind", "channel", "enabled"]
    search_fields = ["user__username"]
    list_select_related = ["user"]


@admin.register(DeliverySettings)
class DeliverySettingsAdmin(ReadOnlyAdmin):
    list_display = ["user", "email_digest", "digest_sent_at"]
    list_filter = ["email_digest"]
    search_fields = ["user__username"]
    list_select_related = ["user"]


@admin.register(PushSubscription)
class PushSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["user", "user_agent", "created_at", "last_used_at"]
    search_fields = ["user__username", "user_agent"]
    list_select_related = ["user"]
