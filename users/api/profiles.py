"""JSON API of profiles: my own (fields, avatar) and other people's (search, detail)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import page_response, page_schema, parsed
from core.pagination import page_params

from .. import repositories
from ..serializers import OwnProfileSerializer, ProfileSerializer, UserCardSerializer
from ..services import profiles
from ..services.profiles import UNCHANGED


def own_profile(request) -> Response:
    user = repositories.get_profile_for(request.user, request.user.username)
    return Response(OwnProfileSerializer(user, context={"request": request}).data)


class MeApi(APIView):
    class InputSerializer(serializers.Serializer):
        display_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
        bio = serializers.CharField(max_length=300, required=False, allow_blank=True)
        location = serializers.CharField(max_length=80, required=False, allow_blank=True)
        birth_date = serializers.DateField(required=False, allow_null=True)
        interests = serializers.ListField(
            child=serializers.CharField(max_length=40, allow_blank=True), required=False, max_length=50
        )

    @extend_schema(responses=OwnProfileSerializer, summary="My profile")
    def get(self, request):
        return own_profile(request)

    @extend_schema(
        request=InputSerializer, responses=OwnProfileSerializer, summary="Edit my profile (fields left out stay)"
    )
    def patch(self, request):
        data = parsed(self.InputSerializer, request)
        profiles.change_profile(
            user=request.user,
            display_name=data.get("display_name", UNCHANGED),
            bio=data.get("bio", UNCHANGED),
            location=data.get("location", UNCHANGED),
            birth_date=data.get("birth_date", UNCHANGED),
            interests=data.get("interests", UNCHANGED),
        )
        return own_profile(request)


class AvatarApi(APIView):
    class InputSerializer(serializers.Serializer):
        avatar = serializers.FileField(help_text="JPEG, PNG, WebP or GIF; cropped to a square.")

    @extend_schema(request=InputSerializer, responses=OwnProfileSerializer, summary="Upload a new avatar")
    def put(self, request):
        profiles.set_avatar(user=request.user, upload=parsed(self.InputSerializer, request)["avatar"])
        return own_profile(request)

    @extend_schema(responses={200: OwnProfileSerializer}, summary="Remove my avatar")
    def delete(self, request):
        profiles.remove_avatar(user=request.user)
        return own_profile(request)


class UserSearchApi(APIView):
    permission_classes = [AllowAny]

    @page_schema(
        "UserPage",
        UserCardSerializer,
        summary="Find people by username or name",
        operation_id="users_search",
        parameters=[OpenApiParameter("q", str, description="Part of a username or display name.")],
    )
    def get(self, request):
        cursor, size = page_params(request.query_params)
        page = repositories.search_users(request.user, request.query_params.get("q", ""), cursor=cursor, size=size)
        return page_response(page, UserCardSerializer, request)


class UserDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ProfileSerializer, summary="A public profile")
    def get(self, request, username):
        user = repositories.get_profile_for(request.user, username)
        return Response(ProfileSerializer(user, context={"request": request}).data)
