from django.urls import path

from . import api

urlpatterns = [
    path("videos/", api.CreateVideoApi.as_view(), name="api-video-create"),
    path("videos/uploads/", api.StartUploadApi.as_view(), name="api-video-uploads"),
    path("videos/uploads/<str:upload_id>/", api.UploadApi.as_view(), name="api-video-upload"),
    path("videos/feed/<slug:tab>/", api.VideoFeedApi.as_view(), name="api-video-feed"),  # for-you, following
    path("videos/<int:video_id>/", api.VideoApi.as_view(), name="api-video"),
    path("videos/<int:video_id>/watch/", api.WatchApi.as_view(), name="api-video-watch"),
    path("me/videos/", api.MyVideosApi.as_view(), name="api-my-videos"),
]
