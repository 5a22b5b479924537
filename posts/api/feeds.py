"""The JSON API of feeds: the feed tabs, saved posts, a hashtag's and a person's posts. Each
feed page says how it is ranked."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import PAGE_PARAMETERS, page_response, page_schema
from core.exceptions import NotFound
from core.pagination import Page, page_params
from users.repositories import get_profile_for

from .. import repositories
from ..serializers import FeedPageSerializer, PostSerializer
from ..strategies.ranking import Ranking, ranking_for

# URL slugs of the feeds in repositories.FEEDS ("for-you" is FEEDS["for_you"]).
FEED_SLUGS = {key.replace("_", "-"): key for key in repositories.FEEDS}


def feed_response(request, page: Page, ranking: Ranking) -> Response:
    data = {"results": page.items, "next_cursor": page.next_cursor, "ranking": ranking}
    return Response(FeedPageSerializer(data, context={"request": request}).data)


def feed_schema(*, summary: str, parameters=(), **kwargs):
    return extend_schema(
        responses=FeedPageSerializer, summary=summary, parameters=[*parameters, *PAGE_PARAMETERS], **kwargs
    )


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
        return feed_response(request, page, ranking_for(key))


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
        return feed_response(request, page, ranking_for("hashtag"))


class ProfileFeedApi(APIView):
    permission_classes = [AllowAny]

    @feed_schema(summary="A user's posts that I may see")
    def get(self, request, username):
        author = get_profile_for(request.user, username)
        cursor, size = page_params(request.query_params)
        page = repositories.profile_feed(request.user, author, cursor=cursor, size=size)
        return feed_response(request, page, ranking_for("profile"))
