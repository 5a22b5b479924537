from django.urls import path

from . import api

urlpatterns = [
    path("notifications/", api.NotificationsApi.as_view(), name="api-notifications"),
    path("notifications/unread-count/", api.UnreadCountApi.as_view(), name="api-notifications-unread"),
    path("notifications/read-all/", api.ReadAllApi.as_view(), name="api-notifications-read-all"),
    path("notifications/<int:notification_id>/read/", api.ReadApi.as_view(), name="api-notification-read"),
    path("notifications/preferences/", api.PreferencesApi.as_view(), name="api-notification-preferences"),
    path("notifications/push-subscriptions/", api.PushSubscriptionsApi.as_view(), name="api-push-subscriptions"),
]
