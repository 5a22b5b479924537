"""The JSON API of what people do with a post: like, save, repost or quote, and count a view.
The toggles answer the post's fresh counters and the viewer's state, in one shape."""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import parsed
from core.http import viewer_key

from .. import repositories, services
from ..models import Post
from ..serializers import EngagementSerializer, PostSerializer
from .posts import post_response


def engagement_response(request, post_id: int) -> Response:
    post = repositories.get_post_for(request.user, post_id)
    return Response(EngagementSerializer(post).data)


def toggle_schema(*, on: str, off: str):
    return extend_schema_view(
        post=extend_schema(request=None, responses=EngagementSerializer, summary=on),
        delete=extend_schema(responses={200: EngagementSerializer}, summary=off),
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
        shared = services.repost(
            post=post, by=request.user, body=data["body"], visibility=data["visibility"], rate_limited=True
        )
        return post_response(request, repositories.get_post_for(request.user, shared.pk), status.HTTP_201_CREATED)

    @extend_schema(responses={200: EngagementSerializer}, summary="Undo my plain repost; answers the original's state")
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
