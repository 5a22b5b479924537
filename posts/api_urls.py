from django.urls import path

from .api import comments, engagement, feeds, posts, search

urlpatterns = [
    path("posts/", posts.CreatePostApi.as_view(), name="api-post-create"),
    path("posts/<int:post_id>/", posts.PostApi.as_view(), name="api-post"),
    path("posts/<int:post_id>/like/", engagement.LikeApi.as_view(), name="api-post-like"),
    path("posts/<int:post_id>/save/", engagement.SaveApi.as_view(), name="api-post-save"),
    path("posts/<int:post_id>/repost/", engagement.RepostApi.as_view(), name="api-post-repost"),
    path("posts/<int:post_id>/view/", engagement.ViewApi.as_view(), name="api-post-view"),
    path("posts/<int:post_id>/comments/", comments.CommentsApi.as_view(), name="api-post-comments"),
    path("posts/<int:post_id>/comments/<int:comment_id>/", comments.CommentApi.as_view(), name="api-comment"),
    path(
        "posts/<int:post_id>/comments/<int:comment_id>/replies/",
        comments.RepliesApi.as_view(),
        name="api-comment-replies",
    ),
    path("feeds/<slug:feed>/", feeds.FeedApi.as_view(), name="api-feed"),  # following, latest, trending, for-you
    path("me/saved/", feeds.SavedApi.as_view(), name="api-saved"),
    path("tags/<str:tag>/posts/", feeds.HashtagFeedApi.as_view(), name="api-hashtag-feed"),
    path("users/<str:username>/posts/", feeds.ProfileFeedApi.as_view(), name="api-profile-feed"),
    path("search/posts/", search.SearchPostsApi.as_view(), name="api-search-posts"),
    path("search/hashtags/", search.SearchHashtagsApi.as_view(), name="api-search-hashtags"),
]
