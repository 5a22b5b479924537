"""JSON API of accounts, profiles and the follow/block graph. Each view parses, calls one
service or repository function, and renders; errors leave through core.errors."""

from __future__ import annotations

from django.contrib.auth import logout
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core import ratelimit
from core.api import page_response, page_schema, parsed
from core.http import client_ip
from core.pagination import page_params

from . import repositories
from .services import accounts, profiles, relations, two_factor


class UserCardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField(source="profile.display_name")
    bio = serializers.CharField(source="profile.bio")
    location = serializers.CharField(source="profile.location")
    avatar_url = serializers.SerializerMethodField()
    avatar_small_url = serializers.SerializerMethodField()
    followers_count = serializers.IntegerField()
    following_count = serializers.IntegerField()
    is_followed = serializers.BooleanField(help_text="Whether the requesting user follows this account.")
    date_joined = serializers.DateTimeField()

    def _url(self, field) -> str | None:
        return self.context["request"].build_absolute_uri(field.url) if field else None

    def get_avatar_url(self, user) -> str | None:
        return self._url(user.profile.avatar)

    def get_avatar_small_url(self, user) -> str | None:
        return self._url(user.profile.avatar_small)


class RelationshipSerializer(serializers.Serializer):
    following = serializers.BooleanField()
    followed_by = serializers.BooleanField()
    blocking = serializers.BooleanField()


class ProfileSerializer(UserCardSerializer):
    interests = serializers.SerializerMethodField()
    relationship = serializers.SerializerMethodField()

    def get_interests(self, user) -> list[str]:
        return [interest.name for interest in user.profile.interests.all()]

    @extend_schema(responses=RelationshipSerializer)
    def get_relationship(self, user) -> dict:
        return repositories.get_relationship(self.context["request"].user, user)


class OwnProfileSerializer(ProfileSerializer):
    email = serializers.EmailField()
    birth_date = serializers.DateField(source="profile.birth_date", allow_null=True)
    two_factor_enabled = serializers.SerializerMethodField()

    def get_two_factor_enabled(self, user) -> bool:
        return two_factor.has_two_factor(user)


class TokensSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RecoveryCodesSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(child=serializers.CharField())


def own_profile(request, user=None) -> Response:
    user = repositories.get_profile_for(request.user, (user or request.user).username)
    return Response(OwnProfileSerializer(user, context={"request": request}).data)


# --- Sign-up and login ------------------------------------------------------------------------


class SignUpApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=30)
        email = serializers.CharField(max_length=254)
        password = serializers.CharField(max_length=128, write_only=True)
        display_name = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        email = serializers.EmailField()
        email_verified = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer}, summary="Sign up; a code is emailed")
    def post(self, request):
        data = parsed(self.InputSerializer, request)
        ratelimit.hit("signup", client_ip(request))
        user = accounts.sign_up(**data)
        return Response(self.OutputSerializer(user).data, status=status.HTTP_201_CREATED)


class EmailSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)


class ConfirmSignUpApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(EmailSerializer):
        code = serializers.CharField(max_length=12)

    @extend_schema(request=InputSerializer, responses=TokensSerializer, summary="Confirm the emailed code")
    def post(self, request):
        user = accounts.confirm_signup(**parsed(self.InputSerializer, request))
        return Response(accounts.issue_tokens(user=user))


class ResendSignUpCodeApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=EmailSerializer, responses={202: None}, summary="Send a new sign-up code")
    def post(self, request):
        accounts.resend_signup_code(**parsed(EmailSerializer, request))
        return Response(status=status.HTTP_202_ACCEPTED)


class TokenApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        identifier = serializers.CharField(max_length=254, help_text="Email address or username.")
        password = serializers.CharField(max_length=128)
        otp = serializers.CharField(
            max_length=20, required=False, help_text="Authenticator or recovery code, if 2FA is on."
        )

    @extend_schema(
        request=InputSerializer, responses=TokensSerializer, summary="Log in: obtain JWT access and refresh tokens"
    )
    def post(self, request):
        data = parsed(self.InputSerializer, request)
        ratelimit.hit("login", client_ip(request))
        user = accounts.authenticate_user(identifier=data["identifier"], password=data["password"])
        two_factor.check_second_factor_if_enabled(user=user, code=data.get("otp", ""))
        return Response(accounts.issue_tokens(user=user))


class LogoutApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        refresh = serializers.CharField(required=False, help_text="The refresh token to revoke (API clients).")

    @extend_schema(
        request=InputSerializer, responses={204: None}, summary="Log out: revoke the refresh token and end the session"
    )
    def post(self, request):
        data = parsed(self.InputSerializer, request)
        if data.get("refresh"):
            accounts.revoke_token(refresh=data["refresh"])
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=EmailSerializer, responses={202: None}, summary="Email a password-reset code")
    def post(self, request):
        accounts.request_password_reset(**parsed(EmailSerializer, request))
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(EmailSerializer):
        code = serializers.CharField(max_length=12)
        new_password = serializers.CharField(max_length=128)

    @extend_schema(request=InputSerializer, responses={204: None}, summary="Set a new password with the emailed code")
    def post(self, request):
        accounts.reset_password(**parsed(self.InputSerializer, request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeApi(APIView):
    class InputSerializer(serializers.Serializer):
        old_password = serializers.CharField(max_length=128)
        new_password = serializers.CharField(max_length=128)

    @extend_schema(request=InputSerializer, responses={204: None}, summary="Change the password (revokes API tokens)")
    def post(self, request):
        accounts.change_password(user=request.user, **parsed(self.InputSerializer, request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Two-factor ---------------------------------------------------------------------------------


class TwoFactorSetupApi(APIView):
    class OutputSerializer(serializers.Serializer):
        secret = serializers.CharField()
        otpauth_uri = serializers.CharField()

    @extend_schema(request=None, responses=OutputSerializer, summary="Start TOTP set-up: a secret to scan")
    def post(self, request):
        setup = two_factor.start_two_factor_setup(user=request.user)
        return Response({"secret": setup.secret, "otpauth_uri": two_factor.provisioning_uri(setup)})


class TwoFactorConfirmApi(APIView):
    class InputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=12)

    @extend_schema(request=InputSerializer, responses=RecoveryCodesSerializer, summary="Turn 2FA on with a first code")
    def post(self, request):
        codes = two_factor.confirm_two_factor_setup(user=request.user, **parsed(self.InputSerializer, request))
        return Response({"recovery_codes": codes})


class TwoFactorDisableApi(APIView):
    class InputSerializer(serializers.Serializer):
        password = serializers.CharField(max_length=128)

    @extend_schema(request=InputSerializer, responses={204: None}, summary="Turn 2FA off")
    def post(self, request):
        two_factor.disable_two_factor(user=request.user, **parsed(self.InputSerializer, request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RecoveryCodesApi(APIView):
    @extend_schema(request=None, responses=RecoveryCodesSerializer, summary="Replace the recovery codes")
    def post(self, request):
        return Response({"recovery_codes": two_factor.regenerate_recovery_codes(user=request.user)})


# --- Own profile ------------------------------------------------------------------------------


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
        profile = request.user.profile
        current = {
            "display_name": profile.display_name,
            "bio": profile.bio,
            "location": profile.location,
            "birth_date": profile.birth_date,
            "interests": [interest.name for interest in profile.interests.all()],
        }
        profiles.update_profile(user=request.user, **{**current, **data})
        return own_profile(request)


class AvatarApi(APIView):
    class InputSerializer(serializers.Serializer):
        avatar = serializers.FileField(help_text="JPEG, PNG, WebP or GIF; cropped to a square.")

    @extend_schema(request=InputSerializer, responses=OwnProfileSerializer, summary="Upload a new avatar")
    def put(self, request):
        profiles.set_avatar(user=request.user, upload=parsed(self.InputSerializer, request)["avatar"])
        return own_profile(request)

    @extend_schema(responses=OwnProfileSerializer, summary="Remove my avatar")
    def delete(self, request):
        profiles.remove_avatar(user=request.user)
        return own_profile(request)


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


# --- Other people -------------------------------------------------------------------------------


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

    @extend_schema(responses=RelationshipSerializer, summary="Unfollow a user")
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

    @extend_schema(responses=RelationshipSerializer, summary="Unblock a user")
    def delete(self, request, username):
        user = repositories.get_profile_for(request.user, username)
        relations.unblock_user(blocker=request.user, blocked=user)
        return Response(repositories.get_relationship(request.user, user))
