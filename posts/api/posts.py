"""The JSON API of a post itself: publish, read (counting a view), edit and delete."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import parsed
from core.http import viewer_key

from .. import repositories, services
from ..models import Post
from ..serializers import PostSerializer


def post_response(request, post: Post, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(PostSerializer(post, context={"request": request}).data, status=status_code)


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
        post = services.create_post(
            author=request.user,
            kind=data["kind"],
            body=data["body"],
            visibility=data["visibility"],
            images=data["images"],
            alt_texts=data["alt_texts"],
            rate_limited=True,
        )
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
        services.record_view(post=post, viewer_key=viewer_key(request))
        return post_response(request, post)

    @extend_schema(request=InputSerializer, responses=PostSerializer, summary="Edit my post (marked edited)")
    def patch(self, request, post_id):
        data = parsed(self.InputSerializer, request)
        post = repositories.get_post_for(request.user, post_id)
        # What is left out stays as it is (the service's None).
        edited = services.edit_post(
            post=post, by=request.user, body=data.get("body"), visibility=data.get("visibility")
        )
        return post_response(request, edited)

    @extend_schema(responses={204: None}, summary="Delete my post")
    def delete(self, request, post_id):
        services.delete_post(post=repositories.get_post_for(request.user, post_id), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
