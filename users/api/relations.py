"""JSON API of the follow and block graph: following, blocking, and the lists they make."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import page_response, page_schema
from core.pagination import page_params

from .. import repositories
from ..serializers import RelationshipSerializer, UserCardSerializer
from ..services import relations


class BlockedListApi(APIView):
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        display_name = serializers.CharField(source="profile.display_name")

    @page_schema("BlockedPage", OutputSerializer, summary="Accounts I block")
    def get(self, request):
        cursor, size = page_params(request.query_params)
        return page_response(
            repositories.list_blocked(request.user, cursor=cursor, size=size), self.OutputSerializer, request
        )


class FollowersApi(APIView):
    permission_classes = [AllowAny]
    list_function = staticmethod(repositories.list_followers)

    @page_schema("FollowerPage", UserCardSerializer, summary="Followers of a user")
    def get(self, request, username):
        user = repositories.get_profile_for(request.user, username)
        cursor, size = page_params(request.query_params)
        return page_response(
            self.list_function(request.user, user, cursor=cursor, size=size), UserCardSerializer, request
        )


class FollowingApi(FollowersApi):
    list_function = staticmethod(repositories.list_following)

    @page_schema("FollowingPage", UserCardSerializer, summary="Accounts a user follows")
    def get(self, request, username):
        return super().get(request, username)


class FollowApi(APIView):
    @extend_schema(request=None, responses=RelationshipSerializer, summary="Follow a user")
    def post(self, request, username):
        user = repositories.get_profile_for(request.user, username)
        relations.follow_user(follower=request.user, followee=user)
        return Response(repositories.get_relationship(request.user, user))

    @extend_schema(responses={200: RelationshipSerializer}, summary="Unfollow a user")
    def delete(self, request, username):
        user = repositories.get_profile_for(request.user, username)
        relations.unfollow_user(follower=request.user, followee=user)
        return Response(repositories.get_relationship(request.user, user))


class BlockApi(APIView):
    @extend_schema(request=None, responses=RelationshipSerializer, summary="Block a user (ends follows both ways)")
    def post(self, request, username):
        user = repositories.get_profile_for(request.user, username)
        relations.block_user(blocker=request.user, blocked=user)
        return Response(repositories.get_relationship(request.user, user))

    @extend_schema(responses={200: RelationshipSerializer}, summary="Unblock a user")
    def delete(self, request, username):
        user = repositories.get_profile_for(request.user, username)
        relations.unblock_user(blocker=request.user, blocked=user)
        return Response(repositories.get_relationship(request.user, user))
