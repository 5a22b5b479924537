"""The JSON API of comments: a post's threads, replies to a comment, commenting and deleting."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import page_response, page_schema, parsed
from core.pagination import page_params

from .. import repositories, services
from ..serializers import CommentSerializer, ThreadSerializer


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
        comment = services.add_comment(post=post, by=request.user, body=data["body"], parent=parent, rate_limited=True)
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
