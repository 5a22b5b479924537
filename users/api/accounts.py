"""JSON API of accounts: sign-up, login and logout (JWT), passwords. Each view parses, calls
one service and renders; errors leave through core.errors."""

from __future__ import annotations

from django.contrib.auth import logout
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import Token

from core.api import parsed
from core.http import client_ip

from ..services import accounts, two_factor
from ..validators import validate_code, validate_second_factor_code


class TokensSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class EmailSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)


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
        user = accounts.sign_up(
            username=data["username"],
            email=data["email"],
            password=data["password"],
            display_name=data["display_name"],
            ip=client_ip(request),
        )
        return Response(self.OutputSerializer(user).data, status=status.HTTP_201_CREATED)


class ConfirmSignUpApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(EmailSerializer):
        code = serializers.CharField(max_length=12, validators=[validate_code])

    @extend_schema(request=InputSerializer, responses=TokensSerializer, summary="Confirm the emailed code")
    def post(self, request):
        data = parsed(self.InputSerializer, request)
        user = accounts.confirm_signup(email=data["email"], code=data["code"], ip=client_ip(request))
        return Response(accounts.issue_tokens(user=user))


class ResendSignUpCodeApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        request=EmailSerializer,
        responses={202: None},
        summary="Send a new sign-up code if a sign-up waits for the address (202 either way)",
    )
    def post(self, request):
        accounts.resend_signup_code(email=parsed(EmailSerializer, request)["email"], ip=client_ip(request))
        return Response(status=status.HTTP_202_ACCEPTED)


class TokenApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        identifier = serializers.CharField(max_length=254, help_text="Email address or username.")
        password = serializers.CharField(max_length=128)
        otp = serializers.CharField(
            max_length=20,
            required=False,
            validators=[validate_second_factor_code],
            help_text="Authenticator or recovery code, if 2FA is on.",
        )

    @extend_schema(
        request=InputSerializer, responses=TokensSerializer, summary="Log in: obtain JWT access and refresh tokens"
    )
    def post(self, request):
        data = parsed(self.InputSerializer, request)
        user = accounts.authenticate_user(
            identifier=data["identifier"], password=data["password"], ip=client_ip(request)
        )
        two_factor.check_second_factor_if_enabled(user=user, code=data.get("otp", ""))
        return Response(accounts.issue_tokens(user=user))


class LogoutApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        refresh = serializers.CharField(required=False, help_text="The refresh token to revoke (API clients).")

    @extend_schema(
        request=InputSerializer,
        responses={204: None},
        summary="Log out: revoke the refresh token and the access token sent, and end the session",
    )
    def post(self, request):
        data = parsed(self.InputSerializer, request)
        access = request.auth if isinstance(request.auth, Token) else None  # None with a session
        accounts.log_out_token(refresh=data.get("refresh"), access=access)
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutEverywhereApi(APIView):
    @extend_schema(
        request=None,
        responses={204: None},
        summary="Log out everywhere: revoke every API token of the account, on every device",
    )
    def post(self, request):
        accounts.log_out_everywhere(user=request.user)
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=EmailSerializer, responses={202: None}, summary="Email a password-reset code")
    def post(self, request):
        accounts.request_password_reset(email=parsed(EmailSerializer, request)["email"], ip=client_ip(request))
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(EmailSerializer):
        code = serializers.CharField(max_length=12, validators=[validate_code])
        new_password = serializers.CharField(max_length=128)

    @extend_schema(request=InputSerializer, responses={204: None}, summary="Set a new password with the emailed code")
    def post(self, request):
        data = parsed(self.InputSerializer, request)
        accounts.reset_password(
            email=data["email"], code=data["code"], new_password=data["new_password"], ip=client_ip(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeApi(APIView):
    class InputSerializer(serializers.Serializer):
        old_password = serializers.CharField(max_length=128)
        new_password = serializers.CharField(max_length=128)

    @extend_schema(request=InputSerializer, responses={204: None}, summary="Change the password (revokes API tokens)")
    def post(self, request):
        data = parsed(self.InputSerializer, request)
        accounts.change_password(
            user=request.user, old_password=data["old_password"], new_password=data["new_password"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
