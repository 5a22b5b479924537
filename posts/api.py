"""JSON API of posts, feeds, engagement, comments and search. Each view parses, calls one
service or repository function, and renders; errors leave through core.errors."""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from core import ratelimit
from core.api import PAGE_PARAMETERS, page_response, page_schema, parsed
from core.exceptions import NotFound
from core.http import viewer_key
from core.pagination import Page, page_params
from users.repositories import get_profile_for

from . import builders, repositories, services, strategies
from .models import Post
from .serializers import (
    CommentSerializer,
    EngagementSerializer,
    FeedPageSerializer,
    HashtagSerializer,
    PostSerializer,
    ThreadSerializer,
)

# URL slugs of the feeds in repositories.FEEDS ("for-you" is FEEDS["for_you"]).
FEED_SLUGS = {key.replace("_", "-"): key for key in repositories.FEEDS}


def post_response(request, post: Post, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(PostSerializer(post, context={"request": request}).data, status=status_code)


def engagement_response(request, post_id: int) -> Response:
    post = repositories.get_post_for(request.user, post_id)
    return Response(EngagementSerializer(post).data)


def feed_response(request, page: Page, ranking: strategies.Ranking) -> Response:
    data = {"results": page.items, "next_cursor": page.next_cursor, "ranking": ranking}
    return Response(FeedPageSerializer(data, context={"request": request}).data)


def feed_schema(*, summary: str, parameters=(), **kwargs):
    return extend_schema(
        responses=FeedPageSerializer, summary=summary, parameters=[*parameters, *PAGE_PARAMETERS], **kwargs
    )


# --- Posts -------------------------------------------------------------------------------------


class CreatePostApi(APIView):
    class InputSerializer(serializers.Serializer):
        kind = serializers.CharField(max_length=20, help_text="text or image.")
        body = serializers.CharField(default="", allow_blank=True, trim_whitespace=False)
        visibility = serializers.CharField(
            default=Post.Visibility.PUBLIC, max_length=20, help_text="public, followers or private."
        )
        images = serializers.ListField(
            child=serializers.FileField(), default=list, help_text="The pictures of an image post, in order."
        )
        alt_texts = serializers.ListField(
            child=serializers.CharField(max_length=300, allow_blank=True),
            default=list,
            help_text="A description of each picture, in the same order.",
        )

    @extend_schema(
        request={"multipart/form-data": InputSerializer, "application/json": InputSerializer},
        responses={201: PostSerializer},
        summary="Publish a post",
    )
    def post(self, request):
        data = parsed(self.InputSerializer, request)
        ratelimit.hit("post", f"user:{request.user.pk}")
        post = services.create_post(author=request.user, **data)
        return post_response(request, repositories.get_post_for(request.user, post.pk), status.HTTP_201_CREATED)


class PostApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
        visibility = serializers.CharField(required=False, max_length=20, help_text="public, followers or private.")

        def validate(self, data):
            if not data:
                raise serializers.ValidationError("Send a new body or visibility.")
            return data

    @extend_schema(responses=PostSerializer, summary="A post (counts a view)")
    def get(self, request, post_id):
        post = repositories.get_post_for(request.user, post_id)
        if services.record_view(post=post, viewer_key=viewer_key(request)):
            post.views_count += 1  # show the view just counted
        return post_response(request, post)

    @extend_schema(request=InputSerializer, responses=PostSerializer, summary="Edit my post (marked edited)")
    def patch(self, request, post_id):
        data = parsed(self.InputSerializer, request)
        post = repositories.get_post_for(request.user, post_id)
        return post_response(request, services.edit_post(post=post, by=request.user, **data))

    @extend_schema(responses={204: None}, summary="Delete my post")
    def delete(self, request, post_id):
        services.delete_post(post=repositories.get_post_for(request.user, post_id), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def toggle_schema(*, on: str, off: str):
    return extend_schema_view(
        post=extend_schema(request=None, responses=EngagementSerializer, summary=on),
        delete=extend_schema(responses=EngagementSerializer, summary=off),
    )


class ToggleApi(APIView):
    """POST turns something on for the viewer, DELETE off; both idempotent, both answer the
    post's fresh state."""

    turn_on: Callable
    turn_off: Callable

    def post(self, request, post_id):
        self.turn_on(post=repositories.get_post_for(request.user, post_id), user=request.user)
        return engagement_response(request, post_id)

    def delete(self, request, post_id):
        self.turn_off(post=repositories.get_post_for(request.user, post_id), user=request.user)
        return engagement_response(request, post_id)


@toggle_schema(on="Like a post (again: no change)", off="Take my like back")
class LikeApi(ToggleApi):
    turn_on, turn_off = staticmethod(services.like_post), staticmethod(services.unlike_post)


@toggle_schema(on="Save a post for later", off="Remove a post from my saved posts")
class SaveApi(ToggleApi):
    turn_on, turn_off = staticmethod(services.save_post), staticmethod(services.unsave_post)


class RepostApi(APIView):
    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(
            default="", allow_blank=True, trim_whitespace=False, help_text="A quote; leave out for a plain repost."
        )
        visibility = serializers.CharField(
            default=Post.Visibility.PUBLIC, max_length=20, help_text="public, followers or private."
        )

    @extend_schema(
        request=InputSerializer,
        responses={201: PostSerializer},
        summary="Repost a public post, or quote it with a body (a plain repost again returns the same one)",
    )
    def post(self, request, post_id):
        data = parsed(self.InputSerializer, request)
        post = repositories.get_post_for(request.user, post_id)
        ratelimit.hit("post", f"user:{request.user.pk}")
        shared = services.repost(post=post, by=request.user, **data)
        return post_response(request, repositories.get_post_for(request.user, shared.pk), status.HTTP_201_CREATED)

    @extend_schema(responses=EngagementSerializer, summary="Undo my plain repost; answers the original's state")
    def delete(self, request, post_id):
        post = repositories.get_post_for(request.user, post_id)
        services.undo_repost(post=post, by=request.user)
        shared = post.repost_of if post.is_plain_repost and post.repost_of is not None else post
        return engagement_response(request, shared.pk)


class ViewApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=None, responses={204: None}, summary="Count a view (once per reader per hour)")
    def post(self, request, post_id):
        services.record_view(post=repositories.get_post_for(request.user, post_id), viewer_key=viewer_key(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Comments ----------------------------------------------------------------------------------


class CommentsApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(allow_blank=True, trim_whitespace=False)
        parent = serializers.IntegerField(required=False, allow_null=True, help_text="The comment this replies to.")

    @page_schema("CommentPage", ThreadSerializer, summary="Comments on a post, newest first, with their first replies")
    def get(self, request, post_id):
        post = repositories.get_post_for(request.user, post_id)
        cursor, size = page_params(request.query_params)
        page = repositories.list_comments(request.user, post, cursor=cursor, size=size)
        return page_response(page, ThreadSerializer, request)

    @extend_schema(
        request=InputSerializer, responses={201: CommentSerializer}, summary="Comment, or reply to a comment"
    )
    def post(self, request, post_id):
        data = parsed(self.InputSerializer, request)
        post = repositories.get_post_for(request.user, post_id)
        parent = data.get("parent")
        if parent is not None:
            parent = repositories.get_comment_for(request.user, post, parent)
        ratelimit.hit("comment", f"user:{request.user.pk}")
        comment = services.add_comment(post=post, by=request.user, body=data["body"], parent=parent)
        return Response(CommentSerializer(comment, context={"request": request}).data, status=status.HTTP_201_CREATED)


class CommentApi(APIView):
    @extend_schema(responses={204: None}, summary="Delete a comment (its author or the post's author)")
    def delete(self, request, post_id, comment_id):
        post = repositories.get_post_for(request.user, post_id)
        comment = repositories.get_comment_for(request.user, post, comment_id)
        services.delete_comment(comment=comment, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RepliesApi(APIView):
    permission_classes = [AllowAny]

    @page_schema("ReplyPage", CommentSerializer, summary="Replies to a comment, oldest first")
    def get(self, request, post_id, comment_id):
        post = repositories.get_post_for(request.user, post_id)
        comment = repositories.get_comment_for(request.user, post, comment_id)
        cursor, size = page_params(request.query_params)
        page = repositories.list_replies(request.user, comment, cursor=cursor, size=size)
        return page_response(page, CommentSerializer, request)


# --- Feeds -------------------------------------------------------------------------------------


class FeedApi(APIView):
    permission_classes = [AllowAny]

    @feed_schema(
        summary="A feed: following (signed in only), latest, trending or for-you",
        parameters=[OpenApiParameter("feed", str, OpenApiParameter.PATH, enum=list(FEED_SLUGS))],
    )
    def get(self, request, feed):
        key = FEED_SLUGS.get(feed)
        if key is None:
            raise NotFound("No such feed.")
        if key == "following" and not request.user.is_authenticated:
            self.permission_denied(request)  # 401: whose following?
        cursor, size = page_params(request.query_params)
        page = repositories.FEEDS[key](request.user, cursor=cursor, size=size)
        return feed_response(request, page, strategies.ranking_for(key))


class SavedApi(APIView):
    @page_schema("SavedPage", PostSerializer, summary="My saved posts, most recently saved first")
    def get(self, request):
        cursor, size = page_params(request.query_params)
        return page_response(repositories.saved_posts(request.user, cursor=cursor, size=size), PostSerializer, request)


class HashtagFeedApi(APIView):
    permission_classes = [AllowAny]

    @feed_schema(summary="Posts with a hashtag")
    def get(self, request, tag):
        cursor, size = page_params(request.query_params)
        page = repositories.hashtag_feed(request.user, tag, cursor=cursor, size=size)
        return feed_response(request, page, strategies.ranking_for("hashtag"))


class ProfileFeedApi(APIView):
    permission_classes = [AllowAny]

    @feed_schema(summary="A user's posts that I may see")
    def get(self, request, username):
        author = get_profile_for(request.user, username)
        cursor, size = page_params(request.query_params)
        page = repositories.profile_feed(request.user, author, cursor=cursor, size=size)
        return feed_response(request, page, strategies.ranking_for("profile"))


# --- Search --------------------------------------------------------------------------------------


def parsed_query(serializer_class, request) -> dict:
    """Validated query parameters, or a 400 in the one error format."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class SearchPostsApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        q = serializers.CharField(
            max_length=builders.MAX_LENGTH,
            default="",
            allow_blank=True,
            help_text="Words (each matches the start of a word) and #hashtags, all of which a post must have.",
        )
        author = serializers.CharField(max_length=150, required=False, help_text="Only posts by this username.")
        kind = serializers.ChoiceField(choices=Post.Kind.choices, required=False, help_text="Only posts of this kind.")

    @page_schema(
        "PostSearchPage",
        PostSerializer,
        summary="Search posts I may see, newest first (an empty query finds nothing)",
        operation_id="search_posts",
        parameters=[InputSerializer],
    )
    def get(self, request):
        data = parsed_query(self.InputSerializer, request)
        cursor, size = page_params(request.query_params)
        query = builders.SearchQuery.parse(data["q"], request.user).by(data.get("author")).of_kind(data.get("kind"))
        return page_response(query.post_page(cursor=cursor, size=size), PostSerializer, request)


class SearchHashtagsApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        prefix = serializers.CharField(
            max_length=builders.MAX_LENGTH, default="", allow_blank=True, help_text="The start of a tag, '#' optional."
        )

    @page_schema(
        "HashtagSearchPage",
        HashtagSerializer,
        summary="Hashtags starting with a prefix, most used first (autocomplete)",
        operation_id="search_hashtags",
        parameters=[InputSerializer],
    )
    def get(self, request):
        prefix = parsed_query(self.InputSerializer, request)["prefix"]
        cursor, size = page_params(request.query_params)
        page = builders.SearchQuery(viewer=request.user).with_terms(prefix).hashtag_page(cursor=cursor, size=size)
        return page_response(page, HashtagSerializer, request)
