from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read-all/", views.read_all, name="read_all"),
    path("notifications/<int:notification_id>/read/", views.read, name="read"),
    path("notifications/settings/", views.preferences, name="settings"),
    path("notifications/devices/<int:subscription_id>/remove/", views.remove_device, name="remove_device"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # At the site's root, so the worker's scope is the whole site.
    path("sw.js", views.service_worker, name="service-worker"),
]
