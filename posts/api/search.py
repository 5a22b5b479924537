"""The JSON API of search: posts by words, hashtags, author and kind; hashtags by prefix."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from core.api import page_response, page_schema
from core.pagination import page_params

from .. import builders
from ..models import Post
from ..serializers import HashtagSerializer, PostSerializer


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
