from django.urls import path

from . import views

app_name = "videos"

urlpatterns = [
    path("videos/", views.index, name="index"),
    path("videos/upload/", views.upload, name="upload"),
    path("videos/studio/", views.studio, name="studio"),
    path("videos/<slug:tab>/", views.feed, name="feed"),  # for-you, following
]
