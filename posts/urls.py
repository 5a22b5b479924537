from django.urls import path

from . import views

app_name = "posts"

urlpatterns = [
    path("feed/<slug:feed>/", views.feed, name="feed"),  # following, latest, trending, for-you
    path("saved/", views.saved, name="saved"),
    path("compose/", views.compose, name="compose"),
    path("p/<int:post_id>/", views.detail, name="detail"),
    path("p/<int:post_id>/edit/", views.edit, name="edit"),
    path("p/<int:post_id>/delete/", views.delete, name="delete"),
    path("p/<int:post_id>/like/", views.like, name="like"),
    path("p/<int:post_id>/save/", views.save, name="save"),
    path("p/<int:post_id>/repost/", views.repost, name="repost"),
    path("p/<int:post_id>/comments/", views.comment, name="comment"),
    path("p/<int:post_id>/comments/<int:comment_id>/replies/", views.replies, name="replies"),
    path("p/<int:post_id>/comments/<int:comment_id>/delete/", views.delete_comment, name="delete_comment"),
    path("tags/<str:tag>/", views.hashtag, name="hashtag"),
    path("u/<str:username>/posts/", views.profile_posts, name="profile_posts"),
    path("search/", views.search, name="search"),
]
