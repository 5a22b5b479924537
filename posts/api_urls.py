from django.urls import path

from . import api

urlpatterns = [
    path("posts/", api.CreatePostApi.as_view(), name="api-post-create"),
    path("posts/<int:post_id>/", api.PostApi.as_view(), name="api-post"),
    path("posts/<int:post_id>/like/", api.LikeApi.as_view(), name="api-post-like"),
    path("posts/<int:post_id>/save/", api.SaveApi.as_view(), name="api-post-save"),
    path("posts/<int:post_id>/repost/", api.RepostApi.as_view(), name="api-post-repost"),
    path("posts/<int:post_id>/view/", api.ViewApi.as_view(), name="api-post-view"),
    path("posts/<int:post_id>/comments/", api.CommentsApi.as_view(), name="api-post-comments"),
    path("posts/<int:post_id>/comments/<int:comment_id>/", api.CommentApi.as_view(), name="api-comment"),
    path(
        "posts/<int:post_id>/comments/<int:comment_id>/replies/", api.RepliesApi.as_view(), name="api-comment-replies"
    ),
    path("feeds/<slug:feed>/", api.FeedApi.as_view(), name="api-feed"),  # following, latest, trending, for-you
    path("me/saved/", api.SavedApi.as_view(), name="api-saved"),
    path("tags/<str:tag>/posts/", api.HashtagFeedApi.as_view(), name="api-hashtag-feed"),
    path("users/<str:username>/posts/", api.ProfileFeedApi.as_view(), name="api-profile-feed"),
    path("search/posts/", api.SearchPostsApi.as_view(), name="api-search-posts"),
    path("search/hashtags/", api.SearchHashtagsApi.as_view(), name="api-search-hashtags"),
]
